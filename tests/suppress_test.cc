#include "pipeline/suppress.h"

#include <doctest/doctest.h>

using copydesk::inline_ignored;

TEST_CASE("inline ignore markers") {
  const std::string text =
      "Kabul and Istanbul <!-- copydesk: ignore[flag-slips.confusable-place] -->\n"
      "the the end. copydesk: ignore\n"
      "plain line with a slip\n"
      "x <!-- copydesk: ignore[restore.apostrophe.v1, flag-slips.doubled-word] -->\n";
  struct Row {
    const char* label;
    size_t offset;
    const char* rule;
    bool ignored;
  } rows[] = {
      {"rule without version matches", 10, "flag-slips.confusable-place.v1", true},
      {"other rule on that line", 10, "flag-slips.doubled-word.v1", false},
      {"bare marker ignores all", 78, "flag-slips.doubled-word.v1", true},
      {"line without marker", 110, "flag-slips.doubled-word.v1", false},
      {"list, exact id", 130, "restore.apostrophe.v1", true},
      {"list, second item", 130, "flag-slips.doubled-word.v2", true},
      {"prefix is not a match", 130, "restore.apostrophe-extra.v1", false},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    CHECK(inline_ignored(text, r.offset, r.rule) == r.ignored);
  }
}
