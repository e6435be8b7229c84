#include "stages/restore_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "pipeline/stage.h"

namespace copydesk::restore {
namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Home slot of a key hash in the lexicon index (FNV's low bits alone are
// poorly mixed).
uint64_t index_home(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

// The common-pair filter: 2^15 bits, two bits per pair from the mixed hash.
constexpr uint64_t kPairFilterMask = (uint64_t{1} << 15) - 1;
uint64_t pair_hash(std::string_view w1, std::string_view w2) {
  return ModelHash().add(w1).add(' ').add(w2).value();
}

GlueCounts glue_counts(ModelEntry e) {
  if (!e) return GlueCounts{};
  return GlueCounts{model_layout::decimal_count(e.value(0)),
                    model_layout::decimal_count(e.value(1)),
                    model_layout::decimal_count(e.value(2))};
}

}  // namespace

RestoreModel RestoreModel::load(const std::string& dir) {
  using namespace model_layout;
  const ModelFile file = ModelFile::open(dir + "/model.bin");
  RestoreModel m;
  m.lexicon_ = file.table(kLexicon, 2);
  m.glue_left_ = file.table(kGlueLeft, 3);
  m.glue_right_ = file.table(kGlueRight, 3);
  m.pairs_ = file.table(kPairs, 3);
  m.labels_ = file.table(kLabels, 2);
  m.gaps_ = file.table(kGaps, kGapClasses);
  m.suffix_poss_ = file.table(kSuffixPossessive, 4);
  m.context_ = file.table(kContext, 1);
  m.pooled_ = file.table(kPooled, 1);
  m.totals_ = file.table(kTotals, 1);
  m.class_ = file.table(kClass, 1);
  const ModelTable meta = file.table(kMeta, 6);
  if (ModelEntry g = meta.find(model_hash(kGluePriorKey))) {
    m.glue_prior_ = {join_double(g.value(0), g.value(1)), join_double(g.value(2), g.value(3)),
                     join_double(g.value(4), g.value(5))};
  }
  auto corrupt = [&](const std::string& what) { throw ConfigError(file.path() + ": " + what); };
  // Lexicon entries: decoded once (the API hands out LexEntry pointers).
  size_t cap = 16;
  while (2 * cap < 3 * m.lexicon_.size()) cap *= 2;
  m.lex_index_.assign(cap, LexSlot{});
  m.lex_mask_ = cap - 1;
  m.lex_entries_.reserve(m.lexicon_.size());
  for (size_t s = 0; s < m.lexicon_.slot_count(); ++s) {
    ModelEntry e = m.lexicon_.at_slot(s);
    if (!e) continue;
    LexEntry le;
    le.plain = decimal_count(e.value(0));
    le.cap_share = decimal_share(e.value(1));
    std::string_view blob = e.blob();
    while (!blob.empty()) {
      uint32_t len = 0;
      if (blob.size() < 4) corrupt("a lexicon entry's forms are cut short");
      std::memcpy(&len, blob.data(), 4);
      if (blob.size() < 8 + static_cast<size_t>(len))
        corrupt("a lexicon entry's forms are cut short");
      float c = 0;
      std::memcpy(&c, blob.data() + 4 + len, 4);
      le.forms.push_back({std::string(blob.substr(4, len)), decimal_count(c)});
      blob.remove_prefix(8 + len);
    }
    const uint64_t h = m.lexicon_.hash_at_slot(s);
    uint64_t k = index_home(h) & m.lex_mask_;
    while (m.lex_index_[k].hash != 0) k = (k + 1) & m.lex_mask_;
    m.lex_index_[k] = {
        h, e.value(0),
        static_cast<uint32_t>(m.lex_entries_.size()) | (le.forms.empty() ? 0 : kHasForms)};
    m.lex_entries_.push_back(std::move(le));
  }
  m.common_pairs_.assign((kPairFilterMask + 1) / 64, 0);
  for (size_t s = 0; s < m.pairs_.slot_count(); ++s)
    if (ModelEntry e = m.pairs_.at_slot(s)) {
      const GlueCounts g = glue_counts(e);  // as pair() returns them
      m.max_pair_count_ = std::max(m.max_pair_count_, g.dash + g.nbsp);
      if (g.dash + g.nbsp < kCommonPair) continue;
      const uint64_t h = index_home(m.pairs_.hash_at_slot(s));
      for (uint64_t bit : {h & kPairFilterMask, (h >> 32) & kPairFilterMask})
        m.common_pairs_[bit >> 6] |= uint64_t{1} << (bit & 63);
    }
  m.labels_by_slot_.resize(m.labels_.slot_count());
  for (size_t s = 0; s < m.labels_.slot_count(); ++s)
    if (ModelEntry e = m.labels_.at_slot(s)) {
      const double count = decimal_count(e.value(0)), total = decimal_count(e.value(1));
      m.labels_by_slot_[s] = Label{std::string(e.blob()), total > 0 ? count / total : 0.0, count};
    }
  m.gaps_by_slot_.resize(m.gaps_.slot_count());
  for (size_t s = 0; s < m.gaps_.slot_count(); ++s)
    if (ModelEntry e = m.gaps_.at_slot(s))
      for (int k = 0; k < kGapClasses; ++k) m.gaps_by_slot_[s][k] = decimal_count(e.value(k));
  return m;
}

const RestoreModel::Label* RestoreModel::label(std::string_view token) const {
  long s = labels_.slot_of(model_hash(token));
  return s < 0 ? nullptr : &labels_by_slot_[s];
}

const RestoreModel::LexSlot* RestoreModel::lex_slot(uint64_t hash) const {
  for (uint64_t k = index_home(hash) & lex_mask_;; k = (k + 1) & lex_mask_) {
    const LexSlot& s = lex_index_[k];
    if (s.hash == hash) return &s;
    if (s.hash == 0) return nullptr;
  }
}

const LexEntry* RestoreModel::lookup(std::string_view key) const {
  const LexSlot* s = lex_slot(model_hash(key));
  return s ? &lex_entries_[s->entry & ~kHasForms] : nullptr;
}

RestoreModel::LexBrief RestoreModel::brief(std::string_view key) const {
  const LexSlot* s = lex_slot(model_hash(key));
  if (!s) return {};
  return {true, (s->entry & kHasForms) != 0, model_layout::decimal_count(s->plain),
          s->entry & ~kHasForms};
}

void RestoreModel::prefetch_word(std::string_view token) const {
  ModelHash h;
  for (char c : token) h.add(ascii_lower(c));
  __builtin_prefetch(&lex_index_[index_home(h.value()) & lex_mask_]);
}

double RestoreModel::word_count(std::string_view key) const {
  // From the index's slot (the same float LexEntry::plain was decoded from):
  // the glued-word search asks for many substrings of each word.
  return brief(key).plain;
}

bool RestoreModel::is_ambiguous(std::string_view key) const {
  return static_cast<bool>(totals_.find(model_layout::ctx_hash({key, "R"})));
}

std::vector<double> RestoreModel::context_posterior(std::string_view key, const LexEntry& e,
                                                    std::string_view left,
                                                    std::string_view right) const {
  // Naive Bayes over the two neighbours: score(r) = log n(r) + sum over sides
  // of log P(x | r), P(x | r) = (c(r, x) + a * n(r) * Pb(x)) / (n(r) * (1 + a)),
  // where Pb is the key's pooled neighbour distribution (add-one smoothed),
  // mixed for plural/possessive readings with their class's distribution.
  // Unseen neighbours then leave the prior as it is instead of flattening it.
  // Then the seen (left, right) pair, when there is one, pulls the posterior
  // towards its own counts (Dirichlet, strength kTriple).
  using model_layout::ctx_hash;
  constexpr double kAlpha = 0.3;
  constexpr double kTriple = 3.0;
  auto get = [](const ModelTable& m, uint64_t k) -> double {
    ModelEntry en = m.find(k);
    return en ? en.value(0) : 0.0;
  };
  const size_t n_readings = 1 + e.forms.size();
  auto reading = [&](size_t r) -> std::pair<std::string_view, double> {
    return r == 0 ? std::pair<std::string_view, double>{key, e.plain}
                  : std::pair<std::string_view, double>{e.forms[r - 1].form, e.forms[r - 1].count};
  };
  // Pb depends on the side and the reading's class only, not on the reading
  // itself: it is computed once per side (and per class, on first use), as
  // every lookup is a likely cache miss. Side 0 is L, 1 is R.
  const std::pair<std::string_view, std::string_view> sides[2] = {{"L", left}, {"R", right}};
  double own_pb[2];
  for (int sd = 0; sd < 2; ++sd) {
    const auto [side, nb] = sides[sd];
    own_pb[sd] = (get(pooled_, ctx_hash({key, side, nb})) + 1.0) /
                 (get(totals_, ctx_hash({key, side})) + 1000.0);
  }
  double class_pb[2][2];  // ['P' or 'S'][side]
  bool have_class[2] = {false, false};
  auto background = [&](char cls, int sd) -> double {
    if (!cls) return own_pb[sd];
    const int k = cls == 'P' ? 0 : 1;
    if (!have_class[k]) {
      const std::string_view c(&cls, 1);
      for (int j = 0; j < 2; ++j) {
        const auto [side, nb] = sides[j];
        class_pb[k][j] = 0.5 * own_pb[j] + 0.5 * (get(class_, ctx_hash({c, side, nb})) + 0.5) /
                                               (get(class_, ctx_hash({c, side})) + 25000.0);
      }
      have_class[k] = true;
    }
    return class_pb[k][sd];
  };
  std::vector<double> score(n_readings);
  double best = -1e300;
  for (size_t r = 0; r < n_readings; ++r) {
    const auto [form, count] = reading(r);
    const double n = std::max(count, 0.5);
    double s = std::log(n);
    const char cls = model_layout::reading_class(key, form);
    for (int sd = 0; sd < 2; ++sd) {
      const auto [side, nb] = sides[sd];
      const double pb = background(cls, sd);
      double c = get(context_, ctx_hash({key, form, side, nb}));
      s += std::log((c + kAlpha * n * pb) / (n * (1 + kAlpha)));
    }
    score[r] = s;
    best = std::max(best, s);
  }
  double z = 0;
  for (double& s : score) {
    s = std::exp(s - best);
    z += s;
  }
  for (double& s : score) s /= z;
  // The (left, right) pair: "left right" as one neighbour field.
  auto both_hash = [&](std::string_view form) {
    ModelHash h;
    h.add(key).add('\t');
    if (!form.empty()) h.add(form).add('\t');
    return h.add("T").add('\t').add(left).add(' ').add(right).add('\t').value();
  };
  const double t = get(totals_, both_hash({}));
  if (t > 0) {
    for (size_t r = 0; r < n_readings; ++r)
      score[r] = (get(context_, both_hash(reading(r).first)) + kTriple * score[r]) / (t + kTriple);
  }
  return score;
}

double RestoreModel::possessive_share(std::string_view base) const {
  double prior = 0.5;
  for (size_t len : {1, 2, 3}) {
    if (base.size() < len + 1) break;
    ModelHash h;
    for (char ch : base.substr(base.size() - len)) h.add(ascii_lower(ch));
    ModelEntry c = suffix_poss_.find(h.value());
    if (!c) break;
    const double poss = model_layout::join_double(c.value(0), c.value(1));
    const double plural = model_layout::join_double(c.value(2), c.value(3));
    prior = (poss + 3.0 * prior) / (poss + plural + 3.0);
  }
  return prior;
}

GlueCounts RestoreModel::glue(std::string_view word, char side) const {
  return glue_counts((side == 'L' ? glue_left_ : glue_right_).find(model_hash(word)));
}

GlueCounts RestoreModel::pair(std::string_view w1, std::string_view w2) const {
  return glue_counts(pairs_.find(pair_hash(w1, w2)));
}

bool RestoreModel::may_be_common_pair(std::string_view w1, std::string_view w2) const {
  const uint64_t h = index_home(pair_hash(w1, w2));
  for (uint64_t bit : {h & kPairFilterMask, (h >> 32) & kPairFilterMask})
    if (!((common_pairs_[bit >> 6] >> (bit & 63)) & 1)) return false;
  return true;
}

const GapCounts* RestoreModel::gap(std::string_view kind, std::string_view left,
                                   std::string_view right) const {
  long s = gaps_.slot_of(ModelHash().add(kind).add('\t').add(left).add('\t').add(right).value());
  return s < 0 ? nullptr : &gaps_by_slot_[s];
}

namespace model_layout {

std::string ctx_key(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    out += p;
    out += '\t';
  }
  return out;
}

uint64_t ctx_hash(std::initializer_list<std::string_view> parts) {
  ModelHash h;
  for (std::string_view p : parts) h.add(p).add('\t');
  return h.value();
}

char reading_class(std::string_view key, std::string_view form) {
  // Short keys are mostly contractions of function words (it\u2019s, let\u2019s,
  // that\u2019s): they would swamp the possessive class; they have ample
  // contexts of their own.
  if (key.size() < 6 || key.back() != 's') return 0;
  if (form == key) return 'P';
  constexpr std::string_view kApostropheU = "\u2019";
  // form == key minus 's' + "\u2019s", or key + "\u2019".
  if (form.size() == key.size() + kApostropheU.size()) {
    const std::string_view stem = key.substr(0, key.size() - 1);
    if (form.substr(0, stem.size()) == stem &&
        form.substr(stem.size(), kApostropheU.size()) == kApostropheU && form.back() == 's')
      return 'S';
    if (form.substr(0, key.size()) == key && form.substr(key.size()) == kApostropheU) return 'S';
  }
  return 0;
}

double decimal_count(float v) {
  const double d = v;
  if (d >= 9.95) return std::nearbyint(d);
  return std::nearbyint(d * 10.0) / 10.0;
}

double decimal_share(float v) { return std::nearbyint(static_cast<double>(v) * 100.0) / 100.0; }

}  // namespace model_layout

}  // namespace copydesk::restore
