// Tokens: one tokenisation per text version, shared by every stage that reads
// that version (the runner re-tokenises only after a stage applied edits).
//
//   TokenList toks = tokenize("Kabul's 2001 attack.");
//   // word "Kabul", punct "'", word "s", space, number "2001", space,
//   // word "attack", punct "."
//
// A word is a maximal run of letters, combining marks and digits that holds at
// least one letter; a number is such a run with no letter. Every other
// character is its own punct token, except runs of horizontal space (one
// space token) and line breaks (one newline token per "\n"). Tokens cover
// the text completely and in order. ASCII takes a table-driven fast path;
// other characters are classified with ICU. Invalid UTF-8 bytes become
// single-byte kOther tokens.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "pipeline/span.h"

namespace copydesk {

enum class TokenKind : uint8_t { kWord, kNumber, kPunct, kSpace, kNewline, kOther };

struct Token {
  uint32_t begin;
  uint32_t end;
  TokenKind kind;
  bool has_upper_initial;  // word starts with an uppercase letter
  bool ascii;              // every byte < 0x80

  Span span() const { return {begin, end}; }
  std::string_view in(std::string_view text) const { return text.substr(begin, end - begin); }
  bool is_word() const { return kind == TokenKind::kWord; }
};

using TokenList = std::vector<Token>;

TokenList tokenize(std::string_view text);

}  // namespace copydesk
