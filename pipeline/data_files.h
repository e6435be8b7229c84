// Reading the data files under config/: tab-separated tables where '#' starts
// a comment line and blank lines are skipped. Errors name file:line:column.
//
//   for (const TsvRow& row : read_tsv(ctx.data_path("footer_patterns.tsv"), 3)) {
//     // row.fields[0..2], row.line for messages
//   }
#pragma once

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

// Reads a whole file into a string; ConfigError if it cannot be read.
std::string read_data_file(const std::string& path);

// "file:line:col: message", for ConfigError texts.
std::string data_error(const std::string& path, size_t line, size_t col, std::string_view message);

}  // namespace copydesk
