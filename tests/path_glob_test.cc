#include "pipeline/path_glob.h"

#include <doctest/doctest.h>

#include <string>

using copydesk::glob_match;

TEST_CASE("path globs") {
  struct Row {
    const char* label;
    const char* pattern;
    const char* path;
    bool match;
  } rows[] = {
      {"double star crosses folders", "news/**", "news/2024/a.txt", true},
      {"double star, direct child", "news/**", "news/a.txt", true},
      {"other folder", "news/**", "blog/a.txt", false},
      {"star stays in a segment", "news/*.txt", "news/2024/a.txt", false},
      {"star in a segment", "news/*.txt", "news/a.txt", true},
      {"double star slash, zero folders", "**/draft.md", "draft.md", true},
      {"question mark", "a?.md", "ab.md", true},
      {"question mark never a slash", "a?b", "a/b", false},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    CHECK(glob_match(r.pattern, r.path) == r.match);
  }
  CHECK(copydesk::path_section_matches("*.md", "/tmp", "/tmp/x/y/post.md"));
  CHECK_FALSE(copydesk::path_section_matches("*.md", "/tmp", "/tmp/x/y/post.txt"));
}
