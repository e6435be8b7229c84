// decode: invalid UTF-8, byte order mark, line breaks.
// C++ note: a "\x.." escape swallows every hex digit after it, so literals are
// split ("\xE2\x80" "b") where a hex digit follows.
#include "stages/decode.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "pipeline/runner.h"
#include "pipeline/tokens.h"
#include "pipeline/utf8.h"
#include "tests/test_support.h"

using copydesk::Document;
using copydesk::invert_edits;
using copydesk::Pipeline;
using copydesk::testing::findings_of;

namespace {

const std::string kBom = "decode.bom.v1";
const std::string kNl = "decode.newline.v1";
const std::string kBad = "decode.invalid-utf8.v1";

std::vector<std::string> rules_of(const Document& d) {
  std::vector<std::string> out;
  for (const auto& e : d.edits) out.push_back(e.rule);
  return out;
}

// Runs decode and checks that the runner rejected none of its edits.
Document run_decode(const std::string& text) {
  Document d;
  d.id = "test";
  d.original = text;
  std::vector<copydesk::StageCounters> counters;
  // encoding=utf-8: invalid bytes become U+FFFD (no legacy-encoding guess).
  copydesk::testing::cached_pipeline({"decode"}, {{"decode.encoding", "utf-8"}}).run(d, counters);
  CHECK(counters.at(0).edits_rejected == 0);
  return d;
}

struct Row {
  const char* label;
  std::string input;
  std::string expected;
  std::vector<std::string> rules;
};

}  // namespace

TEST_CASE("decode: table of repairs and must-not-change cases") {
  const std::string ascii_long = "The quick brown fox jumps over the lazy dog, twice over.\n";
  const Row rows[] = {
      // must not change
      {"plain ASCII", ascii_long, ascii_long, {}},
      {"valid UTF-8 accents and quotes",
       "Charg\u00e9 d\u2019Affaires",
       "Charg\u00e9 d\u2019Affaires",
       {}},
      {"tabs and LF", "a\tb\n\tc\n", "a\tb\n\tc\n", {}},
      {"four-byte emoji", "ok \U0001F600!", "ok \U0001F600!", {}},
      {"BOM not at the start is text",
       "a\xEF\xBB\xBF"
       "b",
       "a\xEF\xBB\xBF"
       "b",
       {}},
      {"noncharacter is valid UTF-8", "x\uFFFEy", "x\uFFFEy", {}},
      {"U+FFFD already present", "x\uFFFDy", "x\uFFFDy", {}},
      // byte order mark
      {"leading BOM", "\xEF\xBB\xBFHello", "Hello", {kBom}},
      {"BOM only", "\xEF\xBB\xBF", "", {kBom}},
      {"doubled BOM: the second is normalise's",
       "\xEF\xBB\xBF\xEF\xBB\xBFHi",
       "\xEF\xBB\xBFHi",
       {kBom}},
      {"truncated BOM is invalid",
       "\xEF\xBB"
       "x",
       "\uFFFDx",
       {kBad}},
      // line breaks
      {"CRLF", "a\r\nb\r\n", "a\nb\n", {kNl, kNl}},
      {"lone CR", "a\rb", "a\nb", {kNl}},
      {"CR CR LF", "a\r\r\nb", "a\n\nb", {kNl, kNl}},
      {"CR at end", "a\r", "a\n", {kNl}},
      {"LF CR", "a\n\rb", "a\n\nb", {kNl}},
      {"CR inside an 8-byte block",
       "0123456789abc\r\ndefghijklmnop",
       "0123456789abc\ndefghijklmnop",
       {kNl}},
      // invalid UTF-8: one U+FFFD per maximal subpart
      {"Latin-1 byte", "caf\xE9 au lait", "caf\uFFFD au lait", {kBad}},
      {"truncated 3-byte sequence",
       "a\xE2\x80"
       "b",
       "a\uFFFD"
       "b",
       {kBad}},
      {"truncated at the end", "a\xE2\x80", "a\uFFFD", {kBad}},
      {"lone continuation byte",
       "a\x80"
       "b",
       "a\uFFFD"
       "b",
       {kBad}},
      {"overlong C0 AF", "\xC0\xAF", "\uFFFD\uFFFD", {kBad, kBad}},
      {"overlong E0 80 AF", "\xE0\x80\xAF", "\uFFFD\uFFFD\uFFFD", {kBad, kBad, kBad}},
      {"surrogate ED A0 80", "\xED\xA0\x80", "\uFFFD\uFFFD\uFFFD", {kBad, kBad, kBad}},
      {"above U+10FFFF", "\xF4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD", {kBad, kBad, kBad, kBad}},
      {"five-byte form",
       "\xF8\x88\x80\x80\x80",
       "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD",
       {kBad, kBad, kBad, kBad, kBad}},
      {"emoji then truncated emoji", "\xF0\x9F\x98\x80\xF0\x9F\x98", "\U0001F600\uFFFD", {kBad}},
      // Unicode 15 section 3.9, table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64
      {"Unicode table 3-8",
       "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
       "a\uFFFD\uFFFD\uFFFD"
       "b\uFFFD"
       "c\uFFFD\uFFFD"
       "d",
       {kBad, kBad, kBad, kBad, kBad, kBad}},
      {"invalid byte after a long ASCII run",
       "0123456789abcdef\xFF"
       "0123456789",
       "0123456789abcdef\uFFFD"
       "0123456789",
       {kBad}},
      // together
      {"BOM, CRLF and a bad byte",
       "\xEF\xBB\xBFOne\r\nTwo \xC3(",
       "One\nTwo \uFFFD(",
       {kBom, kNl, kBad}},
      {"invalid byte before CR", "a\xC3\r\nb", "a\uFFFD\nb", {kBad, kNl}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.label);
    Document d = run_decode(r.input);
    REQUIRE_FALSE(d.error.has_value());
    CHECK(d.text == r.expected);
    CHECK(rules_of(d) == r.rules);
    CHECK(invert_edits(d.text, d.edits) == r.input);
    for (const auto& e : d.edits) CHECK(e.confidence == 1.0);
  }
}

