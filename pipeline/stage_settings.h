// "stage.key" = value from the config file or --set, into pipeline settings.
//
//   set_stage_key(s, "restore.apply-threshold", "0.8");             // the stage's policy
//   set_stage_key(s, "restore.apostrophe.apply-threshold", "0.6");  // one rule's policy
//   set_stage_key(s, "normalise.collapse-spaces", "true");          // a stage's own key
//
// A rule's policy names the rule without its version ("restore.apostrophe"
// for edits of "restore.apostrophe.v1") and overrides only what it sets; the
// rest comes from the stage's policy, then the global one. Pipeline::build
// checks that the rule exists.
#pragma once

#include <string>

#include "pipeline/runner.h"

namespace copydesk {

// Throws UsageError for a threshold that is not a number.
void set_stage_key(PipelineSettings& s, const std::string& key, const std::string& value);

// "restore.apply-threshold", "restore.apostrophe.review-threshold": keys a
// threshold on the command line overrides when they come from a config file.
bool is_threshold_key(std::string_view key);

// The rule family of a versioned rule id: "restore.apostrophe.v1" gives
// "restore.apostrophe"; an id without a ".vN" suffix is its own family.
std::string_view rule_family(std::string_view rule_id);

}  // namespace copydesk
