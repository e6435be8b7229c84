#include "pipeline/merge_reports.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "pipeline/atomic_file.h"
#include "pipeline/json_writer.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace copydesk {
namespace {

std::vector<fs::path> files_in(const fs::path& dir, const std::string& suffix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        name.find(".tmp.") == std::string::npos)
      out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A JSON value whose numbers can be summed with another's.
struct Sum {
  bool is_number = false;
  bool is_object = false;
  double number = 0;
  bool integral = true;
  std::map<std::string, Sum> members;
  std::string other;  // a string or other scalar, kept from the first file

  void add(simdjson::dom::element e) {
    simdjson::dom::object obj;
    if (!e.get(obj)) {
      is_object = true;
      for (auto field : obj) members[std::string(field.key)].add(field.value);
    } else if (e.is_int64() || e.is_uint64()) {
      is_number = true;
      number += e.is_int64() ? static_cast<double>(e.get_int64().value())
                             : static_cast<double>(e.get_uint64().value());
    } else if (e.is_double()) {
      is_number = true;
      integral = false;
      number += e.get_double().value();
    } else if (other.empty()) {
      other = simdjson::minify(e);
    }
  }
  void write(JsonWriter& w) const {
    if (is_object) {
      w.begin_object();
      for (const auto& [k, v] : members) {
        w.key(k);
        v.write(w);
      }
      w.end_object();
    } else if (is_number) {
      if (integral)
        w.integer(static_cast<int64_t>(number));
      else
        w.number(number);
    } else {
      w.raw(other.empty() ? "null" : other);
    }
  }
};

}  // namespace

int run_merge_reports(const std::vector<std::string>& args) {
  std::string dir, out_path, stats_out;
  po::options_description desc(
      "Usage: copydesk merge-reports DIR [-o FILE] [--stats-out FILE]\n\n"
      "Joins DIR/reports/*.findings.jsonl in input order and sums DIR/stats/*.json");
  desc.add_options()("help,h", "show this help")(
      "output,o", po::value(&out_path)->value_name("FILE"), "merged findings (default: stdout)")(
      "stats-out", po::value(&stats_out)->value_name("FILE"),
      "merged statistics (default: not written)");
  po::options_description hidden;
  hidden.add_options()("dir", po::value(&dir));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("dir", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "copydesk: error: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (dir.empty() || !fs::is_directory(dir)) {
    std::cerr << "copydesk: error: merge-reports needs the output folder of a sharded run\n";
    return 2;
  }

  struct Line {
    int64_t input, record;
    size_t order;
    std::string text;
  };
  std::vector<Line> lines;
  simdjson::dom::parser parser;
  for (const auto& f : files_in(fs::path(dir) / "reports", ".findings.jsonl")) {
    std::ifstream in(f);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty()) continue;
      simdjson::dom::element e;
      int64_t input = 0, record = 0;
      if (parser.parse(line).get(e) || e["input"].get(input) || e["record"].get(record)) {
        std::cerr << "copydesk: error: " << f.string() << ":" << n
                  << ": not a findings report line\n";
        return 2;
      }
      lines.push_back({input, record, lines.size(), line});
    }
  }
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    return a.input != b.input ? a.input < b.input : a.record < b.record;
  });
  std::string merged;
  for (const auto& l : lines) merged += l.text + "\n";
  try {
    if (out_path.empty()) {
      std::cout << merged;
    } else {
      AtomicFile f(out_path);
      f.write(merged);
      f.commit();
    }
    Sum sum;
    size_t shards = 0;
    for (const auto& f : files_in(fs::path(dir) / "stats", ".json")) {
      std::ifstream in(f);
      std::stringstream ss;
      ss << in.rdbuf();
      simdjson::dom::element e;
      std::string text = ss.str();
      if (parser.parse(text).get(e)) {
        std::cerr << "copydesk: error: " << f.string() << ": not a statistics file\n";
        return 2;
      }
      sum.add(e);
      ++shards;
    }
    if (!stats_out.empty()) {
      JsonWriter w;
      sum.write(w);
      AtomicFile f(stats_out);
      f.write(w.str() + "\n");
      f.commit();
    }
    std::cerr << "copydesk: merged " << lines.size() << " finding(s) and " << shards
              << " statistics file(s)\n";
  } catch (const OutputError& e) {
    std::cerr << "copydesk: output error (retryable): " << e.what() << "\n";
    return 3;
  }
  return 0;
}

}  // namespace copydesk
