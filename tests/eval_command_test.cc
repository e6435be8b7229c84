// Tests for `copydesk eval`: the damage functions (as eval/damage.py), the
// classifier, folding and alignment (as eval/score.py), document scoring
// (the checks of score.py's own self-test), calibration, and an end-to-end
// run over tests/fixtures/eval/clean.jsonl with counts computed by score.py.
#include "pipeline/eval_command.h"

#include <doctest/doctest.h>
#include <simdjson.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/eval_score.h"

namespace fs = std::filesystem;
using namespace copydesk::eval;

namespace {

std::string fixture(const std::string& name) {
  return std::string(COPYDESK_TEST_DIR) + "/fixtures/eval/" + name;
}

// Scores one document the way score.py's self-test does: gold, its damage, and a system output.
DocScore score_text(const std::string& gold, const std::string& output,
                    DamageMode mode = DamageMode::kStripNonAscii) {
  Damaged d = damage(mode, gold);
  std::u32string g = to_u32(gold);
  EvalAligner al;
  return score_document(to_u32(d.text), g, to_u32(output), gold_runs(d, g), al);
}

std::string strip(const std::string& s) { return damage(DamageMode::kStripNonAscii, s).text; }

const PRF& cls(const Counts& c, CharClass k) { return c[k]; }

}  // namespace

TEST_CASE("eval damage: strip-nonascii and strip-apostrophes as damage.py") {
  struct Row {
    const char* label;
    DamageMode mode;
    std::string clean;
    std::string damaged;
    std::vector<GoldInsertion> insertions;  // input_cp, input_byte, gold_cp, ch
  } rows[] = {
      {"ascii untouched", DamageMode::kStripNonAscii, "plain text", "plain text", {}},
      {"curly apostrophe", DamageMode::kStripNonAscii, "don\u2019t", "dont", {{3, 3, 3, 0x2019}}},
      {"two-byte letter and NBSP",
       DamageMode::kStripNonAscii,
       "caf\u00e9\u00a0au",
       "cafau",
       {{3, 3, 3, 0xE9}, {3, 3, 4, 0xA0}}},
      {"four-byte emoji", DamageMode::kStripNonAscii, "a\U0001F600b", "ab", {{1, 1, 1, 0x1F600}}},
      {"combining mark",
       DamageMode::kStripNonAscii,
       "e\u0301t\u00e9",
       "et",
       {{1, 1, 1, 0x301}, {2, 2, 3, 0xE9}}},
      {"apostrophes: ASCII and U+2019 only",
       DamageMode::kStripApostrophes,
       "it's \u2018q\u2019",
       "its \u2018q",
       {{2, 2, 2, '\''}, {6, 8, 7, 0x2019}}},
      {"apostrophes: byte and code point offsets differ",
       DamageMode::kStripApostrophes,
       "caf\u00e9\u2019s \u2014 ok",
       "caf\u00e9s \u2014 ok",
       {{4, 5, 4, 0x2019}}},
      {"apostrophes: U+02BC and backtick kept",
       DamageMode::kStripApostrophes,
       "a\u02bcb`c",
       "a\u02bcb`c",
       {}},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    Damaged d = damage(r.mode, r.clean);
    CHECK(d.text == r.damaged);
    REQUIRE(d.insertions.size() == r.insertions.size());
    for (size_t k = 0; k < r.insertions.size(); ++k) {
      CHECK(d.insertions[k].input_cp == r.insertions[k].input_cp);
      CHECK(d.insertions[k].input_byte == r.insertions[k].input_byte);
      CHECK(d.insertions[k].gold_cp == r.insertions[k].gold_cp);
      CHECK(d.insertions[k].ch == r.insertions[k].ch);
    }
  }
  CHECK(parse_damage_mode("strip-nonascii") == DamageMode::kStripNonAscii);
  CHECK(parse_damage_mode("strip-apostrophes") == DamageMode::kStripApostrophes);
  CHECK_FALSE(parse_damage_mode("mojibake"));
}

