// Tests for QuoteRestorer (restore.quote.v1): quotation marks deleted by the
// strip-nonascii channel. Three parts: the loader's errors, the counter and
// loader on a tiny corpus written here (the mechanism), and labelled tables
// over the shipped config/restore/quotes.tsv (what it restores, and
// must-not-change rows). Sentences are written by hand; none is copied from
// shared/.
#include "stages/restore_quotes.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/tokens.h"

using copydesk::TextView;
using copydesk::restore::Insertion;
using copydesk::restore::QuoteRestorer;

namespace {

struct Row {
  const char* label;
  const char* input;
  const char* expected;
};

// Runs the restorer and applies the insertions at or above threshold (as the
// runner would). protect_all: every token is protected (a URL).
std::string restore_quotes(const QuoteRestorer& q, const std::string& text, double threshold = 0.9,
                           bool protect_all = false) {
  const copydesk::TokenList toks = copydesk::tokenize(text);
  const std::vector<copydesk::Region> regions;
  const TextView view{"test", text, toks, regions};
  std::vector<bool> prot(toks.size(), protect_all);
  std::vector<Insertion> out;
  q.run(view, prot, out);
  std::string res;
  size_t last = 0;
  for (const Insertion& x : out) {
    CHECK(x.rule == "restore.quote.v1");
    CHECK(x.confidence >= 0.5);
    CHECK(x.confidence <= 1.0);
    CHECK(x.pos >= last);
    if (x.confidence < threshold) continue;
    res.append(text, last, x.pos - last);
    res += x.text;
    last = x.pos;
  }
  res.append(text, last, std::string::npos);
  return res;
}

void check_rows(const QuoteRestorer& q, const Row* rows, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const Row& r = rows[i];
    INFO(std::string(r.label));
    CHECK(restore_quotes(q, r.input) == std::string(r.expected));
  }
}

std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("copydesk_quotes_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

const QuoteRestorer& shipped() {
  static const QuoteRestorer q =
      QuoteRestorer::load(std::string(COPYDESK_SOURCE_CONFIG_DIR) + "/restore");
  return q;
}

}  // namespace

TEST_CASE("restore quotes: bad data files are ConfigErrors naming file:line") {
  struct Bad {
    const char* label;
    const char* text;
    const char* where;  // expected in the message
  };
  const Bad rows[] = {
      {"not a number", "@end_inside\t0.1\n@calibration\t0\t0\nT0:\tx\t1\n", "quotes.tsv:3:5"},
      {"unknown row", "@end_inside\t0.1\n@calibration\t0\t0\nbogus\t1\t1\n", "quotes.tsv:3:1"},
      {"calibration not rising",
       "@end_inside\t0.1\n@calibration\t0.5\t0.5\n@calibration\t0.4\t0.6\nT0:\t1\t1\n",
       "quotes.tsv:3:1"},
      {"no feature rows", "@end_inside\t0.1\n@calibration\t0\t0\n", "quotes.tsv:1:1"},
      {"too few fields", "@end_inside\n", "quotes.tsv:1"},
      {"unknown stack kind",
       "@end_inside\t0.1\n@calibration\t0\t0\n@stack\tnope\tbias\t1\nT0:\t1\t1\n",
       "quotes.tsv:3:8"},
      {"unknown stack feature",
       "@end_inside\t0.1\n@calibration\t0\t0\n@stack\topen_start\tnope\t1\nT0:\t1\t1\n",
       "quotes.tsv:3:19"},
      {"bad feature key", "@end_inside\t0.1\n@calibration\t0\t0\nTx:a\t1\t1\n", "quotes.tsv:3:1"},
      {"unknown calibration kind", "@end_inside\t0.1\n@calibration\tnope\t0\t0\nT0:\t1\t1\n",
       "quotes.tsv:2:14"},
      {"a kind without calibration",
       "@end_inside\t0.1\n@calibration\topen_start\t0\t0\nT0:\t1\t1\n", "quotes.tsv:1:1"},
      {"calibration of a kind not rising",
       "@end_inside\t0.1\n@calibration\t0\t0\n@calibration\tclose_end\t0.5\t0.5\n"
       "@calibration\tclose_end\t0.4\t0.6\nT0:\t1\t1\n",
       "quotes.tsv:4:1"},
  };
  for (const Bad& b : rows) {
    INFO(std::string(b.label));
    const auto dir = temp_dir("bad");
    write_file(dir / "quotes.tsv", b.text);
    try {
      QuoteRestorer::load(dir.string());
      FAIL("no ConfigError");
    } catch (const copydesk::ConfigError& e) {
      CHECK(std::string(e.what()).find(b.where) != std::string::npos);
    }
  }
  CHECK_THROWS_AS(QuoteRestorer::load(temp_dir("missing").string()), copydesk::ConfigError);
}

