// Reading the data files under config/: tab-separated tables where '#' starts
// a comment line and blank lines are skipped. Errors name file:line:column.
//
//   for (const TsvRow& row : read_tsv(ctx.data_path("footer_patterns.tsv"), 3)) {
//     // row.fields[0..2], row.line for messages
//   }
//
// Big tables (hundreds of thousands of rows) are read one row at a time,
// the fields as views into the file's bytes (no string per field):
//
//   for_each_tsv_row(path, 3, [&](size_t line, std::span<const std::string_view> f) { ... });
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace copydesk {

struct TsvRow {
  size_t line = 0;  // 1-based line number in the file
  std::vector<std::string> fields;
};

// Reads a whole TSV file. min_fields > 0 makes a row with fewer fields a
// ConfigError ("file:line:col: expected 3 tab-separated fields, found 2").
std::vector<TsvRow> read_tsv(const std::string& path, size_t min_fields = 0);

// The rows read_tsv() gives, in order, without building them: fn(line, fields)
// with line 1-based and fields valid for the call only.
void for_each_tsv_row(const std::string& path, size_t min_fields,
                      const std::function<void(size_t, std::span<const std::string_view>)>& fn);

// x = s when s is a plain decimal ("-0.125", "42") of at most 15 digits: the
// digits as an integer (exact in a double) divided by an exact power of ten,
// so the one rounding is the correctly rounded result strtod and
// std::from_chars give, at a fraction of their cost. False for anything else
// (the caller falls back to them).
bool plain_decimal(std::string_view s, double& x);

// Reads a whole file into a string; ConfigError if it cannot be read.
std::string read_data_file(const std::string& path);

// "file:line:col: message", for ConfigError texts.
std::string data_error(const std::string& path, size_t line, size_t col, std::string_view message);

}  // namespace copydesk
