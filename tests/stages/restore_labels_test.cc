// Tests for the restore label model: which runs of no-break spaces a
// transcript's line-initial labels get back.
#include "stages/restore_labels.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "pipeline/stage.h"
#include "stages/restore_channel.h"
#include "tests/test_support.h"

namespace fs = std::filesystem;
using namespace copydesk;
using namespace copydesk::restore;

namespace {

using copydesk::testing::TempDir;

const std::string kNbsp = "\u00a0";
std::string nbsp(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += kNbsp;
  return s;
}

}  // namespace

TEST_CASE("restore labels: the run with the best expected score, shortened to be sure") {
  TempDir dir;
  auto counter = make_label_counter();
  // "Q" is followed by three no-break spaces 9 times in 10; "END" by 6 or 8
  // (8 would be right for only part of the characters: 6 is chosen, sure).
  for (int k = 0; k < 30; ++k) {
    for (const std::string& doc : {"Q" + nbsp(3) + " Do you agree?\nA plain line.\n",
                                   "END" + nbsp(k % 2 ? 6 : 8) + " 12:56 P.M.\n"}) {
      counter->add(doc, strip_channel(doc), 1.0);
    }
    if (k % 10 == 0) counter->add("Q Why not?\n", strip_channel("Q Why not?\n"), 1.0);
    // Two spaces after the label: "END  12:56" kept the spaces around its
    // run; "Q\u00a0\u00a0\u00a0 \u2014 and" lost a dash between them, which
    // is not this model's business (its no-break spaces still count).
    for (const std::string& doc :
         {"END " + nbsp(4) + " 12:56 P.M.\n", "Q" + nbsp(3) + " \u2014 and so on?\n"})
      counter->add(doc, strip_channel(doc), 1.0);
  }
  counter->write(dir.path.string());
  const LabelModel m = LabelModel::load(dir.path.string());
  struct Row {
    const char* label;
    const char* token;
    char next;
    int before;     // expected no-break spaces after the label; -1: no choice
    int after = 0;  // expected no-break spaces after its space (between two spaces)
  };
  const Row rows[] = {
      {"speaker label", "Q", 'U', 3},
      {"end label before a time", "END", 'D', 6},
      {"end label before two spaces: the run between them", "END", 'S', 0, 4},
      {"speaker label before two spaces (a lost dash)", "Q", 'S', 3},
      {"label never seen before a digit", "Q", 'D', -1},
      {"plain first word", "A", 'l', -1},
  };
  for (const Row& r : rows) {
    INFO(std::string(r.label));
    const LabelModel::Choice* c = m.choose(r.token, r.next);
    if (r.before < 0) {
      CHECK(c == nullptr);
      continue;
    }
    REQUIRE(c != nullptr);
    CHECK(c->before == nbsp(r.before));
    CHECK(c->after == nbsp(r.after));
    CHECK(c->precision >= 0.9);
  }
}

TEST_CASE("restore labels: bad rows are errors naming the line") {
  TempDir dir;
  const std::string path = (dir.path / "labels2.tsv").string();
  for (const char* content : {"Q\tU\tU+00A0\t-\t0.9\n", "Q\tX\tU+00A0\t-\t0.9\t20\n",
                              "Q\tU\tnbsp\t-\t0.9\t20\n", "Q\tU\tU+00A0\t-\thigh\t20\n"}) {
    INFO(std::string(content));
    std::ofstream(path) << content;
    CHECK_THROWS_AS(LabelModel::load(dir.path.string()), ConfigError);
  }
}
