#include "pipeline/unified_diff.h"

#include <doctest/doctest.h>

using copydesk::unified_diff;

TEST_CASE("unified diff") {
  struct Row {
    const char* label;
    std::string a, b, diff;
  } rows[] = {
      {"equal", "x\n", "x\n", ""},
      {"one changed line with context", "1\n2\n3\n4\n5\n6\n7\n", "1\n2\n3\nfour\n5\n6\n7\n",
       "--- a\n+++ b\n@@ -1,7 +1,7 @@\n 1\n 2\n 3\n-4\n+four\n 5\n 6\n 7\n"},
      {"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n",
       "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\neleven\n",
       "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -8,4 +8,4 @@\n 8\n 9\n "
       "10\n-11\n+eleven\n"},
      {"no final newline", "a", "b",
       "--- a\n+++ b\n@@ -1,1 +1,1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end "
       "of file\n"},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    CHECK(unified_diff(r.a, r.b, "a", "b") == r.diff);
  }
}
