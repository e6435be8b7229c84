// normalise: NFC, control and invisible characters, runs of spaces.
// C++ note: a "\x.." escape swallows every hex digit after it, so literals are
// split ("\x01" "b") where a hex digit follows.
#include "stages/normalise.h"

#include <doctest/doctest.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>

#include <string>
#include <vector>

#include "pipeline/runner.h"
#include "pipeline/tokens.h"
#include "tests/test_support.h"

using copydesk::Document;
using copydesk::invert_edits;
using copydesk::Pipeline;

namespace {

const std::string kNfc = "normalise.nfc.v1";
const std::string kCtl = "normalise.control.v1";
const std::string kInv = "normalise.invisible.v1";
const std::string kRun = "normalise.space-run.v1";
const std::string kTrail = "normalise.trailing-space.v1";

std::vector<std::string> rules_of(const Document& d) {
  std::vector<std::string> out;
  for (const auto& e : d.edits) out.push_back(e.rule);
  return out;
}

struct Row {
  const char* label;
  std::string input;
  std::string expected;
  std::vector<std::string> rules;
};

const Pipeline& collapsing_pipeline() {
  static const Pipeline p = Pipeline::build(
      {"normalise"}, copydesk::testing::test_settings({{"normalise.collapse-spaces", "true"}}));
  return p;
}

// Runs a pipeline and checks that the runner rejected none of the stage's
// edits (they were valid, sorted and non-overlapping).
Document run_with(const Pipeline& p, const std::string& text) {
  Document d;
  d.id = "test";
  d.original = text;
  std::vector<copydesk::StageCounters> counters;
  p.run(d, counters);
  for (const auto& c : counters) CHECK(c.edits_rejected == 0);
  return d;
}

Document run_default(const std::string& text) {
  return run_with(copydesk::testing::cached_pipeline({"normalise"}), text);
}

// Runs every row through `run`, then checks the log inverts and that a second
// run over the output proposes nothing (idempotence).
template <typename Run>
void check_rows(const std::vector<Row>& rows, Run run) {
  for (const auto& r : rows) {
    CAPTURE(r.label);
    Document d = run(r.input);
    REQUIRE_FALSE(d.error.has_value());
    CHECK(d.text == r.expected);
    CHECK(rules_of(d) == r.rules);
    CHECK(invert_edits(d.text, d.edits) == r.input);
    for (const auto& e : d.edits) CHECK(e.confidence == 1.0);
    if (!d.text.empty()) {
      Document again = run(d.text);
      CHECK(again.edits.empty());
      CHECK(again.text == d.text);
    }
  }
}

}  // namespace

