// Tests for AccentRestorer (restore.letter.v1): accented letters deleted by
// the strip-nonascii channel. Two parts: the counter and loader on a tiny
// corpus written here (the mechanism, independent of the shipped counts), and
// labelled tables over the shipped config/restore/accents.tsv (what it
// restores, and must-not-change rows). Sentences are written by hand; none is
// copied from shared/.
#include "stages/restore_accents.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/tokens.h"

using copydesk::AccentRestorer;
using copydesk::TextView;
using copydesk::TokenKind;
using copydesk::restore::Insertion;

namespace {

struct Row {
  const char* label;
  const char* input;
  const char* expected;
};

// Runs the restorer on every ASCII word token of text and applies the
// insertions at or above threshold (as the runner would).
std::string restore_letters(const AccentRestorer& a, const std::string& text,
                            double threshold = 0.9, std::vector<Insertion>* all = nullptr) {
  const copydesk::TokenList toks = copydesk::tokenize(text);
  const std::vector<copydesk::Region> regions;
  const TextView view{"test", text, toks, regions};
  std::vector<Insertion> out;
  for (size_t i = 0; i < toks.size(); ++i)
    if (toks[i].kind == TokenKind::kWord && toks[i].ascii) a.word(view, i, out);
  std::stable_sort(out.begin(), out.end(),
                   [](const Insertion& x, const Insertion& y) { return x.pos < y.pos; });
  std::string res;
  size_t last = 0;
  for (const Insertion& x : out) {
    CHECK(x.rule == std::string(AccentRestorer::kRule));
    CHECK(x.confidence >= 0.5);
    CHECK(x.confidence <= 1.0);
    if (x.confidence < threshold) continue;
    res.append(text, last, x.pos - last);
    res += x.text;
    last = x.pos;
  }
  res.append(text, last, std::string::npos);
  if (all) *all = out;
  return res;
}

void check_rows(const AccentRestorer& a, const Row* rows, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const Row& r = rows[i];
    INFO(std::string(r.label));
    CHECK(restore_letters(a, r.input) == std::string(r.expected));
  }
}

std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("copydesk_accents_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

const AccentRestorer& shipped() {
  static const AccentRestorer a =
      AccentRestorer::load(std::string(COPYDESK_SOURCE_CONFIG_DIR) + "/restore");
  return a;
}

}  // namespace

TEST_CASE("restore accents: the counter learns through the channel, the loader reads it back") {
  auto counter = copydesk::make_accent_counter();
  // A tiny corpus: accented words at the start, inside and at the end of a
  // word, a capital deleted at the start, a name seen capitalised only (for
  // an all-capitals token), and a name ("Le\u00f3n") whose stripped form is
  // more often a plain name ("Len"). Each document weighs 5.
  const char* docs[] = {
      "The caf\u00e9 opened. A caf\u00e9 closed. Her caf\u00e9 was full.",
      "The \u00c9lys\u00e9e spoke. The \u00c9lys\u00e9e agreed.",
      "M\u00e9xico and M\u00e9xico again, then M\u00e9xico.",
      "Fern\u00e1ndez said so. Fern\u00e1ndez left. Fern\u00e1ndez came back. Fern\u00e1ndez won.",
      "Le\u00f3n spoke. Len agreed. Len left, and Len stayed.",
      "He said \u201cpass\u00e9\u201d twice: pass\u00e9. It is pass\u00e9.",
      "Ra\u00fal came. Ra\u00fal went. Ra\u00fal stayed. Ral Corp sells.",
  };
  for (const char* d : docs) counter->add(d, copydesk::restore::strip_channel(d), 5.0);
  const auto dir = temp_dir("counter");
  counter->write(dir.string());
  const AccentRestorer a = AccentRestorer::load(dir.string());

  const Row rows[] = {
      {"final letter", "The caf is open.", "The caf\u00e9 is open."},
      {"initial capital deleted (token looks lowercase)", "The lyse said.",
       "The \u00c9lys\u00e9e said."},
      {"inner letter", "In Mxico today.", "In M\u00e9xico today."},
      {"all capitals pools the cases", "MS. FERNNDEZ: Yes.", "MS. FERN\u00c1NDEZ: Yes."},
      {"capitalised", "Fernndez spoke.", "Fern\u00e1ndez spoke."},
      {"name more often plain stays", "Len said no.", "Len said no."},
      {"quotes around a word are not letters", "It was pass.", "It was pass\u00e9."},
      {"short all-capitals token needs its own evidence", "THE CAF.", "THE CAF."},
      {"plural of capitals is not a capitalised word", "The CAFs met.", "The CAFs met."},
      {"uncertain name alone is left (a suggestion)", "Ral spoke.", "Ral spoke."},
      {"uncertain name next to an accented one", "Ral Fernndez spoke.",
       "Ra\u00fal Fern\u00e1ndez spoke."},
      {"next to a word already accented", "Ral Le\u00f3n spoke.", "Ra\u00fal Le\u00f3n spoke."},
      {"unknown token stays", "The Zorblat came.", "The Zorblat came."},
  };
  check_rows(a, rows, std::size(rows));

  SUBCASE("a part of a glued token") {
    std::vector<Insertion> out;
    const std::string text = "PresidentFernndez";
    CHECK(a.word_part(text, 9, text.size(), out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].pos == 13);
    CHECK(out[0].text == "\u00e1");
  }
  SUBCASE("insertion offsets are byte offsets of the gap in the damaged text") {
    std::vector<Insertion> out;
    restore_letters(a, "The lyse said.", 0.9, &out);
    REQUIRE(out.size() == 2);
    CHECK(out[0].pos == 4);
    CHECK(out[0].text == "\u00c9");
    CHECK(out[1].pos == 7);
    CHECK(out[1].text == "\u00e9");
  }
}

