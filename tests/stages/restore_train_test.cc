// Tests for the restore trainer (stages/restore_train.h): the tables counted
// from a tiny hand-written corpus, row by row (the expected rows are what
// the former python build script, tools/restore/build_restore_data.py,
// wrote for the same text), the TSV round trip, and the binary model read
// back through RestoreModel.
#include "stages/restore_train.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "pipeline/data_files.h"
#include "pipeline/stage.h"
#include "stages/restore_model.h"
#include "tests/test_support.h"

namespace fs = std::filesystem;
using namespace copydesk::restore;

namespace {

using copydesk::testing::TempDir;

// Transcript label with no-break space, contractions, possessive plurals,
// glued dash and no-break space, a sentence space after a dot, a double
// space, a space before a line break, accented letters, its / it's.
const char* kDoc =
    "Q\u00a0 Its time. It\u2019s late, its end.\n"
    "The workers\u2019 union met Joe\u00a0Biden today\u2014then left.\n"
    "Q\u00a0 Don\u2019t go.\u00a0Stay  here \n"
    "Caf\u00e9 owners\u2019 caf\u00e9s. Its its it\u2019s.";

// The data rows of a TSV file ('#' lines dropped), one string.
std::string rows_of(const fs::path& p) {
  std::ifstream in(p);
  std::string line, out;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out += line + "\n";
  return out;
}

RestoreTables tiny_tables() {
  RestoreCounter c;
  const StrippedText st = strip_channel(kDoc);
  for (int i = 0; i < 3; ++i) c.add(kDoc, st, 1.0);
  return c.tables();
}

}  // namespace

TEST_CASE("restore trainer: tables of a tiny corpus") {
  TempDir tmp;
  write_restore_tsv(tiny_tables(), tmp.path.string());
  struct Row {
    const char* file;
    const char* rows;
  };
  const Row rows[] = {
      {"lexicon.tsv",
       "biden\t3.0\t1.00\t\ncaf\t3.0\t1.00\t\ncafs\t0.0\t0.00\tcaf\u00e9s=3.0\n"
       "dont\t0.0\t1.00\tdon\u2019t=3.0\nend\t3.0\t0.00\t\ngo\t3.0\t0.00\t\nhere\t3.0\t0.00\t\n"
       "its\t12\t0.50\tit\u2019s=6.0\njoe\t3.0\t1.00\t\nlate\t3.0\t0.00\t\nleft\t3.0\t0.00\t\n"
       "met\t3.0\t0.00\t\nowners\t0.0\t0.00\towners\u2019=3.0\nq\t6.0\t1.00\t\nstay\t3.0\t1.00\t\n"
       "the\t3.0\t1.00\t\nthen\t3.0\t0.00\t\ntime\t3.0\t0.00\t\ntoday\t3.0\t0.00\t\nunion\t3.0\t0."
       "00\t\n"
       "workers\t0.0\t0.00\tworkers\u2019=3.0\n"},
      {"glue.tsv",
       "joe\tL\t0.0\t3.0\t0.0\ntoday\tL\t3.0\t0.0\t0.0\nbiden\tR\t0.0\t3.0\t0.0\nthen\tR\t3.0\t0."
       "0\t0.0\n"},
      {"pairs.tsv", "joe\tbiden\tnbsp\t3.0\ntoday\tthen\tdash\t3.0\n"},
      {"gaps.tsv",
       "punct.\tl\tC\t0.0\t3.0\t0.0\t0.0\t0.0\t0.0\t0.0\n"
       "space2\tl\tl\t3.0\t0.0\t0.0\t0.0\t0.0\t0.0\t0.0\n"
       "spaceN\tl\tN\t3.0\t0.0\t0.0\t0.0\t0.0\t0.0\t0.0\n"},
      {"labels.tsv", "Q\tU+00A0\t6.0\t6.0\n"},
      {"context.tsv",
       "its\tits\tL\t,\t3.0\nits\tits\tL\t.\t3.0\nits\tits\tL\tits\t3.0\nits\tits\tL\tq\t3.0\n"
       "its\tits\tR\tend\t3.0\nits\tits\tR\tits\t6.0\nits\tits\tR\ttime\t3.0\n"
       "its\tits\tT\t, end\t3.0\nits\tits\tT\t. its\t3.0\nits\tits\tT\tits "
       "its\t3.0\nits\tits\tT\tq time\t3.0\n"
       "its\tit\u2019s\tL\t.\t3.0\nits\tit\u2019s\tL\tits\t3.0\nits\tit\u2019s\tR\t.\t3.0\n"
       "its\tit\u2019s\tR\tlate\t3.0\nits\tit\u2019s\tT\t. late\t3.0\nits\tit\u2019s\tT\tits "
       ".\t3.0\n"},
  };
  for (const Row& r : rows) {
    INFO(std::string(r.file));
    CHECK(rows_of(tmp.path / r.file) == std::string(r.rows));
  }
}