// "@calibration p c" rows hold for every kind, "@calibration kind p c" rows
// for one kind only.
TEST_CASE("restore quotes: calibration tables per kind") {
  const auto dir = temp_dir("calibration");
  write_file(
      dir / "quotes.tsv",
      "@end_inside\t0.1\n@calibration\t0\t0.2\n@calibration\tclose_end\t0.5\t0.95\nT0:\t1\t1\n");
  const QuoteRestorer q = QuoteRestorer::load(dir.string());
  struct Cal {
    const char* label;
    double p;
    int kind;
    double confidence;
  };
  const Cal rows[] = {
      {"shared row, opening at line start", 0.6, 0, 0.2},
      {"shared row, closing inside", 0.6, 2, 0.2},
      {"own row of close_end", 0.6, 3, 0.95},
      {"close_end below its own row", 0.4, 3, 0.2},
  };
  for (const Cal& r : rows) {
    INFO(std::string(r.label));
    CHECK(q.calibrate(r.p, r.kind) == doctest::Approx(r.confidence));
  }
}

TEST_CASE("restore quotes: the counter learns through the channel, the loader reads it back") {
  auto counter = copydesk::restore::make_quote_counter();
  // A tiny corpus of dialogue and plain narration, repeated so that the
  // weights grow: quotations open after "said," and close before "he said".
  const char* lines[] = {
      "He said, \u201cWe will go home.\u201d The rain fell.",
      "\u201cWe will stay,\u201d he said. The wind rose.",
      "She said, \u201cNo one came.\u201d The door shut.",
      "\u201cIt is late,\u201d he said. The lamp went out.",
      "The road ran north. The river ran south.",
      "The rain fell on the roofs of the town.",
  };
  // Ten documents with different first lines (the counter holds some out
  // for calibration, chosen by a hash of the opening bytes).
  for (int d = 0; d < 10; ++d) {
    std::string doc = "Chapter " + std::to_string(d + 1) + "\n";
    for (int rep = 0; rep < 20; ++rep)
      for (const char* l : lines) doc += std::string(l) + "\n";
    counter->add(doc, copydesk::restore::strip_channel(doc), 1.0);
  }
  const auto dir = temp_dir("counter");
  counter->write(dir.string());
  const QuoteRestorer q = QuoteRestorer::load(dir.string());
  const Row rows[] = {
      {"open after said, close at sentence end", "She said, We will go home. The rain fell.",
       "She said, \u201cWe will go home.\u201d The rain fell."},
      {"plain narration stays", "The road ran north. The rain fell.",
       "The road ran north. The rain fell."},
      // A new line: its opening is learned at the line start before a
      // closing cue (", he said"), not from its words.
      {"a line-start opening carried by its closing", "We are done, he said. The rain fell.",
       "\u201cWe are done,\u201d he said. The rain fell."},
  };
  check_rows(q, rows, std::size(rows));
}

TEST_CASE("restore quotes: shipped model restores quotations") {
  const Row rows[] = {
      {"dialogue line with attribution", "Come here at once, said the captain.",
       "\u201cCome here at once,\u201d said the captain."},
      {"question with attribution", "Where are you going? she asked.",
       "\u201cWhere are you going?\u201d she asked."},
  };
  check_rows(shipped(), rows, std::size(rows));
}

