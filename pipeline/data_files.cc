#include "pipeline/data_files.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "pipeline/stage.h"

namespace copydesk {

std::string data_error(const std::string& path, size_t line, size_t col, std::string_view message) {
  return path + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " +
         std::string(message);
}

std::string read_data_file(const std::string& path) {
  // One read into a buffer of the file's size: a string stream grows by
  // copying, which took most of a one-document run's start-up (the context
  // and quote tables are several MB).
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open data file: " + std::strerror(errno));
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(path + ": is a directory, not a data file");
  std::string content;
  if (std::filesystem::is_regular_file(path, ec)) {
    const uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec) content.reserve(static_cast<size_t>(size));
  }
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0)
    content.append(buf, static_cast<size_t>(in.gcount()));
  if (in.bad()) throw ConfigError(path + ": cannot read data file: " + std::strerror(errno));
  return content;
}

void for_each_tsv_row(const std::string& path, size_t min_fields,
                      const std::function<void(size_t, std::span<const std::string_view>)>& fn) {
  const std::string content = read_data_file(path);
  std::vector<std::string_view> fields;
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
    fields.clear();
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string_view::npos ? line.npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (fields.size() < min_fields) {
      throw ConfigError(data_error(path, line_no, line.size() + 1,
                                   "expected " + std::to_string(min_fields) +
                                       " tab-separated fields, found " +
                                       std::to_string(fields.size())));
    }
    fn(line_no, fields);
  }
}

std::vector<TsvRow> read_tsv(const std::string& path, size_t min_fields) {
  std::vector<TsvRow> rows;
  for_each_tsv_row(path, min_fields, [&](size_t line, std::span<const std::string_view> f) {
    rows.push_back({line, std::vector<std::string>(f.begin(), f.end())});
  });
  return rows;
}

bool plain_decimal(std::string_view s, double& x) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = 0;
  const bool neg = !s.empty() && s[0] == '-';
  if (neg) ++i;
  uint64_t m = 0;
  int digits = 0, frac = -1;
  const size_t int_start = i;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      m = m * 10 + static_cast<uint64_t>(c - '0');
      if (++digits > 15) return false;
      if (frac >= 0) ++frac;
    } else if (c == '.' && frac < 0 && i > int_start && i + 1 < s.size()) {
      frac = 0;
    } else {
      return false;
    }
  }
  if (digits == 0) return false;
  double v = static_cast<double>(m);
  if (frac > 0) v /= kPow10[frac];
  x = neg ? -v : v;
  return true;
}

}  // namespace copydesk
