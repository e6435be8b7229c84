#include "pipeline/offset_map.h"

#include <algorithm>

namespace copydesk {
namespace {

// Maps pos from side `from` to side `to` of the replacements.
size_t map_pos(const std::vector<Replacement>& reps, size_t pos, Bias bias, Span Replacement::*from,
               Span Replacement::*to) {
  // Last replacement whose `from` begins at or before pos.
  auto it = std::upper_bound(reps.begin(), reps.end(), pos,
                             [&](size_t p, const Replacement& r) { return p < (r.*from).begin; });
  // Replacements never share a begin (the runner rejects that as a conflict).
  if (it == reps.begin()) return pos;
  const Replacement& r = *std::prev(it);
  const Span f = r.*from;
  const Span t = r.*to;
  if (pos >= f.end) {
    if (pos == f.end && f.empty()) {
      // At an insertion point: the inserted text stays outside the span.
      return bias == Bias::kBegin ? t.end : t.begin;
    }
    return pos - f.end + t.end;
  }
  if (pos == f.begin) return t.begin;
  return bias == Bias::kBegin ? t.begin : t.end;
}

}  // namespace

size_t OffsetMap::forward(size_t in_pos, Bias bias) const {
  return map_pos(reps_, in_pos, bias, &Replacement::in, &Replacement::out);
}

size_t OffsetMap::backward(size_t out_pos, Bias bias) const {
  return map_pos(reps_, out_pos, bias, &Replacement::out, &Replacement::in);
}

Span OffsetMap::forward(Span s) const {
  size_t b = forward(s.begin, Bias::kBegin);
  size_t e = s.empty() ? b : forward(s.end, Bias::kEnd);
  return {b, std::max(b, e)};
}

Span OffsetMap::backward(Span s) const {
  size_t b = backward(s.begin, Bias::kBegin);
  size_t e = s.empty() ? b : backward(s.end, Bias::kEnd);
  return {b, std::max(b, e)};
}

}  // namespace copydesk
