// Reader recovery and accounting (the fault suite's cases at unit level):
// invalid UTF-8 inside JSON strings keeps the record, input bytes add up.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pipeline/reader.h"

namespace fs = std::filesystem;
using namespace copydesk;

namespace {
fs::path write_temp(const std::string& name, const std::string& bytes) {
  fs::path p =
      fs::temp_directory_path() / ("copydesk-recovery-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}
}  // namespace

TEST_CASE("reader: invalid UTF-8 in JSON strings keeps the record") {
  struct Row {
    const char* label;
    std::string line;
    std::string want_text;  // raw bytes, for the decode stage
    std::string want_id;
    std::string want_passthrough;
  } rows[] = {
      {"Latin-1 byte in the text", "{\"id\":\"a\",\"text\":\"caf\xe9\"}", "caf\xe9", "a", ""},
      {"cut sequence", "{\"id\":\"b\",\"text\":\"x \xe2\x80 y\"}", "x \xe2\x80 y", "b", ""},
      {"bad bytes in id and other fields become U+FFFD",
       "{\"id\":\"c\xff\",\"text\":\"t\",\"k\xfe\":\"v\xfd\"}", "t", "c\xef\xbf\xbd",
       "\"k\xef\xbf\xbd\":\"v\xef\xbf\xbd\""},
      {"valid record untouched", "{\"id\":\"d\",\"text\":\"caf\xc3\xa9\"}", "caf\xc3\xa9", "d", ""},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    fs::path p = write_temp("utf8.jsonl", r.line + "\n");
    DocumentReader reader(expand_inputs({p.string()}), {});
    Document d;
    REQUIRE(reader.next(d));
    CHECK_FALSE(d.error.has_value());
    CHECK(d.original == r.want_text);
    CHECK(d.id == r.want_id);
    CHECK(d.passthrough_json == r.want_passthrough);
    CHECK_FALSE(reader.next(d));
    fs::remove(p);
  }
}

TEST_CASE("reader: input bytes read add up to the files' sizes") {
  fs::path a = write_temp("a.txt", std::string(3000, 'a'));
  fs::path b =
      write_temp("b.jsonl", "{\"id\":\"1\",\"text\":\"x\"}\n{\"id\":\"2\",\"text\":\"y\"}\n");
  auto files = expand_inputs({a.string(), b.string()});
  auto total = total_input_bytes(files);
  REQUIRE(total.has_value());
  CHECK(*total == 3000 + fs::file_size(b));
  DocumentReader reader(files, {});
  Document d;
  size_t n = 0;
  while (reader.next(d)) ++n;
  CHECK(n == 3);
  CHECK(reader.input_bytes_read() == *total);
  CHECK_FALSE(total_input_bytes(expand_inputs({"-"})).has_value());
  fs::remove(a);
  fs::remove(b);
}
