#include "pipeline/stage_settings.h"

#include <cctype>

#include "pipeline/exit_status.h"

namespace copydesk {
namespace {

constexpr std::string_view kApply = "apply-threshold";
constexpr std::string_view kReview = "review-threshold";

double parse_threshold(const std::string& key, const std::string& value) {
  size_t used = 0;
  double d = 0;
  try {
    d = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size()) throw UsageError(key + ": not a number: '" + value + "'");
  return d;
}

}  // namespace

bool is_threshold_key(std::string_view key) {
  const size_t dot = key.rfind('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view last = key.substr(dot + 1);
  return last == kApply || last == kReview;
}

std::string_view rule_family(std::string_view rule_id) {
  size_t dot = rule_id.rfind('.');
  if (dot == std::string_view::npos || dot + 2 >= rule_id.size() || rule_id[dot + 1] != 'v')
    return rule_id;
  for (size_t i = dot + 2; i < rule_id.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(rule_id[i]))) return rule_id;
  return rule_id.substr(0, dot);
}

void set_stage_key(PipelineSettings& s, const std::string& key, const std::string& value) {
  const size_t first_dot = key.find('.');
  const size_t last_dot = key.rfind('.');
  const std::string_view last = std::string_view(key).substr(last_dot + 1);
  if (first_dot == std::string::npos || (last != kApply && last != kReview)) {
    s.values[key] = value;
    return;
  }
  const double d = parse_threshold(key, value);
  if (first_dot == last_dot) {  // "restore.apply-threshold"
    Policy& p = s.stage_policy.try_emplace(key.substr(0, first_dot), s.policy).first->second;
    (last == kApply ? p.apply_threshold : p.review_threshold) = d;
  } else {  // "restore.apostrophe.apply-threshold"
    PolicyOverride& p = s.rule_policy[key.substr(0, last_dot)];
    (last == kApply ? p.apply_threshold : p.review_threshold) = d;
  }
}

}  // namespace copydesk
