#include "pipeline/utf8.h"

#include <unicode/utf8.h>

namespace copydesk {

size_t find_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  int32_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return static_cast<size_t>(start);
  }
  return std::string_view::npos;
}

size_t count_chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

LineCol line_col(std::string_view text, size_t byte_offset) {
  LineCol lc;
  if (byte_offset > text.size()) byte_offset = text.size();
  size_t line_start = 0;
  for (size_t i = 0; i < byte_offset; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      line_start = i + 1;
    }
  }
  lc.column = count_chars(text.substr(line_start, byte_offset - line_start)) + 1;
  return lc;
}

void append_utf8(std::string& out, char32_t cp) {
  char buf[4];
  int32_t len = 0;
  UBool err = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(buf), len, 4, static_cast<UChar32>(cp), err);
  if (!err) out.append(buf, static_cast<size_t>(len));
}

}  // namespace copydesk
