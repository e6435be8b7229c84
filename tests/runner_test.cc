// The runner's contract: confidence policy, conflict handling, offset mapping,
// and the audit log that replays and inverts.
#include "pipeline/runner.h"

#include <doctest/doctest.h>

#include "pipeline/data_files.h"
#include "pipeline/exit_status.h"
#include "pipeline/stage_registry.h"
#include "pipeline/stage_settings.h"

namespace copydesk {
namespace {

// A stage that proposes a fixed list of edits and findings, for testing the runner.
class ScriptedStage final : public Stage {
 public:
  ScriptedStage(std::string name, std::vector<Edit> edits, std::vector<Finding> findings = {},
                std::vector<Region> regions = {})
      : name_(std::move(name)),
        edits_(std::move(edits)),
        findings_(std::move(findings)),
        regions_(std::move(regions)) {}
  std::string_view name() const override { return name_; }
  StageResult run(const TextView&) const override { return {edits_, findings_, regions_, {}}; }

 private:
  std::string name_;
  std::vector<Edit> edits_;
  std::vector<Finding> findings_;
  std::vector<Region> regions_;
};

}  // namespace

// Test access: build a pipeline from ready-made stages.
struct PipelineTestAccess {
  static Pipeline make(std::vector<std::unique_ptr<Stage>> stages, Policy policy = {},
                       std::vector<std::pair<std::string, Policy>> rule_policies = {}) {
    Pipeline p;
    p.max_document_bytes_ = 1 << 20;
    for (auto& s : stages) p.stages_.push_back({std::move(s), policy, rule_policies});
    return p;
  }
};

namespace {

Document run_scripted(std::vector<std::unique_ptr<Stage>> stages, const std::string& text) {
  Pipeline p = PipelineTestAccess::make(std::move(stages));
  Document d;
  d.id = "t";
  d.original = text;
  p.run(d);
  return d;
}

TEST_CASE("confidence policy: apply, review as suggestion, drop") {
  std::vector<std::unique_ptr<Stage>> st;
  st.push_back(
      std::make_unique<ScriptedStage>("restore", std::vector<Edit>{
                                                     {{7, 7}, "\u2019", "r.apply", 0.95, "sure"},
                                                     {{15, 15}, "\u2019", "r.review", 0.7, "maybe"},
                                                     {{20, 20}, "x", "r.drop", 0.2, "unlikely"},
                                                 }));
  Document d = run_scripted(std::move(st), "countrys its weeks aa bb");
  CHECK(d.text == "country\u2019s its weeks aa bb");
  REQUIRE(d.edits.size() == 1);
  CHECK(d.edits[0].rule == "r.apply");
  REQUIRE(d.findings.size() == 1);
  const auto& f = d.findings[0];
  CHECK(f.finding.rule == "r.review");
  CHECK(f.finding.severity == Severity::kSuggestion);
  CHECK(f.finding.suggestion == "\u2019");
  CHECK(f.orig == Span{15, 15});
  CHECK(f.out == Span{18, 18});  // shifted by the 3-byte apostrophe before it
}

TEST_CASE("confidence policy per rule: a rule's own thresholds, by family, else the stage's") {
  struct Row {
    const char* label;
    std::string rule;
    double confidence;
    const char* outcome;  // applied, review, dropped
  } rows[] = {
      {"rule's apply threshold below the stage's", "r.loose.v1", 0.7, "applied"},
      {"rule's apply threshold, any version", "r.loose.v12", 0.7, "applied"},
      {"rule's review threshold above the stage's", "r.loose.v1", 0.45, "dropped"},
      {"other rules keep the stage's policy", "r.other.v1", 0.7, "review"},
      {"a longer name is another family", "r.loose-ish.v1", 0.7, "review"},
      {"stage's drop", "r.other.v1", 0.3, "dropped"},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    std::vector<std::unique_ptr<Stage>> st;
    st.push_back(std::make_unique<ScriptedStage>(
        "s", std::vector<Edit>{{{2, 2}, "x", r.rule, r.confidence, ""}}));
    Pipeline p =
        PipelineTestAccess::make(std::move(st), Policy{0.9, 0.4}, {{"r.loose", Policy{0.6, 0.5}}});
    Document d;
    d.id = "t";
    d.original = "abcd";
    p.run(d);
    const std::string outcome = !d.edits.empty()      ? "applied"
                                : !d.findings.empty() ? "review"
                                                      : "dropped";
    CHECK(outcome == r.outcome);
  }
}

TEST_CASE("rule thresholds from settings: keys, families, errors") {
  CHECK(rule_family("restore.apostrophe.v1") == "restore.apostrophe");
  CHECK(rule_family("restore.apostrophe.v10") == "restore.apostrophe");
  CHECK(rule_family("restore.apostrophe") == "restore.apostrophe");
  CHECK(rule_family("a.vx") == "a.vx");
  CHECK(rule_family("a.v") == "a.v");

  PipelineSettings s;
  s.data_dir = COPYDESK_SOURCE_CONFIG_DIR;
  s.policy = {0.9, 0.5};
  set_stage_key(s, "decode.apply-threshold", "0.8");
  set_stage_key(s, "decode.bom.apply-threshold", "0.7");
  set_stage_key(s, "decode.encoding", "windows-1252");
  CHECK(s.stage_policy.at("decode").apply_threshold == 0.8);
  CHECK(s.rule_policy.at("decode.bom").apply_threshold == 0.7);
  CHECK(!s.rule_policy.at("decode.bom").review_threshold);
  CHECK(s.values.at("decode.encoding") == "windows-1252");
  CHECK_THROWS_AS(set_stage_key(s, "decode.bom.apply-threshold", "0.7x"), UsageError);
  CHECK_THROWS_AS(set_stage_key(s, "decode.apply-threshold", "high"), UsageError);
  CHECK_NOTHROW(Pipeline::build({"decode"}, s));

  PipelineSettings typo = s;
  set_stage_key(typo, "decode.bmo.apply-threshold", "0.7");
  CHECK_THROWS_WITH_AS(Pipeline::build({"decode"}, typo), doctest::Contains("no rule 'decode.bmo'"),
                       ConfigError);
  CHECK_NOTHROW(Pipeline::build({"normalise"}, typo));  // a stage not run is not checked

  PipelineSettings inverted = s;
  set_stage_key(inverted, "decode.bom.review-threshold", "0.75");
  CHECK_THROWS_AS(Pipeline::build({"decode"}, inverted), ConfigError);
}

TEST_CASE("overlapping edits: the first wins, the other is rejected") {
  std::vector<std::unique_ptr<Stage>> st;
  st.push_back(
      std::make_unique<ScriptedStage>("s", std::vector<Edit>{{{0, 3}, "X", "a", 1.0, ""},
                                                             {{2, 4}, "Y", "b", 1.0, ""},
                                                             {{4, 4}, "-", "c", 1.0, ""},
                                                             {{4, 4}, "+", "d", 1.0, ""}}));
  Document d = run_scripted(std::move(st), "abcdef");
  CHECK(d.text == "Xd-ef");
  CHECK(d.edits.size() == 2);
}

TEST_CASE("invalid edits are rejected, not applied") {
  struct Row {
    const char* label;
    Edit edit;
  } rows[] = {
      {"span past the end", {{2, 99}, "x", "r", 1.0, ""}},
      {"inside a character", {{1, 2}, "x", "r", 1.0, ""}},  // "\u00e9" is 2 bytes at 0..2
      {"invalid replacement", {{0, 0}, "\xff", "r", 1.0, ""}},
      {"empty edit", {{1, 1}, "", "r", 1.0, ""}},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    std::vector<std::unique_ptr<Stage>> st;
    st.push_back(std::make_unique<ScriptedStage>("s", std::vector<Edit>{r.edit}));
    Document d = run_scripted(std::move(st), "\u00e9t\u00e9");
    CHECK(d.text == "\u00e9t\u00e9");
    CHECK(d.edits.empty());
  }
}

TEST_CASE("findings and regions map to the original and the output across stages") {
  std::vector<std::unique_ptr<Stage>> st;
  // Stage 1 inserts 3 bytes at 2; stage 2 reports a finding on "cd" (4..6 in its text)
  // and a region; stage 3 deletes the first byte.
  st.push_back(
      std::make_unique<ScriptedStage>("one", std::vector<Edit>{{{2, 2}, "XYZ", "i", 1.0, ""}}));
  st.push_back(std::make_unique<ScriptedStage>(
      "two", std::vector<Edit>{},
      std::vector<Finding>{{{5, 7}, "f", Severity::kWarning, "m", "", 1.0}},
      std::vector<Region>{{{5, 8}, "footer", "r", {}}}));
  st.push_back(
      std::make_unique<ScriptedStage>("three", std::vector<Edit>{{{0, 1}, "", "d", 1.0, ""}}));
  Document d = run_scripted(std::move(st), "abcdef");
  CHECK(d.text == "bXYZcdef");
  REQUIRE(d.findings.size() == 1);
  CHECK(d.findings[0].orig == Span{2, 4});  // "cd" in "abcdef"
  CHECK(d.findings[0].out == Span{4, 6});   // "cd" in "bXYZcdef"
  REQUIRE(d.regions.size() == 1);
  CHECK(d.regions[0].orig == Span{2, 5});
  CHECK(d.regions[0].out == Span{4, 7});
  // Audit records: spans in the original and the output.
  REQUIRE(d.edits.size() == 2);
  CHECK(d.edits[0].orig == Span{2, 2});
  CHECK(d.edits[0].out == Span{1, 4});
  CHECK(d.edits[1].orig == Span{0, 1});
  CHECK(d.edits[1].out == Span{0, 0});
  CHECK(invert_edits(d.text, d.edits) == "abcdef");
}

TEST_CASE("bad documents become error records, the text kept") {
  struct Row {
    const char* label;
    std::string text;
    const char* code;
  } rows[] = {
      {"empty", "", "empty"},
      {"NUL byte", std::string("ab\0cd", 5), "binary"},
      {"invalid UTF-8 without decode", "caf\xe9", "invalid-utf8"},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    std::vector<std::unique_ptr<Stage>> st;
    st.push_back(std::make_unique<ScriptedStage>("restore", std::vector<Edit>{}));
    Document d = run_scripted(std::move(st), r.text);
    REQUIRE(d.error.has_value());
    CHECK(d.error->code == r.code);
    CHECK(d.text == r.text);
  }
}

TEST_CASE("unknown stage names are configuration errors") {
  PipelineSettings s;
  s.data_dir = COPYDESK_SOURCE_CONFIG_DIR;
  CHECK_THROWS_AS(Pipeline::build({"restore", "nope"}, s), ConfigError);
}

TEST_CASE("a setting no stage reads is a configuration error that lists the stage's settings") {
  struct Row {
    const char* key;
    const char* value;
    bool ok;
  } rows[] = {
      {"normalise.collapse-spaces", "true", true},
      {"normalise.colapse-spaces", "true", false},  // a typo
      {"decode.encoding", "utf-8", true},
      {"decode.encodings", "utf-8", false},
      {"decode.bom.apply-threshold", "0.7", true},  // a rule's policy, not a stage key
  };
  for (const Row& r : rows) {
    CAPTURE(r.key);
    PipelineSettings s;
    s.data_dir = COPYDESK_SOURCE_CONFIG_DIR;
    set_stage_key(s, r.key, r.value);
    if (r.ok) {
      CHECK_NOTHROW(Pipeline::build({"decode", "normalise"}, s));
    } else {
      CHECK_THROWS_WITH_AS(Pipeline::build({"decode", "normalise"}, s),
                           doctest::Contains("unknown setting"), ConfigError);
    }
  }
}

}  // namespace
}  // namespace copydesk