// The document-level model: the same paragraph shapes are dialogue in a
// story and plain speech in a transcript; the document's own cues decide.
TEST_CASE("restore quotes: the document decides about line-start quotations") {
  const Row rows[] = {
      {"dialogue paragraphs in a story",
       "Where have you been? asked the old woman.\n"
       "I went down to the river, said the boy. The water was high.\n"
       "You should not go there alone, she said. It is not safe.\n"
       "He nodded and sat down by the fire.\n"
       "Will you promise me? she asked.\n"
       "I promise, he said.",
       "\u201cWhere have you been?\u201d asked the old woman.\n"
       "\u201cI went down to the river,\u201d said the boy. The water was high.\n"
       "\u201cYou should not go there alone,\u201d she said. \u201cIt is not safe.\u201d\n"
       "He nodded and sat down by the fire.\n"
       "\u201cWill you promise me?\u201d she asked.\n"
       "\u201cI promise,\u201d he said."},
      {"a quotation with attribution in a news release",
       "The agency announced new funding for rural hospitals on Monday.\n"
       "This investment will keep care close to home, said the director.\n"
       "The funding will support 120 hospitals in 30 states.",
       "The agency announced new funding for rural hospitals on Monday.\n"
       "\u201cThis investment will keep care close to home,\u201d said the director.\n"
       "The funding will support 120 hospitals in 30 states."},
      {"speech paragraphs in a transcript stay",
       "Thank you all very much. Please, sit down.\n"
       "Well, it is good to be back here in this state. We have a lot of work to do.\n"
       "Now, let me talk about the economy. Jobs are up and prices are coming down.\n"
       "So, here is what we did. We cut costs for families across the country.\n"
       "Look, I know times are hard. But we are making progress.\n"
       "And folks, we are not done yet.",
       "Thank you all very much. Please, sit down.\n"
       "Well, it is good to be back here in this state. We have a lot of work to do.\n"
       "Now, let me talk about the economy. Jobs are up and prices are coming down.\n"
       "So, here is what we did. We cut costs for families across the country.\n"
       "Look, I know times are hard. But we are making progress.\n"
       "And folks, we are not done yet."},
  };
  check_rows(shipped(), rows, std::size(rows));
}

// A quotation after a name and titles ("Jane Roe, Director, ...: We ...")
// in a news release: the opening is sure, its closing at the line end less
// so (the chain spreads it over the sentence ends). Paired, both are as sure
// as the closing: at no threshold is one applied without the other (an
// unbalanced line). With the shipped table neither reaches 0.5.
TEST_CASE("restore quotes: statement after a name and titles, applied as a pair or not at all") {
  const std::string text =
      "The agency announced new grants for rural water systems on Monday.\n"
      "Jane Roe, Executive Director, Clean Water Council: We welcome this investment in clean "
      "water for rural "
      "towns.\n"
      "The grants will fund 40 projects in 12 states.";
  const std::string paired =
      "The agency announced new grants for rural water systems on Monday.\n"
      "Jane Roe, Executive Director, Clean Water Council: \u201cWe welcome this investment in "
      "clean water for rural "
      "towns.\u201d\n"
      "The grants will fund 40 projects in 12 states.";
  CHECK(restore_quotes(shipped(), text) == text);
  for (double threshold : {0.9, 0.7, 0.5}) {
    INFO("threshold " << threshold);
    const std::string got = restore_quotes(shipped(), text, threshold);
    CHECK((got == text || got == paired));
  }
}

// Known failure: the opening quote is sure (about 0.93) but the close is
// split between "stop._" and the line end (0.77), so the pair stays a
// suggestion and nothing is applied.
TEST_CASE("restore quotes: known failure, short statement after said," * doctest::may_fail()) {
  CHECK(restore_quotes(shipped(), "He said, We will not stop. The end.") ==
        "He said, \u201cWe will not stop.\u201d The end.");
}

// Tables over the document-level passes on decisions (pair_up(),
// require_inline_evidence()): decisions in, confidences out.
namespace {
QuoteRestorer::Decision decision(size_t pos, uint32_t line, uint8_t kind, double confidence) {
  return QuoteRestorer::Decision{pos, line, kind, false, 0, 0, 0, confidence};
}
struct ConfidenceRow {
  const char* label;
  std::vector<QuoteRestorer::Decision> in;
  std::vector<double> want;
};
template <size_t N, class Pass>
void check_confidences(const ConfidenceRow (&rows)[N], Pass pass) {
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    std::vector<QuoteRestorer::Decision> ds = r.in;
    pass(ds);
    REQUIRE(ds.size() == r.want.size());
    for (size_t i = 0; i < ds.size(); ++i) CHECK(ds[i].confidence == doctest::Approx(r.want[i]));
  }
}
}  // namespace