TEST_CASE("eval classify: context classes as score.py classify()") {
  // Expected classes were printed by score.py's classify() on the same strings.
  struct Row {
    const char* label;
    std::u32string text;
    size_t pos;
    CharClass want;
  } rows[] = {
      {"apostrophe inside a word", U"Don\u2019t say", 3, CharClass::kApostrophe},
      {"opening single quote", U"say \u2018stop\u2019 to", 4, CharClass::kQuote},
      {"closing single quote after an open one", U"say \u2018stop\u2019 to", 9, CharClass::kQuote},
      {"possessive after a word, no quote open", U"the girls\u2019 coach", 9,
       CharClass::kApostrophe},
      {"closing quote on a line with an opening one", U"he said \u2018no\u2019 then", 11,
       CharClass::kQuote},
      {"opening quote on the previous line does not count", U"\u2018no\nthe girls\u2019 coach", 13,
       CharClass::kApostrophe},
      {"decade", U"\u201990s", 0, CharClass::kApostrophe},
      {"elision 'em", U"\u2019em go", 0, CharClass::kApostrophe},
      {"elision 'tis after a space", U" \u2018tis", 1, CharClass::kApostrophe},
      {"rock 'n' roll", U"rock \u2019n\u2019 roll", 7, CharClass::kApostrophe},
      {"modifier letter apostrophe", U"Hawai\u02bbi x\u02bcy", 9, CharClass::kApostrophe},
      {"double quote", U"\u201cthe", 0, CharClass::kQuote},
      {"ASCII double quote", U"say \"x\"", 4, CharClass::kQuote},
      {"em dash", U"won\u2014again", 3, CharClass::kDash},
      {"en dash between spaces", U"a \u2013 b", 2, CharClass::kDash},
      {"ASCII hyphen", U"a-b", 1, CharClass::kDash},
      {"NBSP between words", U"a\u00a0b", 1, CharClass::kSpace},
      {"NBSP next to a space is traceless", U"a.\u00a0 b", 2, CharClass::kTraceless},
      {"NBSP after a space is traceless", U"a \u00a0b", 2, CharClass::kTraceless},
      {"NBSP before a line break is traceless", U"a\u00a0\nb", 1, CharClass::kTraceless},
      {"narrow NBSP between words", U"9\u202fa.m.", 1, CharClass::kSpace},
      {"ASCII space next to a space is a space", U"a  b", 1, CharClass::kSpace},
      {"letter", U"Charg\u00e9", 5, CharClass::kLetter},
      {"combining mark", U"e\u0301", 1, CharClass::kLetter},
      {"ellipsis", U"x\u2026", 1, CharClass::kEllipsis},
      {"euro sign", U"5\u20ac", 1, CharClass::kOther},
      {"word joiner", U"a\u2060b", 1, CharClass::kOther},
      {"ASCII letter", U"ab", 1, CharClass::kOther},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    CHECK(class_name(classify(r.text, r.pos)) == class_name(r.want));
  }
}

TEST_CASE("eval folding: fold_text, compare keys and fold_run tokens") {
  CHECK(fold_text(U"\u201cit\u2019s\u201d \u2014 \u2026\u00a0x") == U"\"it's\" - ... x");
  CHECK(fold_compare_key(U"a\u2014b") == fold_compare_key(U"a--b"));
  struct Row {
    const char* label;
    std::vector<InsertedChar> run;
    std::vector<std::u32string> tokens;
  } rows[] = {
      {"NBSP and em dash: one dash token, the space dropped",
       {{0xA0, CharClass::kSpace}, {0x2014, CharClass::kDash}},
       {U"-"}},
      {"traceless space stays beside a dash",
       {{0xA0, CharClass::kTraceless}, {0x2014, CharClass::kDash}},
       {U" ", U"-"}},
      {"ellipsis", {{0x2026, CharClass::kEllipsis}}, {U"..."}},
      {"two dashes are one token",
       {{0x2014, CharClass::kDash}, {0x2013, CharClass::kDash}},
       {U"-"}},
      {"curly quotes to ASCII",
       {{0x201D, CharClass::kQuote}, {0x2019, CharClass::kApostrophe}},
       {U"\"", U"'"}},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    std::vector<std::u32string> got;
    for (const auto& t : fold_run(r.run)) got.push_back(t.text);
    CHECK(got == r.tokens);
  }
}