TEST_CASE("restore accents: bad data is a ConfigError naming the line") {
  struct Bad {
    const char* label;
    const char* line;
  };
  const Bad bad[] = {
      {"too few fields", "caf\t1\t0\t0\t0\n"},
      {"uppercase key", "Caf\t1\t0\t0\t0\tcaf\u00e9=3\n"},
      {"bad count", "caf\tx\t0\t0\t0\tcaf\u00e9=3\n"},
      {"negative count", "caf\t1\t-2\t0\t0\tcaf\u00e9=3\n"},
      {"bad wordlike flag", "caf\t1\t0\t0\t2\tcaf\u00e9=3\n"},
      {"form without count", "caf\t1\t0\t0\t0\tcaf\u00e9\n"},
      {"form not the key", "caf\t1\t0\t0\t0\tcaf\u00e9=3 cof\u00e9=2\n"},
      {"form with nothing added", "caf\t1\t0\t0\t0\tcaf=3\n"},
      {"duplicate key", "caf\t1\t0\t0\t0\tcaf\u00e9=3\ncaf\t1\t0\t0\t0\tcaf\u00e9=3\n"},
  };
  for (const Bad& b : bad) {
    INFO(std::string(b.label));
    const auto dir = temp_dir("bad");
    std::ofstream(dir / AccentRestorer::kFile) << "# comment\n" << b.line;
    CHECK_THROWS_AS(AccentRestorer::load(dir.string()), copydesk::ConfigError);
  }
  const auto dir = temp_dir("missing");
  CHECK_THROWS_AS(AccentRestorer::load(dir.string()), copydesk::ConfigError);
}

TEST_CASE("restore accents: shipped table restores common accented words") {
  const Row rows[] = {
      {"loanword, final letter", "The communiqu was signed.", "The communiqu\u00e9 was signed."},
      {"loanword", "Her fianc arrived.", "Her fianc\u00e9 arrived."},
      {"lowercase word", "a small caf near the station", "a small caf\u00e9 near the station"},
      {"surname", "Mr. Prez spoke first.", "Mr. P\u00e9rez spoke first."},
      {"surname, possessive (apostrophe left to the apostrophe rule)", "Mr. Prezs plan",
       "Mr. P\u00e9rezs plan"},
      {"capital city", "They landed in Bogot.", "They landed in Bogot\u00e1."},
      {"title", "the Charg dAffaires", "the Charg\u00e9 dAffaires"},
  };
  check_rows(shipped(), rows, std::size(rows));
}

TEST_CASE("restore accents: shipped table must not change") {
  const Row rows[] = {
      {"ordinary English", "The rose was left on the table, and we will pass it on.",
       "The rose was left on the table, and we will pass it on."},
      {"Len as an English name", "Len said he would call.", "Len said he would call."},
      {"acronyms", "The CAF and NATO met the ANC.", "The CAF and NATO met the ANC."},
      {"sentence-initial plain words", "Are you there? Once more.", "Are you there? Once more."},
      {"digits", "Route 66a and B52s.", "Route 66a and B52s."},
  };
  check_rows(shipped(), rows, std::size(rows));
}