// pair_up(): an opening and the next closing of its line share the lower
// confidence; a quote without a likely partner takes the confidence of its
// likeliest weak one (0.2 to 0.5) in its line, or without one is scaled by
// 0.5, unless it opens a line whose next line opens too (a quotation running
// on).
TEST_CASE("restore quotes: pairing openings with closings") {
  const auto d = decision;
  const ConfidenceRow rows[] = {
      {"a pair: both as sure as the less sure", {d(0, 0, 0, 0.95), d(20, 0, 3, 0.8)}, {0.8, 0.8}},
      {"an opening alone", {d(5, 0, 1, 0.95)}, {0.95 * 0.5}},
      {"a closing alone", {d(5, 0, 2, 0.9)}, {0.9 * 0.5}},
      {"pairs do not cross lines", {d(0, 0, 0, 0.95), d(30, 1, 3, 0.9)}, {0.95 * 0.5, 0.9 * 0.5}},
      {"two openings: the first is alone",
       {d(0, 0, 0, 0.9), d(10, 0, 1, 0.95), d(20, 0, 2, 0.85)},
       {0.9 * 0.5, 0.85, 0.85}},
      {"running on: an unclosed line-start opening before another",
       {d(0, 0, 0, 0.9), d(40, 1, 0, 0.9), d(60, 1, 3, 0.9)},
       {0.9, 0.9, 0.9}},
      {"a weak partner (0.2 to 0.5): paired at its confidence",
       {d(0, 0, 0, 0.4), d(20, 0, 3, 0.9)},
       {0.4, 0.4}},
      {"the likeliest weak partner",
       {d(0, 0, 0, 0.95), d(10, 0, 2, 0.3), d(20, 0, 3, 0.45)},
       {0.45, 0.3, 0.45}},
      {"a likely partner before a weak one",
       {d(0, 0, 0, 0.95), d(10, 0, 2, 0.45), d(20, 0, 3, 0.9)},
       {0.9, 0.45, 0.9}},
      {"below 0.2: no partner", {d(0, 0, 0, 0.1), d(20, 0, 3, 0.9)}, {0.1, 0.9 * 0.5}},
      {"weak partners do not cross lines", {d(0, 0, 0, 0.3), d(20, 1, 3, 0.9)}, {0.3, 0.9 * 0.5}},
  };
  check_confidences(rows, QuoteRestorer::pair_up);
}

// require_inline_evidence(): quotes at line edges need a likely quote inside
// some line of the document.
TEST_CASE("restore quotes: line-edge quotes need a quote inside a line") {
  const auto d = decision;
  const ConfidenceRow rows[] = {
      {"edges only: halved", {d(0, 0, 0, 0.9), d(20, 0, 3, 0.9)}, {0.45, 0.45}},
      {"an opening inside a line elsewhere",
       {d(0, 0, 0, 0.9), d(20, 0, 3, 0.9), d(40, 1, 1, 0.6)},
       {0.9, 0.9, 0.6}},
      {"a closing inside a line", {d(0, 0, 0, 0.9), d(10, 0, 2, 0.9)}, {0.9, 0.9}},
      {"an unlikely inside quote is no evidence",
       {d(0, 0, 0, 0.9), d(10, 0, 2, 0.4), d(20, 0, 3, 0.9)},
       {0.45, 0.4, 0.45}},
  };
  check_confidences(rows, QuoteRestorer::require_inline_evidence);
}

// Short paragraphs with contractions read like lines of dialogue, but a
// document that quotes nobody inside a line gets no quotes, even at 0.5
// (the lowest confidence a quote is proposed at; the shipped threshold is
// 0.6).
TEST_CASE("restore quotes: short paragraphs are no dialogue by themselves") {
  const std::string text = "They dont know.\nWe cant go there now.\nThe committee met on Tuesday.";
  CHECK(restore_quotes(shipped(), text, 0.5) == text);
}

TEST_CASE("restore quotes: must not change") {
  const Row rows[] = {
      {"plain statement prose",
       "The committee met on Tuesday. It approved the budget for next year.",
       "The committee met on Tuesday. It approved the budget for next year."},
      {"apostrophes are not quotes", "The workers\u2019 union said it\u2019s ready.",
       "The workers\u2019 union said it\u2019s ready."},
      {"stripped apostrophes are not quotes", "The workers union said its ready.",
       "The workers union said its ready."},
      {"line that already has quotes", "He said, \u201cWe will not stop.\u201d The end.",
       "He said, \u201cWe will not stop.\u201d The end."},
      {"ASCII quotes", "He said, \"We will not stop.\" The end.",
       "He said, \"We will not stop.\" The end."},
      {"empty text", "", ""},
      {"list item", "- Expands access to child care for families.",
       "- Expands access to child care for families."},
      {"scare quotes between words are not candidates",
       "The so called deal was a plan to cut costs.",
       "The so called deal was a plan to cut costs."},
  };
  check_rows(shipped(), rows, std::size(rows));
}

TEST_CASE("restore quotes: protected tokens (URLs) get no insertion") {
  const std::string text = "He said, We will not stop. The end.";
  CHECK(restore_quotes(shipped(), text, 0.5, true) == text);
}