TEST_CASE("eval alignment: the regions score.py's Aligner finds") {
  // Expected ops were printed by score.py's Aligner().ops() on the same strings.
  struct Row {
    const char* label;
    std::u32string a, b;
    std::vector<AlignOp> ops;
  } rows[] = {
      {"insertion in a word", U"dont go", U"don\u2019t go", {{3, 3, 3, 4}}},
      {"insertion between equal letters goes last", U"aaa", U"aaaa", {{3, 3, 3, 4}}},
      {"double space", U"the cat sat", U"the cat  sat", {{8, 8, 8, 9}}},
      {"substitution", U"x -- y", U"x \u2014 y", {{2, 4, 2, 3}}},
      {"two regions", U"one two three four", U"one 2 three for", {{4, 7, 4, 5}, {16, 17, 14, 14}}},
      {"deletion of everything", U"ab", U"", {{0, 2, 0, 0}}},
      {"equal", U"same", U"same", {}},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    EvalAligner al;
    CHECK(al.ops(r.a, r.b) == r.ops);
  }
  // difflib's matching (score.py _match) is not an optimal LCS: it takes the
  // first longest block.
  auto pairs = difflib_pairs({0, 1, 2}, {1, 0, 2});
  CHECK(pairs == std::vector<std::pair<size_t, size_t>>{{0, 1}, {2, 2}});
  CHECK(to_utf8(to_u32("caf\u00e9 \U0001F600")) == "caf\u00e9 \U0001F600");
  CHECK(to_u32("\xff"
               "a") == U"\ufffda");
}

TEST_CASE("eval scoring: the checks of score.py's self-test") {
  const std::string gold =
      "Pakistan\u2019s foreign office\u00a0said that \u201cthe onus\u2026\u201d \u2014 "
      "and the girls\u2019 team won\u2014again. Charg\u00e9 d\u2019Affaires said "
      "\u2018hello\u2019 in the \u201990s; it\u2019s done.\n";
  const std::string inp = strip(gold);

  DocScore perfect = score_text(gold, gold);
  CHECK(cls(perfect.exact, CharClass::kApostrophe).gold == 5);
  CHECK(cls(perfect.exact, CharClass::kQuote).gold == 4);
  CHECK(cls(perfect.exact, CharClass::kDash).gold == 2);
  CHECK(cls(perfect.exact, CharClass::kSpace).gold == 1);
  CHECK(cls(perfect.exact, CharClass::kLetter).gold == 1);
  CHECK(cls(perfect.exact, CharClass::kEllipsis).gold == 1);
  for (const Counts* view : {&perfect.exact, &perfect.folded}) {
    PRF m = view->micro();
    CHECK(m.precision() == 1.0);
    CHECK(m.recall() == 1.0);
    CHECK(m.f1() == 1.0);
  }
  CHECK(perfect.collateral == 0);
  CHECK(perfect.exact_doc);
  CHECK(perfect.dist_after == 0);
  CHECK(perfect.dist_before > 0);

  DocScore ident = score_text(gold, inp);
  CHECK(ident.exact.micro().recall() == 0.0);
  CHECK(ident.folded.micro().recall() == 0.0);
  CHECK(ident.exact.micro().fp == 0);
  CHECK(ident.collateral == 0);
  CHECK_FALSE(ident.exact.micro().precision());  // no system insertion: undefined, not 0

  std::string deleting = inp;
  deleting.erase(deleting.find("foreign "), 8);
  deleting.replace(deleting.find("team"), 4, "tea");
  CHECK(score_text(gold, deleting).collateral == 9);

  const std::string ascii_style =
      "Pakistan's foreign office said that \"the onus...\" -- and the girls' team won--again. "
      "Charg d'Affaires said 'hello' in the '90s; it's done.\n";
  DocScore asc = score_text(gold, ascii_style);
  CHECK(asc.exact.micro().tp == 0);
  CHECK(asc.collateral == 0);
  for (CharClass k :
       {CharClass::kApostrophe, CharClass::kQuote, CharClass::kDash, CharClass::kEllipsis}) {
    INFO(std::string(class_name(k)));
    CHECK(cls(asc.folded, k).recall() == 1.0);
  }
  CHECK(asc.folded.micro().fn == 1);
  CHECK(cls(asc.folded, CharClass::kLetter).fn == 1);
  CHECK(asc.folded.micro().fp == 0);

  std::string wrong_place = inp;
  wrong_place.replace(wrong_place.find("Pakistans"), 9, "Pakistans\u2019");
  DocScore wp = score_text(gold, wrong_place);
  CHECK(cls(wp.exact, CharClass::kApostrophe).fp == 1);
  CHECK(cls(wp.exact, CharClass::kApostrophe).fn == 5);

  std::string subst = inp;
  subst.replace(subst.find("its done"), 8, "ia's done");
  DocScore sb = score_text(gold, subst);
  CHECK(sb.collateral == 1);
  CHECK(cls(sb.folded, CharClass::kApostrophe).tp == 1);

  const std::string g2 = "Don\u2019t say \u2018stop\u2019 to the girls\u2019 coach.\n";
  DocScore r2 = score_text(g2, g2);
  CHECK(cls(r2.exact, CharClass::kApostrophe).gold == 2);
  CHECK(cls(r2.exact, CharClass::kQuote).gold == 2);

  // Multi-line: 150 insertions all found; dropping blank lines is collateral.
  std::string g3;
  for (int i = 0; i < 50; ++i)
    g3 += "A\u2019s line one.\nline two\u2014here.\n\nline four\u2019s end.\n";
  CHECK(score_text(g3, g3).exact.micro().tp == 150);
  std::string dropped = strip(g3);
  for (size_t p; (p = dropped.find("\n\n")) != std::string::npos;) dropped.erase(p, 1);
  DocScore r3b = score_text(g3, dropped);
  CHECK(r3b.collateral == 50);
  CHECK(r3b.exact.micro().tp == 0);

  // Style-only substitution: ' -> U+2019 on an input character.
  DocScore style = score_text("it's", "it\u2019s", DamageMode::kStripNonAscii);
  CHECK(style.collateral == 1);
  CHECK(style.collateral_style == 1);
}

