#include "pipeline/runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "pipeline/stage_registry.h"
#include "pipeline/stage_settings.h"
#include "pipeline/utf8.h"

namespace copydesk {
namespace {

Span map_to_original(const Document& doc, size_t version, Span s) {
  for (size_t v = version; v-- > 0;) s = doc.versions[v].backward(s);
  return s;
}

Span map_to_output(const Document& doc, size_t version, Span s) {
  for (size_t v = version; v < doc.versions.size(); ++v) s = doc.versions[v].forward(s);
  return s;
}

std::string quote_for_message(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out + "'";
}

Finding review_finding(const Edit& e, std::string_view before) {
  Finding f;
  f.span = e.span;
  f.rule = e.rule;
  f.severity = Severity::kSuggestion;
  f.suggestion = e.replacement;
  f.confidence = e.confidence;
  if (before.empty())
    f.message = "possible restoration: insert " + quote_for_message(e.replacement);
  else
    f.message = "possible fix: replace " + quote_for_message(before) + " with " +
                quote_for_message(e.replacement);
  if (!e.evidence.empty()) f.message += " (" + e.evidence + ")";
  return f;
}

// Checks one edit against the text it was proposed on; returns why it is invalid.
const char* invalid_edit(std::string_view text, const Edit& e, bool bytes_stage) {
  if (e.span.begin > e.span.end || e.span.end > text.size()) return "span outside the text";
  if (e.span.empty() && e.replacement.empty()) return "empty edit";
  if (!bytes_stage) {
    if (!is_char_boundary(text, e.span.begin) || !is_char_boundary(text, e.span.end))
      return "span not on a character boundary";
  }
  if (!is_valid_utf8(e.replacement)) return "replacement is not valid UTF-8";
  if (!(e.confidence >= 0.0 && e.confidence <= 1.0)) return "confidence outside [0, 1]";
  return nullptr;
}

// The stage's rules with thresholds of their own, resolved against the
// stage's policy. Throws ConfigError for a rule the stage does not describe.
std::vector<std::pair<std::string, Policy>> rule_policies(
    const Stage& stage, const Policy& stage_policy,
    const std::map<std::string, PolicyOverride>& overrides) {
  std::vector<std::pair<std::string, Policy>> out;
  const std::string prefix = std::string(stage.name()) + ".";
  const std::vector<RuleInfo> described = stage.rules();
  for (const auto& [family, o] : overrides) {
    if (family.rfind(prefix, 0) != 0) continue;
    bool known = described.empty();
    std::string names;
    for (const RuleInfo& r : described) {
      known = known || rule_family(r.id) == family;
      names += (names.empty() ? "" : ", ") + std::string(rule_family(r.id));
    }
    if (!known)
      throw ConfigError("no rule '" + family + "' to set thresholds for (stage " +
                        std::string(stage.name()) + " has: " + names + ")");
    Policy p = stage_policy;
    if (o.apply_threshold) p.apply_threshold = *o.apply_threshold;
    if (o.review_threshold) p.review_threshold = *o.review_threshold;
    if (!(p.review_threshold >= 0 && p.review_threshold <= p.apply_threshold &&
          p.apply_threshold <= 1))
      throw ConfigError(family + ": thresholds must satisfy 0 <= review-threshold <= " +
                        "apply-threshold <= 1 (they are " + std::to_string(p.review_threshold) +
                        " and " + std::to_string(p.apply_threshold) + ")");
    out.emplace_back(family, p);
  }
  return out;
}

}  // namespace

const Policy& Pipeline::Entry::policy_for(std::string_view rule_id) const {
  if (rule_policies.empty()) return policy;
  const std::string_view family = rule_family(rule_id);
  for (const auto& [f, p] : rule_policies)
    if (f == family) return p;
  return policy;
}

Pipeline Pipeline::build(const std::vector<std::string>& stage_names, const PipelineSettings& s) {
  Pipeline p;
  p.max_document_bytes_ = s.max_document_bytes;
  for (const auto& name : stage_names) {
    const StageInfo* info = find_stage(name);
    if (!info) {
      std::string known;
      for (const auto& st : all_stages())
        known += (known.empty() ? "" : ", ") + std::string(st.name);
      throw ConfigError("unknown stage '" + name + "' (known stages: " + known + ")");
    }
    StageContext ctx;
    ctx.data_dir = s.data_dir;
    const std::string prefix = name + ".";
    for (const auto& [k, v] : s.values)
      if (k.rfind(prefix, 0) == 0) ctx.settings[k.substr(prefix.size())] = v;
    Entry e;
    try {
      e.stage = info->make(ctx);
    } catch (const ConfigError& err) {
      throw ConfigError("stage " + name + ": " + err.what());
    }
    for (const auto& [k, v] : ctx.settings) {
      if (ctx.read_keys.count(k)) continue;
      std::string known;
      for (const std::string& r : ctx.read_keys) known += (known.empty() ? "" : ", ") + r;
      throw ConfigError("stage " + name + ": unknown setting '" + k + "'" +
                        (known.empty() ? std::string(" (it has no settings)")
                                       : " (its settings: " + known + ")"));
    }
    auto it = s.stage_policy.find(name);
    e.policy = it == s.stage_policy.end() ? s.policy : it->second;
    e.rule_policies = rule_policies(*e.stage, e.policy, s.rule_policy);
    p.stages_.push_back(std::move(e));
  }
  return p;
}

std::vector<std::string> Pipeline::stage_names() const {
  std::vector<std::string> names;
  for (const auto& e : stages_) names.emplace_back(e.stage->name());
  return names;
}

std::vector<RuleInfo> Pipeline::rules() const {
  std::vector<RuleInfo> out;
  for (const auto& e : stages_) {
    auto r = e.stage->rules();
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

bool Pipeline::has_stage(std::string_view name) const {
  for (const auto& e : stages_)
    if (e.stage->name() == name) return true;
  return false;
}

void Pipeline::run(Document& doc) const {
  std::vector<StageCounters> counters(stages_.size());
  run(doc, counters);
}

void Pipeline::run(Document& doc, std::vector<StageCounters>& counters) const {
  counters.resize(stages_.size());
  doc.text =
      doc.markup == MarkupKind::kPlain ? doc.original : mask_markup(doc.markup, doc.original);
  if (doc.error) return;  // a reader error: nothing to run
  if (doc.original.empty()) {
    doc.error = DocumentError{"empty", "the document is empty"};
    return;
  }
  if (doc.original.size() > max_document_bytes_) {
    doc.error = DocumentError{
        "too-large", "the document is " + std::to_string(doc.original.size()) +
                         " bytes, over the limit of " + std::to_string(max_document_bytes_) +
                         " (max-document-bytes)"};
    return;
  }
  if (const void* nul = std::memchr(doc.original.data(), '\0', doc.original.size())) {
    size_t at = static_cast<const char*>(nul) - doc.original.data();
    doc.error = DocumentError{"binary", "binary content: NUL byte at byte " + std::to_string(at)};
    return;
  }

  bool utf8_checked = false;
  TokenList tokens;
  bool tokens_fresh = false;
  std::vector<Region> current_regions;  // every region so far, in the current version

  for (size_t si = 0; si < stages_.size(); ++si) {
    const Stage& stage = *stages_[si].stage;
    const bool bytes_stage = stage.name() == "decode";
    if (!bytes_stage && !utf8_checked) {
      size_t bad = find_invalid_utf8(doc.text);
      if (bad != std::string::npos) {
        doc.error = DocumentError{"invalid-utf8", "invalid UTF-8 at byte " + std::to_string(bad) +
                                                      " (the decode stage repairs it)"};
        return;
      }
      utf8_checked = true;
    }
    const auto started = std::chrono::steady_clock::now();
    struct AddTime {
      StageCounters& c;
      std::chrono::steady_clock::time_point t0;
      ~AddTime() {
        c.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      }
    } add_time{counters[si], started};
    if (!tokens_fresh) {
      tokens = tokenize(doc.text);
      tokens_fresh = true;
    }
    const size_t version = doc.current_version();
    TextView view{doc.id, doc.text, tokens, current_regions};
    StageResult result;
    try {
      result = stage.run(view);
    } catch (const std::exception& e) {
      doc.error = DocumentError{"stage-failed", std::string(stage.name()) + ": " + e.what()};
      return;
    }
    if (result.document_error) {
      doc.error = DocumentError{std::string(stage.name()), *result.document_error};
      return;
    }
    StageCounters& count = counters[si];
    const std::string stage_name(stage.name());

    // Confidence policy, then conflicts: sorted by span, an edit that overlaps
    // an accepted one (or shares its begin) is rejected.
    std::vector<Edit> to_apply;
    std::stable_sort(result.edits.begin(), result.edits.end(), [](const Edit& a, const Edit& b) {
      return a.span.begin != b.span.begin ? a.span.begin < b.span.begin : a.span.end < b.span.end;
    });
    for (Edit& e : result.edits) {
      if (const char* why = invalid_edit(doc.text, e, bytes_stage)) {
        ++count.edits_rejected;
        spdlog::warn("{}: stage {} proposed an invalid edit ({}): {}", doc.id, stage_name, e.rule,
                     why);
        continue;
      }
      const Policy& policy = stages_[si].policy_for(e.rule);
      if (e.confidence >= policy.apply_threshold) {
        if (!to_apply.empty()) {
          const Span& prev = to_apply.back().span;
          if (e.span.begin < prev.end || e.span.begin == prev.begin) {
            ++count.edits_rejected;
            spdlog::debug("{}: stage {}: edit {} overlaps {}; skipped", doc.id, stage_name, e.rule,
                          to_apply.back().rule);
            continue;
          }
        }
        to_apply.push_back(std::move(e));
      } else if (e.confidence >= policy.review_threshold) {
        ++count.edits_reviewed;
        doc.findings.push_back(
            {stage_name, review_finding(e, e.span.in(doc.text)), version, {}, {}});
      } else {
        ++count.edits_dropped;
      }
    }

    for (Finding& f : result.findings) {
      if (f.span.begin > f.span.end || f.span.end > doc.text.size()) {
        spdlog::warn("{}: stage {} reported a finding outside the text ({})", doc.id, stage_name,
                     f.rule);
        continue;
      }
      ++count.findings;
      doc.findings.push_back({stage_name, std::move(f), version, {}, {}});
    }
    for (Region& r : result.regions) {
      if (r.span.begin > r.span.end || r.span.end > doc.text.size()) continue;
      current_regions.push_back(r);
      doc.regions.push_back({stage_name, std::move(r), version, {}, {}});
    }

    if (to_apply.empty()) continue;

    // Apply in one pass and record the offset map.
    std::string next;
    next.reserve(doc.text.size() + 64);
    std::vector<Replacement> reps;
    reps.reserve(to_apply.size());
    size_t pos = 0;
    for (Edit& e : to_apply) {
      next.append(doc.text, pos, e.span.begin - pos);
      Span out{next.size(), next.size() + e.replacement.size()};
      next += e.replacement;
      pos = e.span.end;
      reps.push_back({e.span, out});
      AppliedEdit a;
      a.stage = stage_name;
      a.rule = std::move(e.rule);
      a.version = version;
      a.in = e.span;
      a.stage_out = out;
      a.orig = map_to_original(doc, version, e.span);
      a.before = std::string(e.span.in(doc.text));
      a.after = std::move(e.replacement);
      a.confidence = e.confidence;
      a.evidence = std::move(e.evidence);
      doc.edits.push_back(std::move(a));
      ++count.edits_applied;
    }
    next.append(doc.text, pos, std::string::npos);
    doc.text = std::move(next);
    doc.versions.emplace_back(std::move(reps));
    for (Region& r : current_regions) r.span = doc.versions.back().forward(r.span);
    tokens_fresh = false;
    if (bytes_stage) utf8_checked = false;
  }

  // Every record gets its spans in the original input and the final output.
  for (AppliedEdit& e : doc.edits) e.out = map_to_output(doc, e.version + 1, e.stage_out);
  for (MappedFinding& f : doc.findings) {
    f.orig = map_to_original(doc, f.version, f.finding.span);
    f.out = map_to_output(doc, f.version, f.finding.span);
  }
  for (MappedRegion& r : doc.regions) {
    r.orig = map_to_original(doc, r.version, r.region.span);
    r.out = map_to_output(doc, r.version, r.region.span);
  }
}

std::string invert_edits(const std::string& output, const std::vector<AppliedEdit>& edits) {
  std::string text = output;
  // Undo one text version at a time, newest first; inside a version, edits
  // are sorted and do not overlap, so undoing them back to front is safe.
  size_t i = edits.size();
  while (i > 0) {
    const size_t version = edits[i - 1].version;
    size_t first = i;
    while (first > 0 && edits[first - 1].version == version) --first;
    for (size_t k = i; k-- > first;) {
      const AppliedEdit& e = edits[k];
      text.replace(e.stage_out.begin, e.stage_out.size(), e.before);
    }
    i = first;
  }
  return text;
}

}  // namespace copydesk