TEST_CASE("normalise: default settings") {
  const std::vector<Row> rows = {
      // must not change
      {"plain ASCII",
       "The quick brown fox jumps over the lazy dog.\n",
       "The quick brown fox jumps over the lazy dog.\n",
       {}},
      {"already NFC", "Charg\u00e9 d\u2019Affaires", "Charg\u00e9 d\u2019Affaires", {}},
      {"NBSP stays", "10\u00a0km and 5\u202fkg", "10\u00a0km and 5\u202fkg", {}},
      {"ZWJ emoji sequence",
       "\U0001F469\u200D\U0001F4BB and \U0001F468\u200D\U0001F469\u200D\U0001F467",
       "\U0001F469\u200D\U0001F4BB and \U0001F468\u200D\U0001F469\u200D\U0001F467",
       {}},
      {"variation selector", "I \u2764\uFE0F it", "I \u2764\uFE0F it", {}},
      {"flag tag sequence",
       "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
       "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
       {}},
      {"ZWNJ in Persian",
       "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645",
       "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645",
       {}},
      {"ZWJ in Devanagari", "\u0915\u094D\u200D\u0937", "\u0915\u094D\u200D\u0937", {}},
      {"tabs", "a\tb\t\tc\n\tindented", "a\tb\t\tc\n\tindented", {}},
      {"double space kept (collapse-spaces off)", "doctors  once", "doctors  once", {}},
      {"trailing space kept (collapse-spaces off)", "line \nnext ", "line \nnext ", {}},
      {"Hangul syllables", "\uD55C\uAE00", "\uD55C\uAE00", {}},
      {"line and paragraph separators", "a\u2028b\u2029c", "a\u2028b\u2029c", {}},
      {"replacement character", "x\uFFFDy", "x\uFFFDy", {}},
      {"combining mark with no composite", "q\u0307", "q\u0307", {}},
      // NFC
      {"e + combining acute", "Cafe\u0301 au lait", "Caf\u00e9 au lait", {kNfc}},
      {"two changes", "Mu\u0308ller and Jose\u0301", "M\u00fcller and Jos\u00e9", {kNfc, kNfc}},
      {"reordered marks", "a\u0301\u0323", "\u1ea1\u0301", {kNfc}},
      {"Hangul jamo", "\u1112\u1161\u11AB", "\uD55C", {kNfc}},
      {"Angstrom sign singleton", "5 \u212B", "5 \u00C5", {kNfc}},
      // controls
      {"C0 control",
       "a\x01"
       "b",
       "ab",
       {kCtl}},
      {"DEL",
       "a\x7f"
       "b",
       "ab",
       {kCtl}},
      {"C1 control", "a\u0085b\u0092c", "abc", {kCtl, kCtl}},
      {"form feed and vertical tab", "a\fb\vc", "abc", {kCtl, kCtl}},
      {"controls around ASCII blocks", "\x1b[0m0123456789\x07", "[0m0123456789", {kCtl, kCtl}},
      // invisible format characters
      {"ZWSP", "foo\u200Bbar", "foobar", {kInv}},
      {"soft hyphen", "co\u00ADoperate", "cooperate", {kInv}},
      {"word joiner", "a\u2060b", "ab", {kInv}},
      {"LRM and RLM", "\u200Eabc\u200F", "abc", {kInv, kInv}},
      {"bidi embedding", "\u202Bx\u202C", "x", {kInv, kInv}},
      {"U+FEFF inside the text", "a\uFEFFb", "ab", {kInv}},
      {"U+FEFF at the start (decode did not run)", "\uFEFFabc", "abc", {kInv}},
      {"only invisible characters", "\u200B\u200B", "", {kInv, kInv}},
      // interactions
      {"ZWSP between letter and accent: NFC takes it", "e\u200B\u0301", "\u00e9", {kNfc}},
      {"ZWSP before the letter stays separate", "\u200Be\u0301", "\u00e9", {kInv, kNfc}},
      {"soft hyphen after NFC span", "e\u0301\u00AD", "\u00e9", {kNfc, kInv}},
      {"header example", "Cafe\u200B\u0301 au\x01 lait", "Caf\u00e9 au lait", {kNfc, kCtl}},
      {"mix", "a\x01 Cafe\u0301\u200B.", "a Caf\u00e9.", {kCtl, kNfc, kInv}},
  };
  check_rows(rows, run_default);
}

TEST_CASE("normalise: collapse-spaces on") {
  const std::vector<Row> rows = {
      {"single spaces", "a b c\n", "a b c\n", {}},
      {"double space", "a  b", "a b", {kRun}},
      {"two runs", "a   b  c", "a b c", {kRun, kRun}},
      {"trailing before LF", "a \nb", "a\nb", {kTrail}},
      {"trailing at end", "a  ", "a", {kTrail}},
      {"blank line of spaces", "a\n   \nb", "a\n\nb", {kTrail}},
      {"indentation kept", "  indented  text", "  indented text", {kRun}},
      {"tabs stay", "a\t\tb \t c", "a\t\tb \t c", {}},
      {"NBSP run stays", "a\u00a0\u00a0b", "a\u00a0\u00a0b", {}},
      {"ZWSP between spaces", "a \u200B b", "a b", {kInv, kRun}},
      {"ZWSP inside a run", "a  \u200B  b", "a b", {kRun}},
      {"trailing with ZWSP", "a \u200B\nb", "a\nb", {kTrail, kInv}},
      {"NFC then a run", "Cafe\u0301  au  lait", "Caf\u00e9 au lait", {kNfc, kRun, kRun}},
      {"NFC grows, then trailing", "\u0958  x ", "\u0915\u093C x", {kNfc, kRun, kTrail}},
      {"CR removed, trailing space", "a \r\nb", "a\nb", {kTrail, kCtl}},
  };
  check_rows(rows, [](const std::string& s) { return run_with(collapsing_pipeline(), s); });
}

