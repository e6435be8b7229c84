// Tests for reading data files (pipeline/data_files.h): read_data_file()
// returns the file's bytes or a ConfigError naming the path, for_each_tsv_row()
// gives the rows read_tsv() gives (comments, blank lines, CR, short rows), and
// plain_decimal() parses exactly what strtod parses, or declines.
#include "pipeline/data_files.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/stage.h"

namespace fs = std::filesystem;

namespace {

fs::path write_temp(const std::string& name, const std::string& bytes) {
  const fs::path p =
      fs::temp_directory_path() / ("copydesk-data-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return p;
}

}  // namespace

TEST_CASE("data files: for_each_tsv_row gives read_tsv's rows") {
  const fs::path p = write_temp("rows.tsv", "# comment\na\tb\tc\n\nd\t\te\r\nf\tg\th\ti");
  std::vector<copydesk::TsvRow> seen;
  copydesk::for_each_tsv_row(p.string(), 3, [&](size_t line, std::span<const std::string_view> f) {
    seen.push_back({line, std::vector<std::string>(f.begin(), f.end())});
  });
  const std::vector<copydesk::TsvRow> rows = copydesk::read_tsv(p.string(), 3);
  REQUIRE(seen.size() == 3);
  REQUIRE(rows.size() == 3);
  for (size_t k = 0; k < rows.size(); ++k) {
    INFO(k);
    CHECK(seen[k].line == rows[k].line);
    CHECK(seen[k].fields == rows[k].fields);
  }
  CHECK(rows[0].line == 2);
  CHECK(rows[1].fields == std::vector<std::string>{"d", "", "e"});  // CR dropped, empty kept
  CHECK(rows[2].fields.size() == 4);
  fs::remove(p);
}

TEST_CASE("data files: a short row is an error naming file:line:col") {
  const fs::path p = write_temp("short.tsv", "a\tb\tc\nd\te\n");
  try {
    copydesk::for_each_tsv_row(p.string(), 3, [](size_t, std::span<const std::string_view>) {});
    FAIL("no error");
  } catch (const copydesk::ConfigError& e) {
    CHECK(std::string(e.what()).find("short.tsv:2:4: expected 3 tab-separated fields, found 2") !=
          std::string::npos);
  }
  fs::remove(p);
}

TEST_CASE("data files: read_data_file returns the bytes, and names what it cannot read") {
  // Larger than one read buffer, with NUL and CR bytes kept as they are.
  std::string bytes;
  for (int i = 0; i < 70000; ++i) bytes += static_cast<char>(i % 251);
  const fs::path p = write_temp("bytes.bin", bytes);
  CHECK(copydesk::read_data_file(p.string()) == bytes);
  const fs::path empty = write_temp("empty.tsv", "");
  CHECK(copydesk::read_data_file(empty.string()).empty());
  struct Row {
    std::string path;
    std::string message;
  };
  const fs::path dir =
      fs::temp_directory_path() / ("copydesk-data-dir-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::vector<Row> rows = {
      {dir.string(), "is a directory, not a data file"},
      {(dir / "missing.tsv").string(), "cannot open data file"},
  };
  for (const Row& r : rows) {
    INFO(r.path);
    try {
      (void)copydesk::read_data_file(r.path);
      FAIL("no error");
    } catch (const copydesk::ConfigError& e) {
      const std::string what = e.what();
      CHECK(what.find(r.path) != std::string::npos);
      CHECK(what.find(r.message) != std::string::npos);
    }
  }
  fs::remove(p);
  fs::remove(empty);
  fs::remove(dir);
}

TEST_CASE("data files: plain_decimal agrees with strtod bit for bit, or declines") {
  struct Row {
    const char* label;
    const char* text;
    bool plain;
  };
  const Row rows[] = {
      {"integer", "42", true},
      {"fraction", "0.125", true},
      {"negative", "-0.0472", true},
      {"negative zero", "-0", true},
      {"rounding", "0.1", true},
      {"15 digits", "123456789.012345", true},
      {"16 digits: declined", "1234567890.123456", false},
      {"exponent: declined", "1e5", false},
      {"plus sign: declined", "+1", false},
      {"leading dot: declined", ".5", false},
      {"trailing dot: declined", "5.", false},
      {"two dots: declined", "1.2.3", false},
      {"empty: declined", "", false},
      {"minus alone: declined", "-", false},
      {"word: declined", "nan", false},
  };
  for (const Row& r : rows) {
    INFO(std::string(r.label));
    double x = 0;
    CHECK(copydesk::plain_decimal(r.text, x) == r.plain);
    if (!r.plain) continue;
    const double y = std::strtod(r.text, nullptr);
    CHECK(std::memcmp(&x, &y, sizeof x) == 0);
  }
  // Every short decimal with up to 6 fraction digits.
  for (int i = -2000; i <= 2000; i += 7)
    for (int frac = 0; frac <= 6; ++frac) {
      std::string s = std::to_string(i * 977);
      if (frac > 0 && s.size() > static_cast<size_t>(frac) + (i < 0 ? 1 : 0))
        s.insert(s.size() - frac, ".");
      double x = 0;
      if (!copydesk::plain_decimal(s, x)) continue;
      const double y = std::strtod(s.c_str(), nullptr);
      INFO(s);
      CHECK(std::memcmp(&x, &y, sizeof x) == 0);
    }
}