TEST_CASE("eval calibration: proposals judged against the gold insertions, bucketed") {
  const std::string gold = "We don\u2019t know.\u00a0 The caf\u00e9 \u2014 closed.";
  Damaged d = damage(DamageMode::kStripNonAscii, gold);
  REQUIRE(d.text == "We dont know. The caf  closed.");
  struct Row {
    const char* label;
    Proposal p;
    bool right;
  } rows[] = {
      {"apostrophe at the right place", {6, 6, "\u2019", 0.97, true, "r"}, true},
      {"ASCII apostrophe: right when folded", {6, 6, "'", 0.97, true, "r"}, true},
      {"apostrophe one late", {7, 7, "\u2019", 0.6, false, "r"}, false},
      {"no-break space where there is one", {13, 13, "\u00a0", 0.8, false, "r"}, true},
      {"letter", {21, 21, "\u00e9", 0.99, true, "r"}, true},
      {"dash without its spaces", {22, 22, "\u2014", 0.92, true, "r"}, true},
      {"replacement spanning an insertion", {3, 7, "don\u2019t", 0.95, true, "r"}, true},
      {"nothing deleted here", {0, 0, "\u201c", 0.5, false, "r"}, false},
  };
  Calibration cal;
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    bool right = proposal_right(r.p, d.text, d);
    CHECK(right == r.right);
    cal.add(r.p.confidence, r.p.applied, right);
  }
  const auto& b = cal.buckets();
  REQUIRE(b.size() == 8);
  CHECK(b[1].count == 1);  // [0.5, 0.6): 0.5 (0.6 is in the next bucket)
  CHECK(b[2].count == 1);  // [0.6, 0.7)
  CHECK(b[4].count == 1);  // [0.8, 0.9)
  CHECK(b[5].count == 1);  // [0.9, 0.95)
  CHECK(b[6].count == 3);  // [0.95, 0.99): 0.97, 0.97, 0.95
  CHECK(b[6].right == 3);
  CHECK(b[7].count == 1);  // [0.99, 1]
  CHECK(b[7].applied == 1);
  Calibration one;
  one.add(1.0, true, true);
  CHECK(one.buckets().back().count == 1);
}

TEST_CASE("eval calibration: an invisible word joiner deleted with a dash is not needed back") {
  const std::string gold = "a-la\u2060\u2014oh, no.";
  Damaged d = damage(DamageMode::kStripNonAscii, gold);
  REQUIRE(d.text == "a-laoh, no.");
  CHECK(proposal_right({4, 4, "\u2014", 0.9, true, "r"}, d.text, d));
  CHECK(proposal_right({4, 4, "\u2060\u2014", 0.9, true, "r"}, d.text, d));
  CHECK_FALSE(proposal_right({4, 4, " ", 0.9, true, "r"}, d.text, d));
}

