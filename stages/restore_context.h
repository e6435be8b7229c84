// restore_context: decides a stripped word that is itself a word ("its",
// "were", "well", "ill") by its context: "we\u2019re" or "were", "we\u2019ll"
// or "well", and possessives: "nation\u2019s", "nations\u2019" or
// "nations". Words seen fewer than 5 times in training are left to the
// lexicon's class-pooled model. (Possessive-only words used to go there below
// 300 uses; with the shared kind weights below, this model does better for
// them: held-out fiction apostrophe P 0.967 -> 0.970, dev R 0.952 -> 0.954.)
//
//   ContextModel m = ContextModel::load("config/restore");
//   ContextFeatures f = context_features(view.text, view.tokens, i);
//   std::vector<double> post;
//   const AmbiguousWord* w = m.decide("were", f, post);
//   // w->readings = {"were", "we\u2019re"}, post = {0.03, 0.97}
//
// The model is multinomial logistic regression over eight views of the
// context as the channel shows it (the word before, after, two before, two
// after, before and after together, the word's own case, the document's
// register: how often it uses contractions, which speeches do and reports do
// not, and the last three letters of the next and the previous word: "-ing",
// "-ed", "-als"). Each view value
// has a weight of its own per word and reading ("were" read "we\u2019re" after
// "and"), and one shared by every reading of the same kind ("\u2019re",
// "\u2019ll", "\u2019s", the plain word), so rare words borrow from common
// ones. Unlike naive Bayes it does not count overlapping views twice, which
// kept the old model's posteriors timid ("And, by the way, were ripping" at
// 0.86). A temperature fitted on held-out training documents keeps the
// posterior a calibrated probability.
// Trained by make_context_counter() (two passes: which words are ambiguous,
// then their contexts); table config/restore/context2.tsv.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pipeline/huge_pages.h"
#include "pipeline/tokens.h"
#include "stages/restore_channel.h"

namespace copydesk::restore {

enum ContextView : uint8_t {
  kPrev,
  kNext,
  kPrev2,
  kNext2,
  kAround,
  kCase,
  kRegister,
  kNextSuffix,
  kPrevSuffix,
  kContextViews
};

// Each view as a 64-bit hash of its value (0 when the view is not known, e.g.
// beyond a glued token's parts).
struct ContextFeatures {
  std::array<uint64_t, kContextViews> h{};
};

// The neighbour `dir` steps away from token i (dir = -2, -1, +1, +2) as the
// channel shows it: the word lowercased (pieces glued by deleted characters
// joined), else the punctuation character, "<s>" / "</s>" at line edges.
std::string context_neighbour(std::string_view text, const TokenList& toks, size_t i, int dir);

// Features of token i. Neighbours given in `prev` / `next` (when not null)
// replace the text's (the parts of a split glued token). `register_class` is
// the document's (ContextModel::register_class).
ContextFeatures context_features(std::string_view text, const TokenList& toks, size_t i,
                                 int register_class, const std::string* prev = nullptr,
                                 const std::string* next = nullptr);

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

struct AmbiguousWord {
  std::vector<std::string> readings;  // readings[0] = the key as written; others with U+2019
  std::vector<double> prior;          // weighted count of each reading
  std::vector<uint64_t> kinds;        // hash of each reading's kind (reading_kind())
};

// The kind of a reading, whose weights all words share: "" for the plain
// word, else what follows its first apostrophe ("re" for "we\u2019re", "s"
// for "it\u2019s").
std::string reading_kind(std::string_view reading);

class ContextModel {
 public:
  static ContextModel load(const std::string& dir);

  // The ambiguous word for this key (ASCII-lowercased), with the posterior of
  // each of its readings in `post`; nullptr when the key is not ambiguous.
  const AmbiguousWord* decide(std::string_view key, const ContextFeatures& f,
                              std::vector<double>& post) const;

  bool has(std::string_view key) const { return words_.find(key) != words_.end(); }

  // The document's register: 0..3 by how many words per thousand are
  // contractions that are never plain words ("dont", "Im", "theyve").
  int register_class(std::string_view text, const TokenList& toks) const;

 private:
  // Feature hash -> weight: open addressing with linear probing over a
  // power-of-two array built at load (about 300,000 rows). decide() probes it
  // some 20 times per reading at random; one slot of 16 bytes per probe
  // instead of a node chain of a std::unordered_map.
  class WeightTable {
   public:
    void reserve(size_t rows);
    void add(uint64_t key, float w);  // the weight += w (rows may repeat a key)
    float get(uint64_t key) const;    // 0 for a key without a row
    void prefetch(uint64_t key) const {
      if (!slots_.empty()) __builtin_prefetch(slots_.data() + (key & mask_));
    }

   private:
    struct Slot {
      uint64_t key = 0;  // 0: empty (the weight of key 0 lives in zero_)
      float w = 0;
    };
    std::vector<Slot, HugePageAllocator<Slot>> slots_;  // megabytes, probed at random
    uint64_t mask_ = 0;
    size_t used_ = 0;
    float zero_ = 0;
    void grow();
  };

  std::unordered_map<std::string, AmbiguousWord, StringHash, std::equal_to<>> words_;
  WeightTable weights_;
  double temperature_ = 1.0;
  StringSet contractions_;
  // Cheap tests before the set's lookup, run for every word of every
  // document. Bit n set: some contraction key has n bytes. Edges: bit
  // (first byte & 31) * 32 + (last byte & 31) set for some key.
  uint64_t contraction_lengths_ = 0;
  std::array<uint64_t, 16> contraction_edges_{};
};

std::unique_ptr<Counter> make_context_counter();

}  // namespace copydesk::restore
