// RestoreModel: the counts the restore stage decodes with, loaded from
// config/restore/ (built by tools/restore/build_restore_data.py from
// shared/train; see config/restore/README.md).
//
//   RestoreModel m = RestoreModel::load(ctx.data_path("restore"));
//   const LexEntry* e = m.lookup("dont");      // key: stripped, ASCII-lowercased
//   // e->plain = weighted count of "dont" as written; e->forms = {"don\u2019t", 24684}
//   double p = m.context_posterior("its", "it\u2019s", "hand", "in");
//
// Every table is indexed by what the stage sees (the damaged text): keys are
// tokens with the deleted characters removed and ASCII letters lowercased.
// Counts are weighted so that each training source has a fixed share.
// Immutable after load; safe to share between threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace copydesk::restore {

struct LexForm {
  std::string form;  // the original, lowercased ("don\u2019t"); key + inserted characters
  double count = 0;
};

struct LexEntry {
  double plain = 0;      // the key written as it is (nothing deleted)
  double cap_share = 0;  // share of occurrences with a capital initial
  std::vector<LexForm> forms;
  double total() const {
    double t = plain;
    for (const auto& f : forms) t += f.count;
    return t;
  }
};

// Classes of what was deleted at a gap (columns of gaps.tsv).
enum GapClass { kNone, kNbsp, kDash, kApos, kQuote, kLetter, kOther, kGapClasses };
using GapCounts = std::array<double, kGapClasses>;

struct GlueCounts {
  double dash = 0, nbsp = 0, other = 0;
};

class RestoreModel {
 public:
  // Loads every table from dir; throws ConfigError (file:line:col) on bad data.
  static RestoreModel load(const std::string& dir);

  const LexEntry* lookup(std::string_view key) const;
  // Weighted count of the key as a plain word (0 when unknown).
  double word_count(std::string_view key) const;

  // True when the context table holds this key (its readings are ambiguous).
  bool is_ambiguous(std::string_view key) const;
  // Posterior of each reading of an ambiguous key (readings[0] = the plain key,
  // then e.forms in order) given the neighbours in the damaged text: the
  // previous and next word (lowercased) or punctuation character, "<s>" and
  // "</s>" at line edges. Naive Bayes over left and right neighbour with
  // Dirichlet smoothing towards the key's pooled neighbour distribution.
  std::vector<double> context_posterior(std::string_view key, const LexEntry& e, std::string_view left,
                                        std::string_view right) const;

  // Glued-word separator statistics: word as left (side 'L') or right part.
  GlueCounts glue(std::string_view word, char side) const;
  // Pair counts (w1, w2) glued by a deleted dash / nbsp.
  GlueCounts pair(std::string_view w1, std::string_view w2) const;
  GlueCounts glue_prior() const { return glue_prior_; }

  // What was deleted at a gap of this kind ("punct,", "space2", "spaceN")
  // with these left / right context classes; nullptr if never seen.
  const GapCounts* gap(std::string_view kind, std::string_view left, std::string_view right) const;

  // A line-initial label ("Q", "END" in transcripts) and the run of deleted
  // characters that usually follows it (UTF-8), with its share.
  struct Label {
    std::string run;
    double share = 0;
    double count = 0;
  };
  const Label* label(std::string_view token) const;

  // Share of possessives among capitalised "Xs" tokens whose base X ends like
  // `base` (last two letters, backing off to one): "Nairobis" (-bi) is mostly
  // "Kabul\u2019s", "Chileans" (-an) mostly a plural. From the lexicon.
  double possessive_share(std::string_view base) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using Map = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

  Map<LexEntry> lexicon_;
  Map<GlueCounts> glue_left_, glue_right_;
  Map<GlueCounts> pairs_;  // "w1 w2"
  GlueCounts glue_prior_;
  Map<Label> labels_;
  Map<GapCounts> gaps_;    // "kind\tleft\tright"
  // Context counts keyed by a 64-bit hash of their tab-joined fields (see
  // hkey() in the .cc): no string allocation per row at load or per lookup.
  //   context_  key, form, side, neighbour -> count   (side L, R or T)
  //   pooled_   key, side, neighbour -> count over all readings
  //   totals_   key, side -> count; key, "T", neighbour -> triple total
  //   class_    class, side, neighbour -> count, pooled over keys by reading
  //             class: "P" plain plurals (workers), "S" possessives (worker\u2019s)
  std::unordered_map<uint64_t, float> context_, pooled_, totals_, class_;
  Map<std::array<double, 2>> suffix_poss_;  // suffix -> {possessive, plural}
};

}  // namespace copydesk::restore
