// Small UTF-8 helpers shared by the runner, readers and writers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace copydesk {

// Byte offset of the first invalid UTF-8 sequence, or npos if valid.
size_t find_invalid_utf8(std::string_view s);
inline bool is_valid_utf8(std::string_view s) {
  return find_invalid_utf8(s) == std::string_view::npos;
}
// True when pos is 0, size, or the first byte of a character.
inline bool is_char_boundary(std::string_view s, size_t pos) {
  return pos == 0 || pos >= s.size() || (static_cast<unsigned char>(s[pos]) & 0xC0) != 0x80;
}
// Number of code points in s (invalid bytes count one each).
size_t count_chars(std::string_view s);

// 1-based line and column (column in code points) of a byte offset.
struct LineCol {
  size_t line = 1;
  size_t column = 1;
};
LineCol line_col(std::string_view text, size_t byte_offset);

// Appends the UTF-8 encoding of a code point.
void append_utf8(std::string& out, char32_t cp);

}  // namespace copydesk
