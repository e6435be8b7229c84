#include "pipeline/tokens.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <array>

namespace copydesk {
namespace {

enum CharClass : uint8_t { kLetter, kDigit, kMark, kHSpace, kLineBreak, kPunctChar, kInvalid };

constexpr std::array<uint8_t, 128> make_ascii_table() {
  std::array<uint8_t, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
      t[c] = kLetter;
    else if (c >= '0' && c <= '9')
      t[c] = kDigit;
    else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
      t[c] = kHSpace;
    else if (c == '\n')
      t[c] = kLineBreak;
    else
      t[c] = kPunctChar;
  }
  return t;
}
constexpr auto kAsciiClass = make_ascii_table();

CharClass classify(UChar32 c) {
  if (c < 0) return kInvalid;
  if (c < 128) return static_cast<CharClass>(kAsciiClass[c]);
  if (c == 0x2028 || c == 0x2029 || c == 0x85) return kLineBreak;
  if (u_isalpha(c)) return kLetter;
  int8_t type = u_charType(c);
  if (type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK)
    return kMark;
  if (u_isdigit(c)) return kDigit;
  if (u_isUWhiteSpace(c)) return kHSpace;
  return kPunctChar;
}

}  // namespace

TokenList tokenize(std::string_view text) {
  TokenList out;
  out.reserve(text.size() / 3 + 1);
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  int32_t i = 0;
  bool ascii = true;  // no character of the current token went through ICU

  auto next = [&](int32_t& pos, CharClass& cls) {
    if (s[pos] < 0x80) {
      cls = static_cast<CharClass>(kAsciiClass[s[pos]]);
      ++pos;
      return;
    }
    ascii = false;
    UChar32 c;
    U8_NEXT(s, pos, n, c);
    cls = classify(c);
  };

  while (i < n) {
    const int32_t start = i;
    CharClass cls;
    ascii = true;
    if (s[i] < 0x80)  // the common case without the general step's call
      cls = static_cast<CharClass>(kAsciiClass[s[i++]]);
    else
      next(i, cls);
    Token t{static_cast<uint32_t>(start), 0, TokenKind::kPunct, false, true};
    if (cls == kLetter || cls == kDigit || cls == kMark) {
      bool has_letter = cls == kLetter;
      if (cls == kLetter && s[start] < 0x80) {
        t.has_upper_initial =
            s[start] >= 'A' && s[start] <= 'Z';  // ICU's answer for ASCII, without the call
      } else if (cls == kLetter) {
        UChar32 c;
        int32_t p = start;
        U8_NEXT(s, p, n, c);
        t.has_upper_initial = u_isupper(c) || u_istitle(c);
      }
      while (i < n) {
        // ASCII letters and digits without the general step.
        if (s[i] < 0x80) {
          const uint8_t c2 = kAsciiClass[s[i]];
          if (c2 == kLetter) {
            has_letter = true;
            ++i;
            continue;
          }
          if (c2 == kDigit) {
            ++i;
            continue;
          }
          break;
        }
        int32_t j = i;
        CharClass c2;
        const bool was_ascii = ascii;
        next(j, c2);
        if (c2 != kLetter && c2 != kDigit && c2 != kMark) {
          ascii = was_ascii;  // the character is not part of the token
          break;
        }
        has_letter |= c2 == kLetter;
        i = j;
      }
      t.kind = has_letter ? TokenKind::kWord : TokenKind::kNumber;
    } else if (cls == kHSpace) {
      while (i < n) {
        if (s[i] < 0x80) {  // ASCII without the general step
          if (kAsciiClass[s[i]] != kHSpace) break;
          ++i;
          continue;
        }
        int32_t j = i;
        CharClass c2;
        const bool was_ascii = ascii;
        next(j, c2);
        if (c2 != kHSpace) {
          ascii = was_ascii;  // the character is not part of the token
          break;
        }
        i = j;
      }
      t.kind = TokenKind::kSpace;
    } else if (cls == kLineBreak) {
      t.kind = TokenKind::kNewline;
    } else if (cls == kInvalid) {
      t.kind = TokenKind::kOther;
    }
    t.end = static_cast<uint32_t>(i);
    t.ascii = ascii;  // a byte >= 0x80 only ever comes in through ICU's step
    out.push_back(t);
  }
  return out;
}

}  // namespace copydesk