TEST_CASE("restore trainer: pruning and weights") {
  // Weighted counts: a word seen once at weight 0.5 is below the lexicon's
  // minimum of 1 and is dropped; at weight 2 it stays with count 2.0.
  RestoreCounter low, high;
  const char* doc = "rare words here";
  low.add(doc, strip_channel(doc), 0.5);
  high.add(doc, strip_channel(doc), 2.0);
  CHECK(low.tables().lexicon.empty());
  const RestoreTables t = high.tables();
  REQUIRE(t.lexicon.size() == 3);
  CHECK(t.lexicon[0].key == "here");
  CHECK(t.lexicon[0].plain == 2.0);
  // Counts from 10 up are whole numbers (rounded half to even, as printed).
  RestoreCounter many;
  many.add(doc, strip_channel(doc), 12.5);
  CHECK(many.tables().lexicon[0].plain == 12.0);
}

TEST_CASE("restore trainer: TSV round trip and the binary model") {
  TempDir tmp;
  const std::string dir = tmp.path.string();
  const RestoreTables t = tiny_tables();
  write_restore_tsv(t, dir);
  const RestoreTables back = read_restore_tsv(dir);
  CHECK(back.lexicon.size() == t.lexicon.size());
  CHECK(back.context.size() == t.context.size());
  CHECK(back.labels.size() == 1);
  CHECK(back.labels[0].run == "\u00a0");

  write_restore_model(back, dir + "/model.bin");
  const RestoreModel m = RestoreModel::load(dir);
  const LexEntry* dont = m.lookup("dont");
  REQUIRE(dont != nullptr);
  CHECK(dont->plain == 0.0);
  CHECK(dont->cap_share == 1.0);
  REQUIRE(dont->forms.size() == 1);
  CHECK(dont->forms[0].form == "don\u2019t");
  CHECK(dont->forms[0].count == 3.0);
  CHECK(m.lookup("nosuchword") == nullptr);
  CHECK(m.word_count("its") == 12.0);
  // brief(): the lexicon row without its entry, agreeing with lookup().
  const RestoreModel::LexBrief bd = m.brief("dont");
  CHECK(bd.known);
  CHECK(bd.has_forms);
  CHECK(bd.plain == dont->plain);
  CHECK(&m.entry(bd) == dont);
  const RestoreModel::LexBrief bi = m.brief("its");
  CHECK(bi.known);
  CHECK(bi.plain == 12.0);
  CHECK(&m.entry(bi) == m.lookup("its"));
  CHECK_FALSE(m.brief("nosuchword").known);
  CHECK_FALSE(m.brief("nosuchword").has_forms);
  CHECK(m.brief("nosuchword").plain == 0.0);
  CHECK(m.is_ambiguous("its"));
  CHECK_FALSE(m.is_ambiguous("dont"));
  // "its" before "late" was always "it's" in the corpus; before "time", "its".
  const LexEntry* its = m.lookup("its");
  REQUIRE(its != nullptr);
  std::vector<double> p = m.context_posterior("its", *its, ".", "late");
  REQUIRE(p.size() == 2);
  CHECK(p[1] > 0.8);
  p = m.context_posterior("its", *its, "q", "time");
  CHECK(p[0] > 0.8);
  CHECK(m.glue("joe", 'L').nbsp == 3.0);
  CHECK(m.glue("then", 'R').dash == 3.0);
  CHECK(m.glue("nobody", 'L').dash == 0.0);
  CHECK(m.pair("today", "then").dash == 3.0);
  CHECK(m.pair("then", "today").dash == 0.0);
  // The bound glued_known() prunes with: the largest dash + nbsp of a pair.
  CHECK(m.max_pair_count() == 3.0);
  // Glued 3 times, under kCommonPair: the filter rules the pair out.
  CHECK_FALSE(m.may_be_common_pair("today", "then"));
  CHECK(m.glue_prior().dash == 3.0);
  CHECK(m.glue_prior().nbsp == 3.0);
  const GapCounts* g = m.gap("punct.", "l", "C");
  REQUIRE(g != nullptr);
  CHECK((*g)[kNbsp] == 3.0);
  CHECK(m.gap("punct.", "l", "l") == nullptr);
  const RestoreModel::Label* q = m.label("Q");
  REQUIRE(q != nullptr);
  CHECK(q->run == "\u00a0");
  CHECK(q->share == 1.0);
  CHECK(m.label("The") == nullptr);
}

TEST_CASE("restore model: a missing model.bin is a ConfigError naming it") {
  TempDir tmp;
  CHECK_THROWS_AS(RestoreModel::load(tmp.path.string()), copydesk::ConfigError);
  try {
    RestoreModel::load(tmp.path.string());
  } catch (const copydesk::ConfigError& e) {
    CHECK(std::string(e.what()).find("model.bin") != std::string::npos);
  }
}
