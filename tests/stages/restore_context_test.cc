// Tests for the restore context model: trained on a tiny corpus here, then
// asked to decide damaged words by their neighbours.
#include "stages/restore_context.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
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

// Counts the corpus (every document `copies` times) and loads the model.
ContextModel train(const std::vector<std::string>& corpus, int copies, const TempDir& dir) {
  auto counter = make_context_counter();
  for (int pass = 0; pass < counter->passes(); ++pass) {
    counter->begin_pass(pass);
    for (int c = 0; c < copies; ++c)
      for (const auto& doc : corpus) counter->add(doc, strip_channel(doc), 1.0);
  }
  counter->write(dir.path.string());
  return ContextModel::load(dir.path.string());
}

}  // namespace

TEST_CASE("restore context: neighbours as the channel shows them") {
  struct Row {
    const char* label;
    const char* text;
    size_t token;  // index of the word token
    const char* prev2;
    const char* prev;
    const char* next;
    const char* next2;
  };
  const Row rows[] = {
      {"plain words", "and so were going home", 4, "and", "so", "going", "home"},
      {"line edges", "were going", 0, "<s>", "<s>", "going", "</s>"},
      {"punctuation", "Well, were late.", 3, "well", ",", "late", "."},
      {"pieces around a deleted apostrophe joined", "the country\u2019s were", 6, "the", "countrys",
       "</s>", "</s>"},
  };
  for (const Row& r : rows) {
    INFO(std::string(r.label));
    const TokenList toks = tokenize(r.text);
    REQUIRE(toks[r.token].kind == TokenKind::kWord);
    CHECK(context_neighbour(r.text, toks, r.token, -2) == r.prev2);
    CHECK(context_neighbour(r.text, toks, r.token, -1) == r.prev);
    CHECK(context_neighbour(r.text, toks, r.token, +1) == r.next);
    CHECK(context_neighbour(r.text, toks, r.token, +2) == r.next2);
  }
}

TEST_CASE("restore context: decides by the neighbours it was trained on") {
  TempDir dir;
  const std::vector<std::string> corpus = {
      "We\u2019re going to win this.\nThey were going to win too.\n",
      "I know we\u2019re ready. The teams were ready.\n",
      "We\u2019ll see you there.\nShe did well in school.\n",
      "I know we\u2019ll win. He played well today.\n",
      "And we\u2019ll see. The shell was empty. She\u2019ll go home.\n",
  };
  const ContextModel m = train(corpus, 30, dir);
  struct Row {
    const char* label;
    const char* damaged;
    size_t token;
    const char* key;
    size_t reading;  // expected most probable reading (0 = as written)
  };
  const Row rows[] = {
      {"we're at line start", "Were going to win this.", 0, "were", 1},
      {"were after a plural subject", "The teams were ready.", 4, "were", 0},
      {"we'll at line start", "Well see you there.", 0, "well", 1},
      {"well after a verb", "She did well in school.", 4, "well", 0},
      // "shell" never stood before "see": the weights "\u2019ll" shares
      // with "we\u2019ll" decide.
      {"a reading kind carries over to a rarer word", "And shell see.", 2, "shell", 1},
      {"the rarer word's own context", "The shell was empty.", 2, "shell", 0},
  };
  for (const Row& r : rows) {
    INFO(std::string(r.label));
    const TokenList toks = tokenize(r.damaged);
    std::vector<double> post;
    const AmbiguousWord* w = m.decide(
        r.key, context_features(r.damaged, toks, r.token, m.register_class(r.damaged, toks)), post);
    REQUIRE(w != nullptr);
    const size_t best = std::max_element(post.begin(), post.end()) - post.begin();
    CHECK(best == r.reading);
    double sum = 0;
    for (double p : post) sum += p;
    CHECK(sum == doctest::Approx(1.0));
  }
  std::vector<double> post;
  CHECK(m.decide("going", context_features("going", tokenize("going"), 0, 0), post) == nullptr);
}

TEST_CASE("restore context: bad table rows are errors naming the line") {
  TempDir dir;
  const std::string path = (dir.path / "context2.tsv").string();
  struct Row {
    const char* label;
    const char* content;
  };
  const Row rows[] = {
      {"no temperature", "K\twere\twere\t3\nK\twere\twe\u2019re\t2\n"},
      {"unknown row kind", "T\t1\nX\tfoo\n"},
      {"weight for an unknown word", "T\t1\nF\twere\t1\tprev\tthey\t0.5\n"},
      {"weight for the plain reading (the reference)",
       "T\t1\nK\twere\twere\t3\nK\twere\twe\u2019re\t2\nB\twere\t0\t0.5\n"},
      {"unknown view",
       "T\t1\nK\twere\twere\t3\nK\twere\twe\u2019re\t2\nF\twere\t1\tsideways\tthey\t2\n"},
      {"not a number", "T\tx\n"},
      {"number with trailing junk", "T\t1\nS\tre\tprev\tand\t0.5x\n"},
  };
  for (const Row& r : rows) {
    INFO(std::string(r.label));
    std::ofstream(path) << r.content;
    CHECK_THROWS_AS(ContextModel::load(dir.path.string()), ConfigError);
  }
}
