#include "pipeline/json_writer.h"

#include <doctest/doctest.h>

using copydesk::append_json_string;

TEST_CASE("JSON string escaping") {
  struct Row {
    const char* label;
    std::string in;
    const char* out;
  } rows[] = {
      {"plain", "hello", R"("hello")"},
      {"quote and backslash", "a\"b\\c", R"("a\"b\\c")"},
      {"newline, tab, CR", "a\nb\tc\r", R"("a\nb\tc\r")"},
      {"other control",
       std::string("a\x01"
                   "b",
                   3),
       R"("a\u0001b")"},
      {"NUL", std::string("a\0b", 3), R"("a\u0000b")"},
      {"UTF-8 kept", "caf\u00e9 \u2019", "\"caf\u00e9 \u2019\""},
      {"invalid byte becomes U+FFFD",
       "a\xff"
       "b",
       "\"a\uFFFDb\""},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    std::string out;
    append_json_string(out, r.in);
    CHECK(out == r.out);
  }
}

TEST_CASE("JsonWriter nests objects and arrays with commas") {
  copydesk::JsonWriter w;
  w.begin_object()
      .key("a")
      .integer(1)
      .key("b")
      .begin_array()
      .number(0.5)
      .number(1)
      .null()
      .end_array();
  w.key("c").begin_object().end_object().raw_members(R"("d":true)").end_object();
  CHECK(w.str() == R"({"a":1,"b":[0.5,1,null],"c":{},"d":true})");
}
