// Tests for the deletion channel (stages/restore_channel.h): what survives,
// where each deleted run is recorded, invisible characters, invalid UTF-8.
#include "stages/restore_channel.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using copydesk::restore::apostrophe_insertions;
using copydesk::restore::strip_channel;
using copydesk::restore::StrippedText;

TEST_CASE("restore channel: stripped text and deleted runs") {
  struct Row {
    const char* label;
    std::string clean;
    std::string text;
    std::vector<std::pair<uint32_t, std::string>> deletions;
  };
  const Row rows[] = {
      {"plain ASCII passes", "plain text, no change.", "plain text, no change.", {}},
      {"empty", "", "", {}},
      {"curly apostrophe", "we\u2019re", "were", {{2, "\u2019"}}},
      {"ASCII apostrophe is deleted too", "don't", "dont", {{3, "'"}}},
      {"accented letter", "caf\u00e9 au lait", "caf au lait", {{3, "\u00e9"}}},
      {"run at the end of the text", "caf\u00e9", "caf", {{3, "\u00e9"}}},
      {"run at the start", "\u201cYes", "Yes", {{0, "\u201c"}}},
      {"adjacent characters form one run",
       "a\u00a0\u2014\u00a0b",
       "ab",
       {{1, "\u00a0\u2014\u00a0"}}},
      {"invisible characters leave no trace", "co\u00adop\u200b er\u2060a\ufeff", "coop era", {}},
      {"invisible inside a run is dropped from it",
       "x\u2014\u200b\u2014y",
       "xy",
       {{1, "\u2014\u2014"}}},
      {"astral character", "a\U0001F600b", "ab", {{1, "\U0001F600"}}},
      {"invalid byte kept in the run",
       std::string("a\xff"
                   "b"),
       "ab",
       {{1, "\xff"}}},
      {"truncated sequence kept byte-wise", std::string("a\xe2\x80"), "a", {{1, "\xe2\x80"}}},
  };
  for (const Row& r : rows) {
    INFO(std::string(r.label));
    StrippedText s = strip_channel(r.clean);
    CHECK(s.text == r.text);
    REQUIRE(s.deletions.size() == r.deletions.size());
    for (size_t k = 0; k < r.deletions.size(); ++k) {
      CHECK(s.deletions[k].at == r.deletions[k].first);
      CHECK(s.deletions[k].run == r.deletions[k].second);
      CHECK(s.deleted_before(r.deletions[k].first) == r.deletions[k].second);
    }
  }
}

TEST_CASE("restore channel: deleted_before is empty where nothing was deleted") {
  StrippedText s = strip_channel("It\u2019s here");
  CHECK(s.deleted_before(0).empty());
  CHECK(s.deleted_before(1).empty());
  CHECK(s.deleted_before(2) == "\u2019");
  CHECK(s.deleted_before(s.text.size()).empty());
  CHECK(s.deleted_before(s.text.size() + 5).empty());
}

TEST_CASE("restore channel: apostrophe_insertions finds where a form puts apostrophes") {
  struct Row {
    const char* label;
    const char* key;
    const char* form;
    bool ok;
    std::vector<size_t> pos;
  };
  const std::vector<Row> rows = {
      {"contraction", "dont", "don\u2019t", true, {3}},
      {"plural possessive at the end", "workers", "workers\u2019", true, {7}},
      {"two apostrophes", "rocknroll", "rock\u2019n\u2019roll", true, {4, 5}},
      {"ASCII apostrophe", "its", "it's", true, {2}},
      {"no apostrophe", "its", "its", false, {}},
      {"another inserted character", "cafe", "caf\u00e9", false, {}},
      {"form shorter than the key", "dont", "don\u2019", false, {3}},
  };
  for (const Row& r : rows) {
    INFO(std::string(r.label));
    std::vector<size_t> pos;
    CHECK(apostrophe_insertions(r.key, r.form, pos) == r.ok);
    if (r.ok) CHECK(pos == r.pos);
  }
}