TEST_CASE("decode: one error finding summarises the invalid sequences") {
  Document d = run_decode("ab\xC0\xAF cd \xFF");
  const auto found = findings_of(d, kBad);
  REQUIRE(found.size() == 1);
  const auto& f = found[0].finding;
  CHECK(f.severity == copydesk::Severity::kError);
  CHECK(f.message == "3 invalid UTF-8 sequence(s) replaced with U+FFFD; first at byte 2");
  CHECK(f.span == copydesk::Span{2, 3});
  CHECK(found[0].orig == copydesk::Span{2, 3});

  Document clean = run_decode("\xEF\xBB\xBFok\r\n");
  CHECK(findings_of(clean, "decode.").empty());
}

TEST_CASE("decode: valid text without CR or BOM gives an empty result") {
  auto stage = copydesk::make_decode_stage(copydesk::StageContext{});
  const std::string text = "Plain text, \u00e9t\u00e9 \u2014 and more.\n\tIndented line.\n";
  const copydesk::TokenList tokens = copydesk::tokenize(text);
  const std::vector<copydesk::Region> regions;
  const copydesk::StageResult r = stage->run({"t", text, tokens, regions});
  CHECK(r.edits.empty());
  CHECK(r.findings.empty());
  CHECK(r.regions.empty());
  CHECK_FALSE(r.document_error.has_value());
}

TEST_CASE("decode: output is valid UTF-8 for every two-byte input") {
  // Exhaustive over byte pairs (with an ASCII prefix and suffix): the output
  // is valid, and inverting the log gives the input back.
  for (int a = 1; a < 256; ++a) {
    for (int b = 1; b < 256; ++b) {
      std::string in = "x";
      in += static_cast<char>(a);
      in += static_cast<char>(b);
      in += "y";
      Document d = run_decode(in);
      REQUIRE_FALSE(d.error.has_value());
      if (!copydesk::is_valid_utf8(d.text) || invert_edits(d.text, d.edits) != in) {
        CAPTURE(a);
        CAPTURE(b);
        FAIL("bad decode");
      }
      CHECK(d.text.find('\r') == std::string::npos);
    }
  }
}

TEST_CASE("decode: legacy single-byte encodings") {
  struct Row {
    const char* label;
    std::map<std::string, std::string> settings;
    std::string input;
    std::string expected;
  } rows[] = {
      {"detected windows-1252 in a Latin text",
       {},
       "Caf\xe9 au lait, na\xefve r\xe9sum\xe9 \x93quoted\x94 and more text here.",
       "Caf\u00e9 au lait, na\u00efve r\u00e9sum\u00e9 \u201cquoted\u201d and more text here."},
      {"named encoding",
       {{"decode.encoding", "ISO-8859-2"}},
       "Pr\xe1ha a \xb9koda",
       "Pr\u00e1ha a \u0161koda"},
      {"valid UTF-8 is never re-read",
       {{"decode.encoding", "windows-1252"}},
       "Caf\u00e9",
       "Caf\u00e9"},
      {"forced utf-8: U+FFFD", {{"decode.encoding", "utf-8"}}, "Caf\xe9", "Caf\uFFFD"},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    Document d;
    d.id = "t";
    d.original = r.input;
    copydesk::testing::cached_pipeline({"decode"}, r.settings).run(d);
    REQUIRE_FALSE(d.error.has_value());
    CHECK(d.text == r.expected);
    CHECK(invert_edits(d.text, d.edits) == r.input);
  }
  CHECK_THROWS_AS(Pipeline::build({"decode"}, copydesk::testing::test_settings(
                                                  {{"decode.encoding", "Shift_JIS"}})),
                  copydesk::ConfigError);
}
