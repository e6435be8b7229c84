#include "pipeline/data_files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pipeline/stage.h"

namespace copydesk {

std::string data_error(const std::string& path, size_t line, size_t col, std::string_view message) {
  return path + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " +
         std::string(message);
}

std::string read_data_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open data file: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<TsvRow> read_tsv(const std::string& path, size_t min_fields) {
  const std::string content = read_data_file(path);
  std::vector<TsvRow> rows;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t eol = content.find('\n', pos);
    if (eol == std::string::npos) eol = content.size();
    std::string_view line(content.data() + pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    TsvRow row;
    row.line = line_no;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      row.fields.emplace_back(
          line.substr(start, tab == std::string_view::npos ? line.npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (row.fields.size() < min_fields) {
      throw ConfigError(data_error(path, line_no, line.size() + 1,
                                   "expected " + std::to_string(min_fields) +
                                       " tab-separated fields, found " +
                                       std::to_string(row.fields.size())));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace copydesk
