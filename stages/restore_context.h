// restore_context: decides a stripped word that is itself a word ("its",
// "were", "well", "ill") by its context: "we\u2019re" or "were", "we\u2019ll"
// or "well". Readings shaped like a possessive ("government\u2019s",
// "governments\u2019", and so also "it\u2019s") are left to the lexicon's
// model, which pools them by class: measured on held-out fiction, that does
// better for them than this model's per-word counts.
//
//   ContextModel m = ContextModel::load("config/restore");
//   ContextFeatures f = context_features(view.text, view.tokens, i);
//   std::vector<double> post;
//   const AmbiguousWord* w = m.decide("were", f, post);
//   // w->readings = {"were", "we\u2019re"}, post = {0.03, 0.97}
//
// The model is naive Bayes over seven views of the context as the channel
// shows it (the word before, after, two before, two after, before and after
// together, the word's own case, and the document's register: how often it
// uses contractions, which speeches do and reports do not), each view weighted by an exponent that
// the trainer fits on held-out training text, so that the posterior is a
// calibrated probability rather than naive Bayes's overconfident one.
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
};

// Counts keyed by 64-bit hashes: key, reading, view value -> count; key, view
// value -> count over readings; key, reading, view -> total; key, view ->
// total and number of distinct values.
struct ContextCounts {
  std::unordered_map<uint64_t, float> counts, pooled, totals, values;
  void add(std::string_view key, size_t reading, int view, std::string_view value, double n);
};

class ContextModel {
 public:
  static ContextModel load(const std::string& dir);

  // The ambiguous word for this key (ASCII-lowercased), with the posterior of
  // each of its readings in `post`; nullptr when the key is not ambiguous.
  const AmbiguousWord* decide(std::string_view key, const ContextFeatures& f,
                              std::vector<double>& post) const;

  bool has(std::string_view key) const { return words_.find(key) != words_.end(); }
  std::array<double, kContextViews> weights() const { return weights_; }

  // The document's register: 0..3 by how many words per thousand are
  // contractions that are never plain words ("dont", "Im", "theyve").
  int register_class(std::string_view text, const TokenList& toks) const;

 private:
  std::unordered_map<std::string, AmbiguousWord, StringHash, std::equal_to<>> words_;
  ContextCounts counts_;
  std::array<double, kContextViews> weights_{};  // for words without their own
  std::unordered_map<std::string, std::array<double, kContextViews>> key_weights_;
  StringSet contractions_;
};

std::unique_ptr<Counter> make_context_counter();

}  // namespace copydesk::restore
