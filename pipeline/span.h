// Span: a half-open range [begin, end) of UTF-8 byte offsets into one named
// text version. Every offset in copydesk is a byte offset; conversion to
// line:column in characters happens only at the output edge (see utf8.h).
#pragma once

#include <cstddef>
#include <string_view>

namespace copydesk {

struct Span {
  size_t begin = 0;
  size_t end = 0;

  size_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
  bool overlaps(const Span& o) const {
    // Two empty spans at the same point overlap (two insertions at one place
    // conflict); an empty span touching a non-empty one does not.
    if (empty() && o.empty()) return begin == o.begin;
    return begin < o.end && o.begin < end;
  }
  std::string_view in(std::string_view text) const { return text.substr(begin, end - begin); }
  friend bool operator==(const Span&, const Span&) = default;
};

}  // namespace copydesk
