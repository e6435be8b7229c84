// Properties that hold for every sample and every test input, over the whole
// default pipeline:
//  - inverting the edit log on the output gives back the input, byte for byte;
//  - running the pipeline on its own output changes nothing;
//  - every finding and region points inside both the original and the output.
#include <doctest/doctest.h>

#include <filesystem>

#include "pipeline/reader.h"
#include "tests/test_support.h"

namespace fs = std::filesystem;
using namespace copydesk;

namespace {

const std::vector<std::string> kAllStages = {"decode",  "repair",       "normalise",
                                             "restore", "split-footer", "flag-slips"};

std::vector<Document> every_test_input() {
  std::vector<std::string> roots = {COPYDESK_SAMPLES_DIR};
  if (fs::exists(std::string(COPYDESK_TEST_DIR) + "/fixtures"))
    roots.push_back(std::string(COPYDESK_TEST_DIR) + "/fixtures");
  std::vector<InputFile> files;
  for (auto& f : expand_inputs(roots)) {
    const std::string& p = f.path;
    if (p.find("/expected/") != std::string::npos) continue;  // outputs, not inputs
    if (p.size() > 3 && p.compare(p.size() - 3, 3, ".md") == 0) continue;
    files.push_back(f);
  }
  DocumentReader reader(files, {});
  std::vector<Document> docs;
  Document d;
  while (reader.next(d)) docs.push_back(d);
  return docs;
}

}  // namespace

TEST_CASE("invariants over every sample and test input") {
  const auto inputs = every_test_input();
  REQUIRE(inputs.size() >= 3);
  const Pipeline& pipeline = testing::cached_pipeline(kAllStages);
  for (const Document& input : inputs) {
    if (input.error) continue;  // reader-level failures have no text to check
    CAPTURE(input.id);
    Document d = input;
    pipeline.run(d);
    if (d.error) continue;
    CHECK(invert_edits(d.text, d.edits) == d.original);
    for (const auto& f : d.findings) {
      CHECK(f.orig.end <= d.original.size());
      CHECK(f.out.end <= d.text.size());
    }
    for (const auto& r : d.regions) {
      CHECK(r.orig.end <= d.original.size());
      CHECK(r.out.end <= d.text.size());
    }
    Document again;
    again.id = d.id;
    again.original = d.text;
    pipeline.run(again);
    CHECK(again.edits.size() == 0);
    CHECK(again.text == d.text);
  }
}
