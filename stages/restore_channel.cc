#include "stages/restore_channel.h"

#include <algorithm>

namespace copydesk::restore {
namespace {

// Code points dropped by the channel without a trace (see the header).
bool ignorable(char32_t c) {
  return c == 0x2060 || c == 0x200A || c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF ||
         c == 0x00AD;
}

// Length of the UTF-8 sequence at s[i] and its code point; 1 and 0xFFFD
// for an invalid byte.
size_t decode_one(std::string_view s, size_t i, char32_t& cp) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    cp = 0xFFFD;
    return 1;
  }
  if (n == 1) {
    cp = b;
    return 1;
  }
  cp = b & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 0x2) {
      cp = 0xFFFD;
      return 1;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  return n;
}

}  // namespace

std::string_view StrippedText::deleted_before(size_t at) const {
  auto it = std::lower_bound(deletions.begin(), deletions.end(), at,
                             [](const Deletion& d, size_t a) { return d.at < a; });
  if (it == deletions.end() || it->at != at) return {};
  return it->run;
}

StrippedText strip_channel(std::string_view clean) {
  StrippedText out;
  out.text.reserve(clean.size());
  std::string pending;
  for (size_t i = 0; i < clean.size();) {
    char32_t cp;
    size_t n = decode_one(clean, i, cp);
    if (channel_deletes(cp)) {
      if (!ignorable(cp)) pending.append(clean.substr(i, n));
    } else {
      if (!pending.empty()) {
        out.deletions.push_back({static_cast<uint32_t>(out.text.size()), std::move(pending)});
        pending.clear();
      }
      out.text.push_back(clean[i]);
    }
    i += n;
  }
  if (!pending.empty())
    out.deletions.push_back({static_cast<uint32_t>(out.text.size()), std::move(pending)});
  return out;
}

bool apostrophe_insertions(std::string_view key, std::string_view form, std::vector<size_t>& pos) {
  size_t k = 0, f = 0;
  while (f < form.size()) {
    if (k < key.size() && form[f] == key[k]) {
      ++k;
      ++f;
    } else if (form.substr(f, 3) == std::string_view("\u2019")) {
      pos.push_back(k);
      f += 3;
    } else if (form[f] == '\'') {
      pos.push_back(k);
      ++f;
    } else {
      return false;
    }
  }
  return k == key.size() && !pos.empty();
}

}  // namespace copydesk::restore
