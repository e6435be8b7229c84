#include "stages/restore_context.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "pipeline/data_files.h"
#include "pipeline/stage.h"

namespace copydesk::restore {
namespace {

constexpr std::string_view kApostrophe = "\u2019";
constexpr double kMinReadingShare = 0.01;  // a reading this common makes a word ambiguous
constexpr double kMinWordCount = 5.0;
constexpr int kHeldOutEvery = 10;  // every 10th document fits the temperature
// Features seen fewer times get no weight (4 rather than 3 keeps the table
// under 8 MB with every possessive word in it; held-out apostrophe P 0.970
// instead of 0.972 at 3).
constexpr uint32_t kMinFeatureCount = 4;
constexpr int kEpochs = 6;
constexpr double kLearningRate = 0.2;  // AdaGrad
constexpr double kL2 = 1e-4;
constexpr double kMinWrittenWeight = 0.01;

const char* const kViewNames[kContextViews] = {
    "prev", "next", "prev2", "next2", "around", "case", "register", "next-suffix", "prev-suffix"};
constexpr double kMinContractionCount = 20.0;  // a contraction key for the register view

// Register class from contractions per thousand words.
// True when a reading's apostrophe is a possessive's ("nation\u2019s",
// "nations\u2019"): such words share one set of view weights, contractions
// ("it\u2019s", "we\u2019re") another.
bool possessive_reading(std::string_view r) {
  const size_t a = r.find("\u2019");
  if (a == std::string_view::npos) return false;
  return (a + 3 + 1 == r.size() && r.back() == 's') ||
         (a + 3 == r.size() && a > 0 && r[a - 1] == 's');
}

int register_bucket(size_t contractions, size_t words) {
  if (words == 0 || contractions == 0) return 0;
  const double per_k = 1000.0 * static_cast<double>(contractions) / static_cast<double>(words);
  return per_k < 3 ? 1 : per_k < 10 ? 2 : 3;
}

// Bit of a word's first and last byte in the edge filter, case-blind for
// letters (c & 31 is the same for 'a' and 'A').
size_t edge_bit(std::string_view w) {
  return (static_cast<size_t>(w.front() & 31) << 5) | static_cast<size_t>(w.back() & 31);
}

// `lengths`: bit n clear when no key of `contractions` has n bytes; `edges`
// (or nullptr): bit edge_bit() clear when no key starts and ends so. Those
// words are not looked up.
template <class Set>
int register_of(const Set& contractions, uint64_t lengths, const uint64_t* edges,
                std::string_view text, const TokenList& toks) {
  size_t words = 0, hits = 0;
  char buf[16];
  for (const Token& t : toks) {
    if (t.kind != TokenKind::kWord || !t.ascii) continue;
    ++words;
    const size_t n = t.end - t.begin;
    if (n < 2 || n > sizeof buf || !((lengths >> n) & 1)) continue;
    if (edges) {
      const size_t e = edge_bit(t.in(text));
      if (!((edges[e >> 6] >> (e & 63)) & 1)) continue;
    }
    for (size_t k = 0; k < n; ++k) {
      char c = text[t.begin + k];
      buf[k] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (contractions.find(std::string_view(buf, n)) != contractions.end()) ++hits;
  }
  return register_bucket(hits, words);
}

uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t hash_parts(std::initializer_list<std::string_view> parts) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (std::string_view p : parts) {
    for (unsigned char c : p) h = (h ^ c) * 0x100000001b3ULL;
    h = (h ^ 0x1f) * 0x100000001b3ULL;
  }
  return mix(h);
}

uint64_t value_hash(int view, std::string_view value) {
  const char tag = static_cast<char>('0' + view);
  return hash_parts({std::string_view(&tag, 1), value});
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool deleted_token(std::string_view text, const Token& t) {
  if (t.kind == TokenKind::kNewline) return false;
  return !t.ascii || t.in(text) == "'";
}

// One neighbour step from token k (exclusive) in direction dir (+1/-1):
// fills `out` (its buffer reused) and returns the index past it, or -1 at a
// line edge.
long step(std::string_view text, const TokenList& toks, long k, int dir, std::string& out) {
  const long n = static_cast<long>(toks.size());
  auto at_end = [&](long m) { return m < 0 || m >= n; };
  k += dir;
  while (!at_end(k) && (toks[k].kind == TokenKind::kSpace || deleted_token(text, toks[k])))
    k += dir;
  if (at_end(k) || toks[k].kind == TokenKind::kNewline) {
    out = dir > 0 ? "</s>" : "<s>";
    return -1;
  }
  const Token& t = toks[k];
  out.assign(t.in(text));
  if (t.kind != TokenKind::kWord && t.kind != TokenKind::kNumber) return k;
  // Pieces glued by deleted characters, joined in text order.
  long m = k + dir;
  long last = k;
  while (true) {
    long p = m;
    while (!at_end(p) && deleted_token(text, toks[p]) && toks[p].kind != TokenKind::kSpace)
      p += dir;
    if (at_end(p) || p == m) break;
    if (toks[p].kind != TokenKind::kWord && toks[p].kind != TokenKind::kNumber) break;
    if (dir > 0)
      out.append(toks[p].in(text));
    else
      out.insert(0, toks[p].in(text));
    last = p;
    m = p + dir;
  }
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return last;
}

std::string_view case_of(std::string_view w) {
  bool upper0 = !w.empty() && w[0] >= 'A' && w[0] <= 'Z';
  if (!upper0) return "l";
  bool all = w.size() >= 2 &&
             std::none_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  return all ? "A" : "C";
}

// Feature values of token i as strings (the trainer keeps them readable),
// in buffers the caller reuses: no allocation per word once they are warm.
struct FeatureValues {
  std::array<std::string, kContextViews> v;
  std::string p1, p2, n1, n2;  // the neighbours
};

void feature_values(std::string_view text, const TokenList& toks, size_t i, int register_class,
                    const std::string* prev, const std::string* next, FeatureValues& fv) {
  auto& v = fv.v;
  std::string &p1 = fv.p1, &p2 = fv.p2, &n1 = fv.n1, &n2 = fv.n2;
  long k = static_cast<long>(i);
  long pk = step(text, toks, k, -1, p1);
  if (prev) p1 = *prev;
  if (pk >= 0 && !prev)
    step(text, toks, pk, -1, p2);
  else
    p2 = pk < 0 ? "<s>" : "";
  long nk = step(text, toks, k, +1, n1);
  if (next) n1 = *next;
  if (nk >= 0 && !next)
    step(text, toks, nk, +1, n2);
  else
    n2 = nk < 0 ? "</s>" : "";
  auto joined = [](std::string& out, const std::string& a, const std::string& b) {
    out.assign(a).append(1, ' ').append(b);
  };
  v[kPrev] = p1;
  v[kNext] = n1;
  if (p2.empty())
    v[kPrev2].clear();
  else
    joined(v[kPrev2], p2, p1);
  if (n2.empty())
    v[kNext2].clear();
  else
    joined(v[kNext2], n1, n2);
  joined(v[kAround], p1, n1);
  v[kCase] = case_of(toks[i].in(text));
  v[kRegister].assign(1, 'r').append(std::to_string(register_class));
  // Word endings carry the syntax for words too rare to have weights of
  // their own ("individuals were", "were finalizing").
  auto ending = [](std::string& out, const std::string& w) {
    const bool word = w.size() >= 5 &&
                      std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (word)
      out.assign(w, w.size() - 3);
    else
      out.clear();
  };
  ending(v[kNextSuffix], n1);
  ending(v[kPrevSuffix], p1);
}

}  // namespace

std::string context_neighbour(std::string_view text, const TokenList& toks, size_t i, int dir) {
  std::string out;
  long k = step(text, toks, static_cast<long>(i), dir > 0 ? 1 : -1, out);
  if (dir == 2 || dir == -2) {
    if (k < 0) return out;
    step(text, toks, k, dir > 0 ? 1 : -1, out);
  }
  return out;
}

ContextFeatures context_features(std::string_view text, const TokenList& toks, size_t i,
                                 int register_class, const std::string* prev,
                                 const std::string* next) {
  thread_local FeatureValues fv;
  feature_values(text, toks, i, register_class, prev, next, fv);
  const auto& values = fv.v;
  ContextFeatures f;
  for (int view = 0; view < kContextViews; ++view)
    f.h[view] = values[view].empty() ? 0 : value_hash(view, values[view]);
  return f;
}

// --- model ----------------------------------------------------------------

std::string reading_kind(std::string_view reading) {
  const size_t a = reading.find(kApostrophe);
  if (a == std::string_view::npos) return "";
  return ascii_lower(reading.substr(a + kApostrophe.size()));
}

namespace {

using Weights = std::unordered_map<uint64_t, float>;

uint64_t kind_hash(std::string_view kind) { return hash_parts({"kind", kind}); }

// Weight keys: one per word, reading and view value; one per reading kind and
// view value (shared by all words); one bias per word and reading.
uint64_t word_feature(uint64_t kh, size_t reading, uint64_t fv) {
  return mix(kh ^ mix(fv + 0x9e3779b97f4a7c15ULL * (reading + 1)));
}
uint64_t kind_feature(uint64_t kind, uint64_t fv) {
  return mix(kind ^ mix(fv ^ 0x5851f42d4c957f2dULL));
}
uint64_t bias_feature(uint64_t kh, size_t reading) {
  return mix(kh ^ mix(0x51ed270b27a3ULL + reading));
}

// Calls fn(weight key) for every feature of reading r.
// The plain reading is the reference: its score is its log prior alone.
template <class Fn>
void for_each_feature(uint64_t kh, const AmbiguousWord& w, size_t r, const ContextFeatures& f,
                      Fn&& fn) {
  if (r == 0) return;
  fn(bias_feature(kh, r));
  for (int view = 0; view < kContextViews; ++view) {
    if (f.h[view] == 0) continue;
    fn(word_feature(kh, r, f.h[view]));
    fn(kind_feature(w.kinds[r], f.h[view]));
  }
}

double log_prior(const AmbiguousWord& w, size_t r) {
  double total = 0;
  for (double p : w.prior) total += p;
  return std::log((w.prior[r] + 0.5) / (total + 1.0));
}

// Sum of the reading's feature weights (the linear score before the
// temperature and the prior).
template <class Lookup>
double linear_score(uint64_t kh, const AmbiguousWord& w, size_t r, const ContextFeatures& f,
                    Lookup&& weight) {
  double s = 0;
  for_each_feature(kh, w, r, f, [&](uint64_t k) { s += weight(k); });
  return s;
}

void softmax(std::vector<double>& s) {
  const double m = *std::max_element(s.begin(), s.end());
  double z = 0;
  for (double& x : s) z += (x = std::exp(x - m));
  for (double& x : s) x /= z;
}

void set_kinds(AmbiguousWord& w) {
  w.kinds.clear();
  for (const auto& r : w.readings) w.kinds.push_back(kind_hash(reading_kind(r)));
}

}  // namespace

// The table holds hundreds of thousands of weight rows: parsed in place
// (string views and from_chars, no copy per field) to load in well under a
// second.
ContextModel ContextModel::load(const std::string& dir) {
  ContextModel m;
  const std::string path = dir + "/context2.tsv";
  const std::string content = read_data_file(path);
  m.weights_.reserve(static_cast<size_t>(std::count(content.begin(), content.end(), '\n')));
  bool have_temperature = false;
  // Weight rows are added in batches whose table slots were prefetched as
  // they were parsed (in file order: rows repeating a key sum as before).
  std::vector<std::pair<uint64_t, float>> pending;
  pending.reserve(64);
  auto flush = [&] {
    for (const auto& [k, w] : pending) m.weights_.add(k, w);
    pending.clear();
  };
  auto add_weight = [&](uint64_t k, float w) {
    m.weights_.prefetch(k);
    pending.emplace_back(k, w);
    if (pending.size() == 64) flush();
  };
  std::array<std::string_view, 8> f;
  size_t line_no = 0;
  for (size_t pos = 0; pos < content.size();) {
    size_t eol = content.find('\n', pos);
    if (eol == std::string::npos) eol = content.size();
    std::string_view line(content.data() + pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    size_t nf = 0;
    for (size_t start = 0; nf < f.size();) {
      const size_t tab = line.find('\t', start);
      f[nf++] = line.substr(start, tab == std::string_view::npos ? line.npos : tab - start);
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    auto fail = [&](size_t col, const std::string& what) {
      throw ConfigError(data_error(path, line_no, col, what));
    };
    auto number = [&](size_t k) {
      double x = 0;
      if (plain_decimal(f[k], x)) return x;
      const auto [end, ec] = std::from_chars(f[k].data(), f[k].data() + f[k].size(), x);
      if (ec != std::errc() || end != f[k].data() + f[k].size() || f[k].empty())
        fail(k + 1, "expected a number in column " + std::to_string(k + 1));
      return x;
    };
    auto view_of = [&](size_t k) {
      for (int v = 0; v < kContextViews; ++v)
        if (f[k] == kViewNames[v]) return v;
      fail(k + 1, "unknown view \"" + std::string(f[k]) + "\"");
      return 0;
    };
    auto reading_of = [&](size_t k) {
      auto it = m.words_.find(f[1]);
      const double r = number(k);
      if (it == m.words_.end() || r < 1 || r >= static_cast<double>(it->second.readings.size()))
        fail(1, "weight for an unknown word or reading");
      return static_cast<size_t>(r);
    };
    if (f[0] == "T" && nf == 2) {
      m.temperature_ = number(1);
      have_temperature = true;
    } else if (f[0] == "R" && nf == 2) {
      m.contractions_.emplace(f[1]);
      if (f[1].size() < 64) m.contraction_lengths_ |= uint64_t{1} << f[1].size();
      if (!f[1].empty()) {
        const size_t e = edge_bit(f[1]);
        m.contraction_edges_[e >> 6] |= uint64_t{1} << (e & 63);
      }
    } else if (f[0] == "K" && nf == 4) {
      AmbiguousWord& w = m.words_[std::string(f[1])];
      w.readings.emplace_back(f[2]);
      w.prior.push_back(number(3));
      set_kinds(w);
    } else if (f[0] == "B" && nf == 4) {
      const size_t r = reading_of(2);
      add_weight(bias_feature(hash_parts({f[1]}), r), static_cast<float>(number(3)));
    } else if (f[0] == "F" && nf == 6) {
      const size_t r = reading_of(2);
      const uint64_t fv = value_hash(view_of(3), f[4]);
      add_weight(word_feature(hash_parts({f[1]}), r, fv), static_cast<float>(number(5)));
    } else if (f[0] == "S" && nf == 5) {
      const uint64_t fv = value_hash(view_of(2), f[3]);
      add_weight(kind_feature(kind_hash(f[1]), fv), static_cast<float>(number(4)));
    } else {
      fail(1, "expected a T, R, K, B, F or S row");
    }
  }
  flush();
  if (!have_temperature) throw ConfigError(path + ": no T (temperature) row");
  return m;
}

int ContextModel::register_class(std::string_view text, const TokenList& toks) const {
  return register_of(contractions_, contraction_lengths_, contraction_edges_.data(), text, toks);
}

void ContextModel::WeightTable::reserve(size_t rows) {
  size_t cap = 16;
  while (3 * cap < 4 * rows) cap *= 2;
  if (cap <= slots_.size()) return;
  const std::vector<Slot, HugePageAllocator<Slot>> old = std::move(slots_);
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  used_ = 0;
  const float zero = zero_;
  for (const Slot& x : old)
    if (x.key != 0) add(x.key, x.w);
  zero_ = zero;
}

void ContextModel::WeightTable::grow() { reserve(std::max<size_t>(16, 2 * slots_.size())); }

void ContextModel::WeightTable::add(uint64_t key, float w) {
  if (key == 0) {
    zero_ += w;
    return;
  }
  if (4 * (used_ + 1) > 3 * slots_.size()) grow();
  for (uint64_t i = key & mask_;; i = (i + 1) & mask_) {
    Slot& x = slots_[i];
    if (x.key == key) {
      x.w += w;
      return;
    }
    if (x.key == 0) {
      x.key = key;
      x.w = 0;
      x.w += w;
      ++used_;
      return;
    }
  }
}

float ContextModel::WeightTable::get(uint64_t key) const {
  if (key == 0) return zero_;
  if (slots_.empty()) return 0;
  for (uint64_t i = key & mask_;; i = (i + 1) & mask_) {
    const Slot& x = slots_[i];
    if (x.key == key) return x.w;
    if (x.key == 0) return 0;
  }
}

const AmbiguousWord* ContextModel::decide(std::string_view key, const ContextFeatures& f,
                                          std::vector<double>& post) const {
  auto it = words_.find(key);
  if (it == words_.end()) return nullptr;
  const AmbiguousWord& w = it->second;
  const uint64_t kh = hash_parts({key});
  // Each reading's weight keys are computed and prefetched first, so that
  // their cache misses overlap, then summed in the same order as
  // linear_score().
  std::array<uint64_t, 1 + 2 * kContextViews> keys;
  post.resize(w.readings.size());
  for (size_t r = 0; r < w.readings.size(); ++r) {
    size_t n = 0;
    for_each_feature(kh, w, r, f, [&](uint64_t k) {
      weights_.prefetch(k);
      keys[n++] = k;
    });
    double s = 0;
    for (size_t j = 0; j < n; ++j) s += static_cast<double>(weights_.get(keys[j]));
    post[r] = log_prior(w, r) + temperature_ * s;
  }
  softmax(post);
  return &w;
}

// --- trainer --------------------------------------------------------------

namespace {

class ContextCounter final : public Counter {
 public:
  int passes() const override { return 2; }

  void begin_pass(int pass) override {
    pass_ = pass;
    doc_ = 0;
    if (pass == 1) choose_ambiguous();
  }

  void add(std::string_view /*clean*/, const StrippedText& s, double weight) override {
    const TokenList toks = tokenize(s.text);
    const bool held_out = pass_ == 1 && (doc_++ % kHeldOutEvery) == kHeldOutEvery - 1;
    const int reg =
        pass_ == 1 ? register_of(contractions_, ~uint64_t{0}, nullptr, s.text, toks) : 0;
    FeatureValues fv;
    for (size_t i = 0; i < toks.size(); ++i) {
      const Token& t = toks[i];
      if (t.kind != TokenKind::kWord) continue;
      std::string reading;
      if (!reading_of(s, t, reading)) continue;
      const std::string key = ascii_lower(t.in(s.text));
      if (pass_ == 0) {
        readings_[key][reading] += weight;
        continue;
      }
      auto it = key_index_.find(key);
      if (it == key_index_.end()) continue;
      const Key& k = keys_[it->second];
      const size_t r = std::find(k.word.readings.begin(), k.word.readings.end(), reading) -
                       k.word.readings.begin();
      if (r == k.word.readings.size()) continue;  // a rare reading, pruned
      Instance in{it->second, static_cast<uint8_t>(r), static_cast<float>(weight), held_out, {}};
      feature_values(s.text, toks, i, reg, nullptr, nullptr, fv);
      const auto& values = fv.v;
      for (int view = 0; view < kContextViews; ++view) {
        if (values[view].empty()) continue;
        const uint64_t fv = value_hash(view, values[view]);
        in.f.h[view] = fv;
        values_.try_emplace(fv, view, values[view]);
      }
      instances_.push_back(in);
    }
  }

  void write(const std::string& dir) const override {
    // Which features occur often enough to get a weight, then AdaGrad over
    // the training instances, then the temperature on the held-out ones.
    std::unordered_map<uint64_t, uint32_t> seen;
    Params params;
    std::unordered_map<uint64_t, Row> rows;  // what each weight means, for the table
    auto count = [&](uint64_t f, const Row& row) {
      if (++seen[f] != kMinFeatureCount) return;
      params.emplace(f, Param{});
      rows.emplace(f, row);
    };
    for (const Instance& in : instances_) {
      if (in.held_out) continue;
      const Key& k = keys_[in.key];
      for (uint8_t r = 1; r < k.word.readings.size(); ++r)
        for (int view = 0; view < kContextViews; ++view) {
          const uint64_t fv = in.f.h[view];
          if (fv == 0) continue;
          count(word_feature(k.hash, r, fv), Row{'F', in.key, r, fv});
          count(kind_feature(k.word.kinds[r], fv), Row{'S', in.key, r, fv});
        }
    }
    for (uint32_t key = 0; key < keys_.size(); ++key)
      for (uint8_t r = 1; r < keys_[key].word.readings.size(); ++r) {
        params.try_emplace(bias_feature(keys_[key].hash, r));
        rows.try_emplace(bias_feature(keys_[key].hash, r), Row{'B', key, r, 0});
      }

    std::vector<size_t> order;
    for (size_t n = 0; n < instances_.size(); ++n)
      if (!instances_[n].held_out) order.push_back(n);
    std::mt19937_64 rng(20261129);
    std::vector<double> p;
    for (int epoch = 0; epoch < kEpochs; ++epoch) {
      std::shuffle(order.begin(), order.end(), rng);
      for (size_t n : order) {
        const Instance& in = instances_[n];
        const Key& k = keys_[in.key];
        posterior(params, k, in.f, 1.0, p);
        for (size_t r = 0; r < p.size(); ++r) {
          const double g = (p[r] - (r == in.reading ? 1.0 : 0.0)) * in.weight;
          for_each_feature(k.hash, k.word, r, in.f, [&](uint64_t f) {
            auto it = params.find(f);
            if (it == params.end()) return;
            Param& q = it->second;
            const double grad = g + kL2 * q.w;
            q.g2 += static_cast<float>(grad * grad);
            q.w -= static_cast<float>(kLearningRate * grad / std::sqrt(q.g2 + 1e-8));
          });
        }
      }
    }

    double temperature = 1.0, best_loss = INFINITY;
    for (double t = 0.5; t <= 2.001; t += 0.05) {
      double loss = 0;
      for (const Instance& in : instances_) {
        if (!in.held_out) continue;
        posterior(params, keys_[in.key], in.f, t, p);
        loss -= in.weight * std::log(std::max(p[in.reading], 1e-12));
      }
      if (loss < best_loss) best_loss = loss, temperature = t;
    }
    report_held_out(params, temperature);
    write_table(dir, params, rows, temperature);
  }

 private:
  struct Key {
    std::string name;
    uint64_t hash;
    AmbiguousWord word;
  };
  struct Instance {
    uint32_t key;
    uint8_t reading;
    float weight;
    bool held_out;
    ContextFeatures f;
  };
  struct Param {
    float w = 0, g2 = 0;
  };
  struct Row {  // B (bias), F (word feature) or S (shared by a reading kind)
    char type;
    uint32_t key;
    uint8_t reading;
    uint64_t value;
  };
  using Params = std::unordered_map<uint64_t, Param>;

  static void posterior(const Params& params, const Key& k, const ContextFeatures& f,
                        double temperature, std::vector<double>& p) {
    auto weight = [&](uint64_t x) {
      auto it = params.find(x);
      return it == params.end() ? 0.0 : static_cast<double>(it->second.w);
    };
    p.resize(k.word.readings.size());
    for (size_t r = 0; r < p.size(); ++r)
      p[r] = log_prior(k.word, r) + temperature * linear_score(k.hash, k.word, r, f, weight);
    softmax(p);
  }

  // Accuracy and calibration on the held-out documents, to stderr.
  void report_held_out(const Params& params, double temperature) const {
    double n = 0, right = 0, confident = 0, confident_right = 0, changed = 0;
    std::vector<double> p;
    for (const Instance& in : instances_) {
      if (!in.held_out) continue;
      posterior(params, keys_[in.key], in.f, temperature, p);
      const size_t best = std::max_element(p.begin(), p.end()) - p.begin();
      n += 1;
      right += best == in.reading;
      if (best != 0 && p[best] >= 0.9) {
        confident += 1;
        confident_right += best == in.reading;
      }
      changed += in.reading != 0;
    }
    if (n == 0) return;
    spdlog::info(
        "context: {} words, {:.0f} held-out uses ({:.0f} with an apostrophe): {:.4f} decided "
        "right; {:.0f} apostrophes put back at >= 0.9, {:.4f} of them right; temperature {:.2f}",
        keys_.size(), n, changed, right / n, confident,
        confident > 0 ? confident_right / confident : 0.0, temperature);
  }

  void write_table(const std::string& dir, const Params& params,
                   const std::unordered_map<uint64_t, Row>& rows, double temperature) const {
    // Each weight as a readable line, sorted so that retraining on the same
    // text gives the same file.
    std::vector<std::string> lines;
    for (const auto& [f, row] : rows) {
      const float w = params.at(f).w;
      if (row.type != 'B' && std::fabs(w) < kMinWrittenWeight) continue;
      const Key& k = keys_[row.key];
      std::string line(1, row.type);
      if (row.type == 'S')
        line += "\t" + reading_kind(k.word.readings[row.reading]);
      else
        line += "\t" + k.name + "\t" + std::to_string(row.reading);
      if (row.type != 'B') {
        const auto& [view, value] = values_.at(row.value);
        line += std::string("\t") + kViewNames[view] + "\t" + value;
      }
      char num[32];
      std::snprintf(num, sizeof num, "\t%.3f", static_cast<double>(w));
      lines.push_back(line + num);
    }
    std::sort(lines.begin(), lines.end());
    std::ofstream out(dir + "/context2.tsv");
    out << "# Generated by copydesk train (restore context model); do not edit.\n"
           "# T\ttemperature (fitted on held-out training documents)\n"
           "# R\tkey                              (contractions counted for the register view)\n"
           "# K\tkey\treading\tweighted count    (readings of an ambiguous stripped word)\n"
           "# B\tkey\treading index\tweight      (bias)\n"
           "# F\tkey\treading index\tview\tvalue\tweight   (this word's reading)\n"
           "# S\treading kind\tview\tvalue\tweight      (every reading of this kind)\n";
    out << "T\t" << temperature << '\n';
    for (const auto& key : std::set<std::string>(contractions_.begin(), contractions_.end()))
      out << "R\t" << key << '\n';
    std::vector<const Key*> sorted;
    for (const Key& k : keys_) sorted.push_back(&k);
    std::sort(sorted.begin(), sorted.end(),
              [](const Key* a, const Key* b) { return a->name < b->name; });
    for (const Key* k : sorted)
      for (size_t r = 0; r < k->word.readings.size(); ++r)
        out << "K\t" << k->name << '\t' << k->word.readings[r] << '\t'
            << std::round(k->word.prior[r] * 10) / 10 << '\n';
    for (const std::string& line : lines) out << line << '\n';
    if (!out) throw std::runtime_error("cannot write " + dir + "/context2.tsv");
  }

  // The reading of a stripped token: the token with the apostrophes deleted
  // inside it and right after it put back (U+2019 for every apostrophe form);
  // false when anything else was deleted inside it (letters: another model).
  static bool reading_of(const StrippedText& s, const Token& t, std::string& reading) {
    reading.clear();
    size_t last = t.begin;
    auto it = std::lower_bound(s.deletions.begin(), s.deletions.end(), t.begin + 1,
                               [](const StrippedText::Deletion& d, size_t a) { return d.at < a; });
    for (; it != s.deletions.end() && it->at <= t.end; ++it) {
      const bool apostrophe = it->run == "'" || it->run == kApostrophe || it->run == "\u02bc";
      if (it->at == t.end) {
        if (!apostrophe) break;
      } else if (!apostrophe) {
        return false;
      }
      reading.append(s.text, last, it->at - last);
      for (size_t k = last; k < it->at; ++k) {
        char& c = reading[reading.size() - (it->at - k)];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      reading += kApostrophe;
      last = it->at;
    }
    reading.append(ascii_lower(std::string_view(s.text).substr(last, t.end - last)));
    return true;
  }

  // Contractions for the register view: frequent keys never written plainly
  // whose reading has an apostrophe that is not a possessive's.
  void choose_contractions() {
    for (const auto& [key, forms] : readings_) {
      double total = 0, best_n = 0;
      const std::string* best = nullptr;
      for (const auto& [r, n] : forms) {
        total += n;
        if (n > best_n) best_n = n, best = &r;
      }
      if (total < kMinContractionCount || !best || *best == key || best_n < 0.99 * total) continue;
      const std::string& r = *best;
      const size_t a = r.find(kApostrophe);
      if (a == std::string::npos) continue;
      if (!possessive_reading(r)) contractions_.insert(key);
    }
  }

  void choose_ambiguous() {
    choose_contractions();
    std::map<std::string, AmbiguousWord> chosen;
    for (const auto& [key, forms] : readings_) {
      double total = 0;
      for (const auto& [r, n] : forms) total += n;
      if (total < kMinWordCount) continue;
      auto plain = forms.find(key);
      if (plain == forms.end() || plain->second < kMinReadingShare * total) continue;
      AmbiguousWord w;
      w.readings.push_back(key);
      w.prior.push_back(plain->second);
      for (const auto& [r, n] : forms)
        if (r != key && n >= kMinReadingShare * total && n >= 1.0) {
          w.readings.push_back(r);
          w.prior.push_back(n);
        }
      if (w.readings.size() < 2) continue;
      set_kinds(w);
      chosen.emplace(key, std::move(w));
    }
    for (auto& [key, w] : chosen) {
      key_index_.emplace(key, static_cast<uint32_t>(keys_.size()));
      keys_.push_back({key, hash_parts({key}), std::move(w)});
    }
  }

  int pass_ = 0;
  size_t doc_ = 0;
  std::unordered_map<std::string, std::map<std::string, double>> readings_;
  std::vector<Key> keys_;
  std::unordered_map<std::string, uint32_t> key_index_;
  std::vector<Instance> instances_;
  std::unordered_map<uint64_t, std::pair<int, std::string>> values_;
  StringSet contractions_;
};

}  // namespace

std::unique_ptr<Counter> make_context_counter() { return std::make_unique<ContextCounter>(); }

}  // namespace copydesk::restore
