// Stage: one step of the pipeline. A stage is configured once (its
// constructor loads data and compiles patterns) and is then const and
// thread-safe: run() may be called for many documents at once.
//
//   class Shout final : public Stage {
//    public:
//     std::string_view name() const override { return "shout"; }
//     StageResult run(const TextView& view) const override {
//       StageResult r;
//       r.edits.push_back({{0, 1}, "A", "shout.first.v1", 0.99, "capitalise"});
//       return r;
//     }
//   };
//
// A stage returns edits sorted by span and non-overlapping; the runner
// rejects (and logs) any edit that overlaps one before it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/edit.h"
#include "pipeline/tokens.h"

namespace copydesk {

// What a stage sees: the current text, its tokens, and regions found by
// earlier stages, mapped into this text version.
struct TextView {
  std::string_view doc_id;
  std::string_view text;
  const TokenList& tokens;
  const std::vector<Region>& regions;
};

struct StageResult {
  std::vector<Edit> edits;
  std::vector<Finding> findings;
  std::vector<Region> regions;
  // A failure that makes the whole document unusable (an error record).
  std::optional<std::string> document_error;
};

// What a rule does, for reports (SARIF rule descriptors, --list-rules).
struct RuleInfo {
  std::string id;       // "restore.apostrophe.v1"
  std::string summary;  // one line
  std::string help;     // what to do about a finding
  Severity default_severity = Severity::kWarning;
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  virtual StageResult run(const TextView& view) const = 0;
  // The rules this stage can report; stages that describe none return {}.
  virtual std::vector<RuleInfo> rules() const { return {}; }
};

// Settings a stage is built from: the data directory (config/) and the
// stage's own keys from the config file and command line ("[restore]" section
// or "restore.key" on the command line, without the prefix).
struct StageContext {
  std::string data_dir;
  std::map<std::string, std::string> settings;
  // Every key a get*() asked for, set or not: Pipeline::build() reports a
  // setting no stage read (a typo such as "restore.pair-quote") instead of
  // ignoring it. Stages read their settings in their constructors.
  mutable std::set<std::string> read_keys;

  std::string get(const std::string& key, const std::string& fallback) const;
  double get_double(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  // Resolves a data file name relative to data_dir (absolute names pass through).
  std::string data_path(const std::string& name) const;
};

// Thrown by stage constructors when data or settings are unusable; the message
// names the file and line ("config/footers.tsv:12:3: unknown family").
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace copydesk
