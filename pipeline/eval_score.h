// Scoring for `copydesk eval`: damage clean text as the shared damage.py
// does, then count restored insertions exactly as the shared score.py does
// (its "insertions" scoring), so that eval's figures and score.py's agree.
//
//   Damaged d = damage(DamageMode::kStripNonAscii, "don\u2019t");   // d.text == "dont"
//   EvalAligner al;
//   DocScore s = score_document(to_u32(d.text), to_u32(clean), to_u32(output),
//                               gold_runs(d, to_u32(clean)), al);
//   EvalTotals t; t.add(s);   // then t.exact.report(), t.folded ...
//
// Units: the scoring works in code points (score.py counts Python str
// characters): offsets in InsertionRuns and AlignOp are code point indices.
// Damaged::insertions also carry byte offsets, for matching pipeline edits.
//
// Gold insertions are known from the damage (every deleted character, at the
// input offset where it was deleted), so no alignment is needed for them;
// when gold = input + deleted characters the alignment score.py runs finds the
// same insertions (the deleted characters cannot match any input character).
// The system's insertions come from aligning its output to the damaged input
// with EvalAligner (score.py's algorithm).
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/eval_align.h"

namespace copydesk::eval {

// --- Damage (damage.py) -------------------------------------------------------

enum class DamageMode {
  kStripNonAscii,     // delete every code point above U+007F
  kStripApostrophes,  // delete ASCII ' and U+2019 only
};
std::optional<DamageMode> parse_damage_mode(std::string_view name);
std::string_view damage_mode_name(DamageMode m);

struct GoldInsertion {
  size_t input_cp = 0;    // code point offset in the damaged text where it was deleted
  size_t input_byte = 0;  // the same offset in UTF-8 bytes
  size_t gold_cp = 0;     // its index in the clean (gold) text, in code points
  char32_t ch = 0;
};

struct Damaged {
  std::string text;                       // the damaged text (UTF-8)
  std::vector<GoldInsertion> insertions;  // every deleted character, in order
};

// Expects valid UTF-8 (check first: damage.py reads only valid text).
Damaged damage(DamageMode mode, std::string_view clean);

// --- Classes and folding (score.py classify, _fold_char, fold_run) -------------

enum class CharClass { kApostrophe, kQuote, kDash, kSpace, kLetter, kEllipsis, kOther, kTraceless };
constexpr size_t kNumClasses = 8;
std::string_view class_name(CharClass c);

// Class of text[pos], judged in its context (score.py classify()).
CharClass classify(const std::u32string& text, size_t pos);

// ASCII style: ’ ‘ ʼ -> ', “ ” „ « » -> ", every dash -> -, … -> ..., every
// Unicode space -> space (score.py fold_text).
std::u32string fold_text(std::u32string_view s);
// fold_text, then every run of dashes as one dash (score.py _fold_cmp).
std::u32string fold_compare_key(std::u32string_view s);

struct InsertedChar {
  char32_t ch = 0;
  CharClass cls = CharClass::kOther;
};
struct FoldedToken {
  std::u32string text;
  CharClass cls = CharClass::kOther;
};
// score.py fold_run: an inserted run as ASCII-style tokens; every dash run is
// one "-" token, spaces in a run holding a dash are dropped.
std::vector<FoldedToken> fold_run(const std::vector<InsertedChar>& run);

// Insertion runs by input offset (code points), in the order inserted.
using InsertionRuns = std::map<size_t, std::vector<InsertedChar>>;

// Gold runs from a damage: each deleted character classified in the clean text.
InsertionRuns gold_runs(const Damaged& d, const std::u32string& clean);

// --- Counting (score.py Counts, score_insertions) --------------------------------

struct PRF {
  size_t gold = 0, tp = 0, fp = 0, fn = 0;
  std::optional<double> precision() const;
  std::optional<double> recall() const;
  std::optional<double> f1() const;
};

struct Counts {
  std::array<PRF, kNumClasses> c{};
  void add(const Counts& o);
  PRF micro() const;             // every class but traceless
  PRF micro_excl_space() const;  // also without space
  PRF& operator[](CharClass k) { return c[static_cast<size_t>(k)]; }
  const PRF& operator[](CharClass k) const { return c[static_cast<size_t>(k)]; }
};

// One false negative, false positive or collateral edit, for --show.
struct Example {
  enum Kind { kFn, kFp, kCollateral } kind = kFn;
  size_t input_cp = 0;
  std::u32string text;      // inserted text (fn/fp) or replacement (collateral)
  std::u32string replaced;  // collateral: the input characters replaced
  CharClass cls = CharClass::kOther;
};

struct DocScore {
  Counts exact, folded;
  size_t collateral = 0;        // input characters deleted or substituted
  size_t collateral_style = 0;  // of those, substitutions equal after folding
  size_t gold_noninsert = 0;    // always 0 with known gold runs
  size_t input_chars = 0, gold_chars = 0;
  size_t dist_before = 0, dist_after = 0, dist_after_folded = 0;
  bool exact_doc = false, exact_doc_folded = false, unchanged = false;
  std::vector<Example> examples;  // exact view; filled when asked
};

// Insertion runs and collateral edits of a system output (score.py _runs).
struct SystemRuns {
  InsertionRuns runs;
  size_t collateral = 0, collateral_style = 0;
  std::vector<AlignOp> collateral_ops;
};
SystemRuns system_runs(const std::vector<AlignOp>& ops, const std::u32string& input,
                       const std::u32string& output);

DocScore score_document(const std::u32string& input, const std::u32string& gold,
                        const std::u32string& output, const InsertionRuns& gold_runs,
                        EvalAligner& aligner, bool keep_examples = false);

struct EvalTotals {
  Counts exact, folded;
  size_t docs = 0, docs_failed = 0, docs_unchanged_output = 0;
  size_t input_chars = 0, gold_chars = 0;
  size_t collateral = 0, collateral_style = 0, gold_noninsert = 0;
  size_t dist_before = 0, dist_after = 0, dist_after_folded = 0;
  size_t docs_exact = 0, docs_exact_folded = 0, docs_improved = 0, docs_worse = 0;
  void add(const DocScore& s);
};

// --- Calibration ------------------------------------------------------------------

// One edit a stage proposed, in the damaged input's bytes.
struct Proposal {
  size_t begin = 0, end = 0;  // replaced span of the damaged input (bytes)
  std::string replacement;
  double confidence = 0;
  bool applied = false;
  std::string rule;
};

// True when the proposal, applied alone, gives the gold text over its span in
// the folded view: fold_compare_key(input span with the gold insertions at its
// offsets begin..end) == fold_compare_key(replacement), spaces ignored when a
// dash is there (dash spacing is style, as in fold_run), invisible format
// marks (U+2060 word joiner, zero-width spaces and joiners, soft hyphen) ignored.
bool proposal_right(const Proposal& p, std::string_view input, const Damaged& d);

struct CalibrationBucket {
  double lo = 0, hi = 0;  // [lo, hi); the last bucket includes 1
  size_t count = 0, applied = 0, right = 0;
  double confidence_sum = 0;
};

class Calibration {
 public:
  Calibration();  // [0,.5) [.5,.6) [.6,.7) [.7,.8) [.8,.9) [.9,.95) [.95,.99) [.99,1]
  void add(double confidence, bool applied, bool right);
  const std::vector<CalibrationBucket>& buckets() const { return buckets_; }

 private:
  std::vector<CalibrationBucket> buckets_;
};

}  // namespace copydesk::eval
