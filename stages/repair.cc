#include "stages/repair.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "stages/repair_edits.h"
#include "stages/repair_entities.h"
#include "stages/repair_mojibake.h"

namespace copydesk {
namespace {

using repair::RepairEdit;

class RepairStage final : public Stage {
 public:
  explicit RepairStage(const StageContext& ctx)
      : mojibake_(ctx.data_path(ctx.get("codepages", "repair/codepages.tsv"))),
        entities_(ctx.data_path(ctx.get("entities", "repair/html5_entities.tsv")),
                  mojibake_.c1_map()),
        layer_threshold_(ctx.get_double("layer-threshold", 0.9)),
        max_layers_(static_cast<int>(ctx.get_double("max-layers", 4))) {
    if (max_layers_ < 1 || max_layers_ > 16) throw ConfigError("repair.max-layers must be 1..16");
    if (layer_threshold_ <= 0 || layer_threshold_ > 1)
      throw ConfigError("repair.layer-threshold must be in (0, 1]");
  }

  std::string_view name() const override { return "repair"; }

  std::vector<RuleInfo> rules() const override {
    return {
        {"repair.entity.v1", "HTML character reference decoded (&rsquo; &#8217; &amp;rsquo;)",
         "Check the character; the source text was HTML-escaped.", Severity::kSuggestion},
        {"repair.mojibake.v1",
         "UTF-8 text that was decoded as windows-1252, Latin-1 or MacRoman, re-decoded",
         "Check the restored characters; the source was decoded with the wrong encoding.",
         Severity::kSuggestion},
        {"repair.c1-control.v1", "C1 control character replaced by its windows-1252 character",
         "Check the character; the source was decoded as Latin-1 but was windows-1252.",
         Severity::kSuggestion},
    };
  }

  StageResult run(const TextView& view) const override {
    StageResult result;
    std::string_view text = view.text;
    bool has_amp = std::memchr(text.data(), '&', text.size()) != nullptr;
    if (!has_amp && mojibake_.clean(text)) return result;  // fast path

    std::string cur(text);
    std::vector<RepairEdit> applied;      // on the input, giving cur
    std::vector<RepairEdit> suggestions;  // on the input
    auto take = [&](std::vector<RepairEdit> edits) {
      std::vector<RepairEdit> sure;
      for (auto& e : edits) {
        if (e.confidence >= layer_threshold_) {
          sure.push_back(std::move(e));
        } else if (auto span = repair::map_back(applied, e.span)) {
          e.span = *span;
          suggestions.push_back(std::move(e));
        }
      }
      if (sure.empty()) return false;
      applied = repair::compose_repair_edits(applied, cur, sure);
      cur = repair::apply_repair_edits(cur, sure);
      return true;
    };
    if (has_amp) take(entities_.find_edits(cur));
    repair::MojibakeFixer::Prior prior;
    for (int layer = 0; layer < max_layers_; ++layer)
      if (!take(mojibake_.find_layer(cur, prior))) break;

    // Suggestions survive only where no applied edit covers them.
    std::vector<RepairEdit> all = applied;
    for (auto& s : suggestions) {
      bool clash = std::any_of(applied.begin(), applied.end(), [&](const RepairEdit& a) {
        return a.span.overlaps(s.span) ||
               (a.span.begin < s.span.begin && s.span.begin < a.span.end);
      });
      if (!clash) all.push_back(std::move(s));
    }
    std::stable_sort(all.begin(), all.end(), [](const RepairEdit& a, const RepairEdit& b) {
      return a.span.begin < b.span.begin;
    });
    size_t last_end = 0;
    bool first = true;
    for (auto& e : all) {
      if (!first && e.span.begin < last_end) continue;  // overlapping suggestions: keep the first
      first = false;
      last_end = e.span.end;
      result.edits.push_back({e.span, std::move(e.replacement), std::move(e.rule), e.confidence,
                              std::move(e.evidence)});
    }
    return result;
  }

 private:
  repair::MojibakeFixer mojibake_;
  repair::EntityDecoder entities_;
  double layer_threshold_;
  int max_layers_;
};

}  // namespace

std::unique_ptr<Stage> make_repair_stage(const StageContext& ctx) {
  return std::make_unique<RepairStage>(ctx);
}

}  // namespace copydesk
