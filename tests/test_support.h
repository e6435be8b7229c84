// Helpers for stage tests: run a chain of stages over a string with the
// repository's config/ data, and look at what came out.
//
//   Document d = run_stages({"restore"}, "the countrys day");
//   CHECK(d.text == "the country\u2019s day");
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "pipeline/runner.h"

namespace copydesk::testing {

inline PipelineSettings test_settings(std::map<std::string, std::string> values = {}) {
  PipelineSettings s;
  s.data_dir = COPYDESK_SOURCE_CONFIG_DIR;
  s.values = std::move(values);
  return s;
}

// Pipelines are expensive to build (stages load data): cache by stage list
// and settings ("stage.key" -> value).
const Pipeline& cached_pipeline(const std::vector<std::string>& stages,
                                const std::map<std::string, std::string>& values = {});

inline Document run_stages(const std::vector<std::string>& stages, const std::string& text,
                           const std::string& id = "test") {
  Document d;
  d.id = id;
  d.original = text;
  cached_pipeline(stages).run(d);
  return d;
}

// Findings of one stage whose rule starts with rule_prefix.
inline std::vector<MappedFinding> findings_of(const Document& d, const std::string& rule_prefix) {
  std::vector<MappedFinding> out;
  for (const auto& f : d.findings)
    if (f.finding.rule.rfind(rule_prefix, 0) == 0) out.push_back(f);
  return out;
}

// A fresh folder under the system's temporary folder, removed with all it
// holds when the object goes:
//   TempDir t;  std::string path = t.write("a/b.txt", "text");
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "test") {
    static std::atomic<int> serial{0};
    path = std::filesystem::temp_directory_path() /
           ("copydesk-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(serial++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes content to name (folders created) and returns the file's path.
  std::string write(const std::string& name, const std::string& content) const {
    const std::filesystem::path p = path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

  std::filesystem::path path;
};

}  // namespace copydesk::testing
