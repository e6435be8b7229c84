// Runner: applies a chain of stages to documents under the confidence policy.
//
//   Pipeline p = Pipeline::build({"decode", "normalise", "restore"}, settings);
//   Document d; d.id = "a"; d.original = "Its the citys day.";
//   p.run(d);   // d.text, d.edits, d.findings, d.regions, all mapped
//
// Confidence policy (per edit): confidence >= apply threshold: applied;
// review threshold <= confidence < apply threshold: becomes a finding of
// severity "suggestion" carrying the replacement; below: dropped. The
// thresholds are global, per stage, or per rule (stage_settings.h).
// The Pipeline is const after build and may run documents on many threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/document.h"
#include "pipeline/stage.h"

namespace copydesk {

struct Policy {
  double apply_threshold = 0.9;
  double review_threshold = 0.5;
};

// A rule's own thresholds ("[restore] apostrophe.apply-threshold = 0.6"); what
// it leaves unset comes from its stage's policy.
struct PolicyOverride {
  std::optional<double> apply_threshold;
  std::optional<double> review_threshold;
};

// Settings for building a pipeline: per-stage keys come from "stage.key".
struct PipelineSettings {
  std::string data_dir;
  Policy policy;
  std::map<std::string, Policy> stage_policy;         // overrides by stage name
  std::map<std::string, PolicyOverride> rule_policy;  // by rule family: "restore.apostrophe"
  std::map<std::string, std::string> values;          // "restore.lexicon" = "..."
  size_t max_document_bytes = 32u << 20;
};

struct StageCounters {
  size_t edits_applied = 0;
  size_t edits_reviewed = 0;  // turned into suggestions
  size_t edits_dropped = 0;   // below the review threshold
  size_t edits_rejected = 0;  // invalid or overlapping (a stage bug; logged)
  size_t findings = 0;
  double seconds = 0;  // time in the stage (tokenising included)
};

class Pipeline {
 public:
  // Throws ConfigError for an unknown stage or unusable stage data.
  static Pipeline build(const std::vector<std::string>& stage_names, const PipelineSettings& s);

  // Runs every stage over the document. Never throws for bad input: the
  // problem is recorded in doc.error (and the document's text is left as is).
  void run(Document& doc) const;
  // Per-stage counters for one run, indexed like stage_names().
  void run(Document& doc, std::vector<StageCounters>& counters) const;

  std::vector<std::string> stage_names() const;
  // Every rule the stages describe, in stage order.
  std::vector<RuleInfo> rules() const;
  bool has_stage(std::string_view name) const;

 private:
  friend struct PipelineTestAccess;
  struct Entry {
    std::unique_ptr<const Stage> stage;
    Policy policy;
    std::vector<std::pair<std::string, Policy>> rule_policies;  // by rule family
    const Policy& policy_for(std::string_view rule_id) const;
  };
  std::vector<Entry> stages_;
  size_t max_document_bytes_ = 0;
};

// Replays the edit log in reverse on `output`: gives back the input bytes.
std::string invert_edits(const std::string& output, const std::vector<AppliedEdit>& edits);

}  // namespace copydesk
