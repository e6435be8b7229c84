#include "pipeline/shard.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipeline/json_writer.h"
#include "pipeline/sha256.h"

namespace fs = std::filesystem;

namespace copydesk {

std::optional<ShardSpec> parse_shard(const std::string& text, std::string& error) {
  size_t slash = text.find('/');
  ShardSpec s;
  auto num = [](std::string_view v, size_t& out) {
    auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    return r.ec == std::errc() && r.ptr == v.data() + v.size() && !v.empty();
  };
  if (slash == std::string::npos || !num(std::string_view(text).substr(0, slash), s.index) ||
      !num(std::string_view(text).substr(slash + 1), s.count) || s.count == 0 ||
      s.index >= s.count) {
    error = "--shard expects K/N with 0 <= K < N (e.g. 3/8), got '" + text + "'";
    return std::nullopt;
  }
  return s;
}

std::vector<InputFile> select_shard(const std::vector<InputFile>& all, const ShardSpec& shard) {
  std::vector<InputFile> out;
  for (const auto& f : all)
    if (f.index % shard.count == shard.index) out.push_back(f);
  return out;
}

std::string shard_name(size_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%05zu", index);
  return buf;
}

std::string manifest_json(const Manifest& m) {
  JsonWriter w;
  w.begin_object();
  w.key("shard").integer(static_cast<int64_t>(m.shard.index));
  w.key("shards").integer(static_cast<int64_t>(m.shard.count));
  w.key("version").string(m.version);
  w.key("config_hash").string(m.config_hash);
  w.key("documents").integer(static_cast<int64_t>(m.documents));
  w.key("failed").integer(static_cast<int64_t>(m.failed));
  w.key("inputs").begin_array();
  for (const auto& i : m.inputs) w.string(i);
  w.end_array();
  w.key("outputs").begin_array();
  for (const auto& o : m.outputs) {
    w.begin_object()
        .key("path")
        .string(o.path)
        .key("records")
        .integer(static_cast<int64_t>(o.records))
        .key("bytes")
        .integer(static_cast<int64_t>(o.bytes))
        .key("sha256")
        .string(o.sha256)
        .end_object();
  }
  w.end_array();
  w.end_object();
  return w.take() + "\n";
}

std::optional<Manifest> read_manifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text).get(root)) return std::nullopt;
  Manifest m;
  int64_t k = 0, n = 0, docs = 0, failed = 0;
  std::string_view sv;
  if (root["shard"].get(k) || root["shards"].get(n) || root["config_hash"].get(sv))
    return std::nullopt;
  m.shard = {static_cast<size_t>(k), static_cast<size_t>(n)};
  m.config_hash = std::string(sv);
  if (!root["version"].get(sv)) m.version = std::string(sv);
  if (!root["documents"].get(docs)) m.documents = static_cast<size_t>(docs);
  if (!root["failed"].get(failed)) m.failed = static_cast<size_t>(failed);
  simdjson::dom::array inputs;
  if (!root["inputs"].get(inputs))
    for (auto v : inputs)
      if (!v.get(sv)) m.inputs.emplace_back(sv);
  return m;
}

std::string config_hash(const std::vector<std::string>& parts, const std::string& data_dir) {
  Sha256 h;
  for (const auto& p : parts) {
    h.update(p);
    h.update(std::string_view("\0", 1));
  }
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(data_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec)) files.push_back(it->path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    h.update(fs::relative(f, data_dir, ec).string());
    std::ifstream in(f, std::ios::binary);
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0)
      h.update(std::string_view(buf, static_cast<size_t>(in.gcount())));
  }
  return h.hex_digest();
}

}  // namespace copydesk