namespace {

struct EvalRun {
  int status = -1;
  simdjson::dom::parser parser;
  simdjson::dom::element json;
};

int64_t num(simdjson::dom::element e, std::initializer_list<const char*> path) {
  for (const char* k : path) e = e[k];
  return e.get_int64().value();
}

}  // namespace

TEST_CASE("eval end to end: fixture counts agree with score.py") {
  const fs::path out =
      fs::temp_directory_path() / ("copydesk-eval-" + std::to_string(::getpid()) + ".json");
  auto run = [&](std::vector<std::string> args, EvalRun& r) {
    args.insert(args.end(),
                {"--json", out.string(), "--input-format", "jsonl", fixture("clean.jsonl")});
    std::ostringstream table;  // the printed table is not checked here
    std::streambuf* saved = std::cout.rdbuf(table.rdbuf());
    r.status = copydesk::run_eval_command(args);
    std::cout.rdbuf(saved);
    CHECK(table.str().find("calibration") != std::string::npos);
    r.json = r.parser.load(out.string()).value();
  };
  struct Row {
    const char* label;
    const char* damage;
    int64_t input_chars, apostrophe, quote, dash, space, letter, ellipsis, traceless, docs_exact;
  } rows[] = {
      // From: damage.py --mode M; score.py on the damaged input returned unchanged.
      {"strip-nonascii", "strip-nonascii", 221, 6, 4, 3, 2, 2, 1, 1, 1},
      {"strip-apostrophes", "strip-apostrophes", 230, 9, 1, 0, 0, 0, 0, 0, 0},
  };
  for (const auto& row : rows) {
    INFO(std::string(row.label));
    // split-footer proposes no edits: the output is the damaged input.
    EvalRun r;
    run({"--damage", row.damage, "--stages", "split-footer"}, r);
    CHECK(r.status == 0);
    CHECK(num(r.json, {"docs"}) == 3);
    CHECK(num(r.json, {"docs_unchanged_output"}) == 3);
    CHECK(num(r.json, {"input_chars"}) == row.input_chars);
    CHECK(num(r.json, {"docs_exact"}) == row.docs_exact);
    CHECK(num(r.json, {"collateral_chars"}) == 0);
    for (const char* view : {"exact", "folded"}) {
      INFO(std::string(view));
      simdjson::dom::element classes = r.json[view]["classes"].value();
      CHECK(num(classes, {"apostrophe", "gold"}) == row.apostrophe);
      CHECK(num(classes, {"quote", "gold"}) == row.quote);
      CHECK(num(classes, {"dash", "gold"}) == row.dash);
      CHECK(num(classes, {"space", "gold"}) == row.space);
      CHECK(num(classes, {"letter", "gold"}) == row.letter);
      CHECK(num(classes, {"ellipsis", "gold"}) == row.ellipsis);
      CHECK(num(classes, {"traceless", "gold"}) == row.traceless);
      int64_t all = row.apostrophe + row.quote + row.dash + row.space + row.letter + row.ellipsis;
      CHECK(num(r.json[view].value(), {"micro", "gold"}) == all);
      CHECK(num(r.json[view].value(), {"micro", "fn"}) == all);
      CHECK(num(r.json[view].value(), {"micro", "tp"}) == 0);
      CHECK(num(r.json[view].value(), {"micro_excl_space", "gold"}) == all - row.space);
    }
  }

  // With the restore stage: whatever it restores, the counts add up, nothing
  // proposed is missing from the calibration table, and "dont" comes back.
  EvalRun r;
  run({"--damage", "strip-apostrophes"}, r);
  CHECK(r.status == 0);
  for (const char* view : {"exact", "folded"}) {
    simdjson::dom::element m = r.json[view]["micro"].value();
    CHECK(num(m, {"tp"}) + num(m, {"fn"}) == 10);
  }
  CHECK(num(r.json["exact"]["classes"].value(), {"apostrophe", "tp"}) > 0);
  int64_t proposed = 0, applied = 0;
  simdjson::dom::array calibration = r.json["calibration"].get_array().value();
  for (simdjson::dom::element b : calibration) {
    proposed += num(b, {"count"});
    applied += num(b, {"applied"});
  }
  CHECK(proposed >= applied);
  CHECK(applied > 0);

  CHECK(copydesk::run_eval_command({"--damage", "mojibake", fixture("clean.jsonl")}) == 2);
  CHECK(copydesk::run_eval_command({"--stages", "no-such-stage", fixture("clean.jsonl")}) == 2);
  fs::remove(out);
}
