#include "pipeline/tokens.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using copydesk::TokenKind;

namespace {

// Renders tokens as "kind:text" joined by '|', e.g. "w:Kabul|p:'|w:s".
std::string render(std::string_view text) {
  std::string out;
  for (const auto& t : copydesk::tokenize(text)) {
    const char* k = "?";
    switch (t.kind) {
      case TokenKind::kWord:
        k = "w";
        break;
      case TokenKind::kNumber:
        k = "n";
        break;
      case TokenKind::kPunct:
        k = "p";
        break;
      case TokenKind::kSpace:
        k = "s";
        break;
      case TokenKind::kNewline:
        k = "nl";
        break;
      case TokenKind::kOther:
        k = "x";
        break;
    }
    if (!out.empty()) out += '|';
    out += k;
    out += ':';
    out += t.in(text);
  }
  return out;
}

}  // namespace

TEST_CASE("tokenize") {
  struct Row {
    const char* label;
    std::string in;
    std::string out;
  } rows[] = {
      {"words and punctuation", "Kabul's attack.", "w:Kabul|p:'|w:s|s: |w:attack|p:."},
      {"numbers", "in 2001, 1,000", "w:in|s: |n:2001|p:,|s: |n:1|p:,|n:000"},
      {"alphanumeric word", "M1 Group", "w:M1|s: |w:Group"},
      {"accented letters", "Charg\u00e9 d\u2019Affaires",
       "w:Charg\u00e9|s: |w:d|p:\u2019|w:Affaires"},
      {"combining mark stays in the word", "Nguye\u0302\u0303n", "w:Nguye\u0302\u0303n"},
      {"space runs and NBSP", "a  \u00a0b", "w:a|s:  \u00a0|w:b"},
      {"newlines", "a\n\nb", "w:a|nl:\n|nl:\n|w:b"},
      {"invalid byte",
       "a\xff"
       "b",
       "w:a|x:\xff|w:b"},
      {"empty", "", ""},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    CHECK(render(r.in) == r.out);
  }
}

TEST_CASE("tokens know their capitalisation") {
  auto toks = copydesk::tokenize("Kabul and \u00c9cole");
  CHECK(toks[0].has_upper_initial);
  CHECK_FALSE(toks[2].has_upper_initial);
  CHECK(toks[4].has_upper_initial);
  CHECK_FALSE(toks[4].ascii);
}
