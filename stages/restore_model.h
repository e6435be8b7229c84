// RestoreModel: the counts the restore stage decodes with, memory-mapped
// from config/restore/model.bin (built by `copydesk train` from shared/train,
// see config/restore/README.md and stages/restore_train.h; the file format
// is pipeline/model_file.h).
//
//   RestoreModel m = RestoreModel::load(ctx.data_path("restore"));  // dir/model.bin
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
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/huge_pages.h"
#include "pipeline/model_file.h"

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

// A pair glued (dash + nbsp) at least this often can split a known token.
inline constexpr double kCommonPair = 4;

class RestoreModel {
 public:
  // Maps dir/model.bin; throws ConfigError when it is missing, truncated,
  // corrupt or lacks a table. Lookups do not allocate (context_posterior
  // returns its vector).
  static RestoreModel load(const std::string& dir);

  const LexEntry* lookup(std::string_view key) const;
  // What most words need of their lexicon row, without reading the entry
  // (one cache miss where lookup() costs two): whether the key is known, its
  // plain count (LexEntry::plain) and whether it has forms.
  struct LexBrief {
    bool known = false;
    bool has_forms = false;
    double plain = 0;
    uint32_t entry = 0;  // for entry()
  };
  LexBrief brief(std::string_view key) const;
  // Starts loading the index slot brief() will read for this token (as
  // written: it is ASCII-lowercased here), so that a caller walking the
  // words can overlap their cache misses. No effect on results.
  void prefetch_word(std::string_view token) const;
  const LexEntry& entry(const LexBrief& b) const { return lex_entries_[b.entry]; }
  // Weighted count of the key as a plain word (0 when unknown).
  double word_count(std::string_view key) const;

  // True when the context table holds this key (its readings are ambiguous).
  bool is_ambiguous(std::string_view key) const;
  // Posterior of each reading of an ambiguous key (readings[0] = the plain key,
  // then e.forms in order) given the neighbours in the damaged text: the
  // previous and next word (lowercased) or punctuation character, "<s>" and
  // "</s>" at line edges. Naive Bayes over left and right neighbour with
  // Dirichlet smoothing towards the key's pooled neighbour distribution.
  std::vector<double> context_posterior(std::string_view key, const LexEntry& e,
                                        std::string_view left, std::string_view right) const;

  // Glued-word separator statistics: word as left (side 'L') or right part.
  GlueCounts glue(std::string_view word, char side) const;
  // Pair counts (w1, w2) glued by a deleted dash / nbsp.
  GlueCounts pair(std::string_view w1, std::string_view w2) const;
  GlueCounts glue_prior() const { return glue_prior_; }
  // The largest dash + nbsp of any pair: a bound that rules out a token's
  // cuts without probing them.
  double max_pair_count() const { return max_pair_count_; }
  // False when pair(w1, w2) certainly has dash + nbsp < kCommonPair: a
  // Bloom filter (32 Kbit, stays in L1) over the few pairs glued that often,
  // asked before the table for each cut of a known token.
  bool may_be_common_pair(std::string_view w1, std::string_view w2) const;

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
  ModelTable lexicon_, glue_left_, glue_right_, pairs_, labels_, gaps_, suffix_poss_;
  // Context counts keyed by the hash of their fields, each followed by a tab
  // (model_layout::ctx_key):
  //   context_  key, form, side, neighbour -> count   (side L, R or T)
  //   pooled_   key, side, neighbour -> count over all readings
  //   totals_   key, side -> count; key, "T", neighbour -> triple total
  //   class_    class, side, neighbour -> count, pooled over keys by reading
  //             class: "P" plain plurals (workers), "S" possessives (worker\u2019s)
  ModelTable context_, pooled_, totals_, class_;
  GlueCounts glue_prior_;
  double max_pair_count_ = 0;
  std::vector<uint64_t> common_pairs_;  // the filter's bits
  // The API hands out pointers to LexEntry / Label / GapCounts: those
  // (owning strings and doubles) are decoded once at load, indexed by the
  // slot of their key in the mapped table (labels, gaps) or by lex_index_.
  std::vector<LexEntry> lex_entries_;
  // The lexicon's own index, built at load, for the lookup every word makes:
  // one probe of 16-byte slots (the key's hash, its plain count and its
  // entry), where the mapped table costs dependent misses on its tag, its
  // slot, the slot's entry index and the entry. Open addressing with linear
  // probing over a power of two of slots, at most 2/3 full; in huge pages
  // (2 MB for the shipped lexicon).
  struct LexSlot {
    uint64_t hash = 0;   // model_hash of the key; 0: empty
    float plain = 0;     // as stored (decimal_count() gives LexEntry::plain)
    uint32_t entry = 0;  // index into lex_entries_, kHasForms set when it has forms
  };
  static constexpr uint32_t kHasForms = 1u << 31;
  std::vector<LexSlot, HugePageAllocator<LexSlot>> lex_index_;
  uint64_t lex_mask_ = 0;
  const LexSlot* lex_slot(uint64_t hash) const;
  std::vector<Label> labels_by_slot_;
  std::vector<GapCounts> gaps_by_slot_;
};

// The names and key conventions of model.bin's sections, shared by the
// trainer (restore_train.cc) and the loader.
namespace model_layout {
inline constexpr const char* kLexicon = "lexicon";     // key -> plain, cap_share; blob: forms
inline constexpr const char* kGlueLeft = "glue.left";  // word -> dash, nbsp, other
inline constexpr const char* kGlueRight = "glue.right";
inline constexpr const char* kPairs = "pairs";    // "w1 w2" -> dash, nbsp, other
inline constexpr const char* kLabels = "labels";  // token -> count, total; blob: the run
inline constexpr const char* kGaps = "gaps";      // "kind\tleft\tright" -> 7 classes
inline constexpr const char* kSuffixPossessive =
    "suffix.poss";  // suffix -> possessive, plural (hi, lo)
inline constexpr const char* kContext = "context";
inline constexpr const char* kPooled = "context.pooled";
inline constexpr const char* kTotals = "context.totals";
inline constexpr const char* kClass = "context.class";
inline constexpr const char* kMeta = "meta";  // "glue_prior" -> dash, nbsp, other (hi, lo)
inline constexpr std::string_view kGluePriorKey = "glue_prior";

// The context tables' key: every part followed by a tab.
std::string ctx_key(std::initializer_list<std::string_view> parts);
uint64_t ctx_hash(std::initializer_list<std::string_view> parts);
// 'S' for a possessive reading of an s-final key ("worker\u2019s", "workers\u2019"),
// 'P' for the plain reading of such a key, 0 otherwise.
char reading_class(std::string_view key, std::string_view form);
// A double as two floats (hi, lo) and back: sums that are not printed counts.
inline std::pair<float, float> split_double(double v) {
  const float hi = static_cast<float>(v);
  return {hi, static_cast<float>(v - static_cast<double>(hi))};
}
inline double join_double(float hi, float lo) {
  return static_cast<double>(hi) + static_cast<double>(lo);
}
// A stored count back to the decimal it was printed as (one decimal below
// 10, whole numbers above): float32 holds them closely enough to recover
// the exact double the TSV gave.
double decimal_count(float v);
double decimal_share(float v);  // two decimals
}  // namespace model_layout

}  // namespace copydesk::restore
