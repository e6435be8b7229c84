// QuoteRestorer: puts back the quotation marks a lossy scraper deleted, as
// part of the restore stage (rule restore.quote.v1).
//
//   QuoteRestorer q = QuoteRestorer::load(ctx.data_path("restore"));
//   std::vector<restore::Insertion> out;
//   q.run(view, protected_tok, out);
//   // "Come here at once, said the captain."
//   //   -> {pos 0, "\u201c", 0.99}, {pos 18, "\u201d", 0.99}
//
// Model (config/restore/quotes.tsv, counted by make_quote_counter()): a gap
// of a line is a candidate when it is not inside a word, not between two
// spaces and not an ordinary gap between two words ("word _word"). Each line
// is a chain of two states, outside and inside a quotation: outside, a gap may
// open one (\u201c); inside, it may close it (\u201d). Two logistic models,
// trained on clean text run through the deletion channel with the true state
// known, give the odds of an open (outside) and of a close (inside) from the
// words and punctuation around the gap; forward-backward gives each quote's
// posterior in its line. Then a document-level logistic model re-scores each
// decision from its posterior, its kind (opening at the line start or inside,
// closing inside or at the line end) and cues of the whole document taken
// from the line level's own decisions (how many line-start openings, how many
// closings followed by a lowercase word, ...): a paragraph "Well, ..." opens
// dialogue in a story and nothing in a speech transcript; besides the chain's
// posterior it weighs the gap's own open or close probability, which the
// chain lowers when the other end of the quotation has no cue. A calibration
// table per kind maps the result to the confidence. All three are fitted by
// the counter, the last two on held-out training documents.
//
// Lines that already hold a quotation mark (ASCII " or curly) are left alone,
// so the output is a fixed point. Nested quotations (\u2018 \u2019) are not
// restored. Offsets are UTF-8 byte offsets into view.text.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/huge_pages.h"
#include "pipeline/stage.h"
#include "stages/restore_channel.h"
#include "stages/restore_insertion.h"

namespace copydesk::restore {

class QuoteRestorer {
 public:
  // Reads dir/quotes.tsv; throws ConfigError (file:line:col) on bad data.
  static QuoteRestorer load(const std::string& dir);

  // Appends one Insertion per restored quote with confidence >= 0.5, in
  // increasing order of pos. protected_tok[i] true: token i is inside a URL or
  // e-mail address; no insertion touches it. pair: pair_up() the decisions.
  void run(const TextView& view, const std::vector<bool>& protected_tok,
           std::vector<Insertion>& out, bool pair = true) const;

  // Posterior of an open (kind 0) or close (kind 1) quote at every candidate
  // gap of a line of damaged text (for training and tests): pos is the byte
  // offset in the line. open_local / close_local: the gap's own open and
  // close models, before the chain weighs them against the rest of the line.
  struct GapPosterior {
    uint32_t pos;
    double open, close;
    double open_local = 0, close_local = 0;
  };
  void line_posteriors(std::string_view line, std::vector<GapPosterior>& out) const;

  // One proposed quote of a document. kind: 0 opening at the line start (no
  // word before it in the line), 1 opening elsewhere, 2 closing before a word
  // of the line, 3 closing at the line end. attr: a space and a lowercase
  // letter follow the gap. posterior: from the line's chain; local: the
  // gap's own open (kinds 0, 1) or close (2, 3) model, before the chain
  // weighs it against the rest of the line (an opening after "said, " whose
  // closing has no cue keeps a high local probability); stacked: after the
  // document-level model; confidence: calibrated.
  struct Decision {
    size_t pos;
    uint32_t line;
    uint8_t kind;
    bool attr;
    double posterior, local, stacked, confidence;
  };
  static constexpr int kKinds = 4, kCues = 4, kBins = 6;
  // bias, logit slope of the posterior, of the local probability, one-hot cue bins
  static constexpr int kPerKind = 3 + kCues * kBins;
  // Document cues, each bucketed into kBins: 0 confident quotes inside lines
  // per line; 1 likely line-start openings per line; 2 share of likely
  // closings followed by a lowercase word (" he said"); 3 share of likely
  // line-start openings whose line also holds a confident inside closing.
  using Cues = std::array<uint8_t, kCues>;

  // Base decisions for every gap of text whose stronger posterior is >= 0.2
  // (lines holding a quotation mark are skipped), in order of pos, and the
  // document's cues (stacked and confidence not yet set).
  void collect(std::string_view text, std::vector<Decision>& out, Cues& cues) const;
  // The document-level model: sets stacked and confidence of each decision.
  void stack(std::vector<Decision>& ds, const Cues& cues) const;
  // Pairs openings with closings in each line (confidence of both: the lower)
  // and lowers the confidence of a quote left without a partner.
  static void pair_up(std::vector<Decision>& ds);
  // Halves the confidence of quotes at line edges (kinds 0 and 3) when no
  // likely quote of the document sits inside a line (kinds 1 and 2).
  static void require_inline_evidence(std::vector<Decision>& ds);
  // Feature indices of the document-level model that fire for a decision
  // (besides the logit slopes, indices kind * kPerKind + 1 and + 2).
  static void stack_features(const Decision& d, const Cues& cues, std::array<int, 1 + kCues>& idx);

  // Confidence for a stacked probability of a decision of a kind (the
  // calibration table of that kind).
  double calibrate(double posterior, int kind) const;

  // Weights of the document-level model (kKinds * kPerKind); empty: none
  // (stacked = posterior). Set by the trainer.
  std::vector<double> stack_weights;

 private:
  struct Weights {
    float open = 0, close = 0;
  };
  // A slot of the table: a 32-bit fingerprint of the key hash (0 = empty)
  // and the two weights in units of 1 / kWeightScale, in 8 bytes, so that a
  // lookup touches one cache line.
  static constexpr float kWeightScale = 1024;
  struct Slot {
    uint32_t fp = 0;
    int16_t open = 0, close = 0;
  };
  static uint32_t fingerprint(uint64_t h) { return static_cast<uint32_t>(h >> 32) | 1u; }
  // Open-addressing hash of feature-key hashes -> weights (linear probing),
  // probed at random 5 to 20 times per candidate gap: in huge pages
  // (pipeline/huge_pages.h).
  struct Table {
    std::vector<Slot, HugePageAllocator<Slot>> slots;
    uint64_t mask = 0;
    const Slot* find(uint64_t h) const {
      if (slots.empty()) return nullptr;
      const uint32_t fp = fingerprint(h);
      for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        if (slots[i].fp == fp) return &slots[i];
        if (slots[i].fp == 0) return nullptr;
      }
    }
    void prefetch(uint64_t h) const {
      if (!slots.empty()) __builtin_prefetch(&slots[h & mask]);
    }
    void build(const std::vector<std::pair<uint64_t, Weights>>& rows);
  };

  Table table_;
  double end_inside_ = 0.1;  // weight of a line that ends inside a quotation
  // Calibration per kind: stacked probability >= lo -> value.
  std::array<std::vector<double>, kKinds> cal_lo_, cal_value_;
};

// The trainer of quotes.tsv (see restore_channel.h for the interface).
std::unique_ptr<Counter> make_quote_counter();

}  // namespace copydesk::restore