TEST_CASE("normalise: decode then normalise inverts to the raw bytes") {
  const std::string raw = "\xEF\xBB\xBFOne\r\nCafe\u0301\u200B \xC3(\r\n";
  Document d = run_with(
      copydesk::testing::cached_pipeline({"decode", "normalise"}, {{"decode.encoding", "utf-8"}}),
      raw);
  REQUIRE_FALSE(d.error.has_value());
  CHECK(d.text == "One\nCaf\u00e9 \uFFFD(\n");
  CHECK(invert_edits(d.text, d.edits) == raw);
}

TEST_CASE("normalise: ASCII text gives an empty result") {
  auto stage = copydesk::make_normalise_stage(copydesk::StageContext{});
  const std::string text = "Plain ASCII text, with tabs\tand  double spaces.\nSecond line.\n";
  const copydesk::TokenList tokens = copydesk::tokenize(text);
  const std::vector<copydesk::Region> regions;
  const copydesk::StageResult r = stage->run({"t", text, tokens, regions});
  CHECK(r.edits.empty());
  CHECK(r.findings.empty());
}

TEST_CASE("normalise: a bad collapse-spaces value is a ConfigError") {
  copydesk::StageContext ctx;
  ctx.settings["collapse-spaces"] = "maybe";
  CHECK_THROWS_AS(copydesk::make_normalise_stage(ctx), copydesk::ConfigError);
}

namespace {

// Reference: remove, then NFC, then (optionally) the space rules, each done
// the obvious way on whole strings.
std::string reference_normalise(const std::string& in, bool collapse) {
  static const std::vector<std::string> removed = {"\x01", "\u200B", "\u00AD", "\uFEFF", "\r"};
  std::string s = in;
  for (const auto& r : removed)
    for (size_t p; (p = s.find(r)) != std::string::npos;) s.erase(p, r.size());
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(err);
  std::string out;
  icu::StringByteSink<std::string> sink(&out);
  nfc->normalizeUTF8(0, s, sink, nullptr, err);
  REQUIRE(U_SUCCESS(err));
  if (!collapse) return out;
  std::string result;
  size_t line_start = 0;
  while (line_start <= out.size()) {
    size_t nl = out.find('\n', line_start);
    std::string line = out.substr(line_start, nl == std::string::npos ? nl : nl - line_start);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    size_t indent = line.find_first_not_of(' ');
    if (indent == std::string::npos) indent = line.size();
    std::string body;
    for (size_t i = indent; i < line.size(); ++i)
      if (!(line[i] == ' ' && !body.empty() && body.back() == ' ')) body += line[i];
    result += line.substr(0, indent) + body;
    if (nl == std::string::npos) break;
    result += '\n';
    line_start = nl + 1;
  }
  return result;
}

}  // namespace

TEST_CASE("normalise: random strings match a whole-string reference") {
  const std::vector<std::string> alphabet = {
      "a",      "e",      " ",      " ",      "\n",     "\t",     "\u0301",
      "\u0323", "\u200B", "\u00AD", "\x01",   "\r",     "\u212B", "\u1112",
      "\u1161", "\u11AB", "\u0958", "\u00a0", "\uFEFF", "\u200D", "\u00e9"};
  uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  for (int n = 0; n < 3000; ++n) {
    std::string in;
    const size_t len = 1 + next() % 12;
    for (size_t i = 0; i < len; ++i) in += alphabet[next() % alphabet.size()];
    for (bool collapse : {false, true}) {
      CAPTURE(in);
      CAPTURE(collapse);
      Document d = collapse ? run_with(collapsing_pipeline(), in) : run_default(in);
      REQUIRE_FALSE(d.error.has_value());
      CHECK(d.text == reference_normalise(in, collapse));
      CHECK(invert_edits(d.text, d.edits) == in);
      if (!d.text.empty()) {
        Document again = collapse ? run_with(collapsing_pipeline(), d.text) : run_default(d.text);
        CHECK(again.edits.empty());
      }
    }
  }
}
