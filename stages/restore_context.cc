#include "stages/restore_context.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "pipeline/data_files.h"
#include "pipeline/stage.h"

namespace copydesk::restore {
namespace {

constexpr std::string_view kApostrophe = "\u2019";
constexpr double kMinReadingShare = 0.01;  // a reading this common makes a word ambiguous
constexpr double kMinWordCount = 5.0;
constexpr double kMinCount = 1.5;      // rows of single-word views below this are pruned
constexpr double kMinPairCount = 2.5;  // rows of two-word views
constexpr int kHeldOutEvery = 10;      // every 10th document fits the view weights
constexpr double kSmooth = 2.0;        // Dirichlet strength towards the pooled distribution
constexpr size_t kMinInstancesForOwnWeights =
    200;  // held-out uses of a word to fit its own weights

const char* const kViewNames[kContextViews] = {"prev",   "next", "prev2",   "next2",
                                               "around", "case", "register"};
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

// Possessive ambiguities (nations / nation\u2019s / nations\u2019) are left to
// the lexicon's class-pooled model; this one decides contractions.
bool possessive_word(const AmbiguousWord& w) {
  for (size_t k = 1; k < w.readings.size(); ++k)
    if (!possessive_reading(w.readings[k])) return false;
  return w.readings.size() > 1;
}

int register_bucket(size_t contractions, size_t words) {
  if (words == 0 || contractions == 0) return 0;
  const double per_k = 1000.0 * static_cast<double>(contractions) / static_cast<double>(words);
  return per_k < 3 ? 1 : per_k < 10 ? 2 : 3;
}

template <class Set>
int register_of(const Set& contractions, std::string_view text, const TokenList& toks) {
  size_t words = 0, hits = 0;
  char buf[16];
  for (const Token& t : toks) {
    if (t.kind != TokenKind::kWord || !t.ascii) continue;
    ++words;
    const size_t n = t.end - t.begin;
    if (n < 2 || n > sizeof buf) continue;
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

std::string view_tag(int view) { return std::string(1, static_cast<char>('0' + view)); }
uint64_t value_hash(int view, std::string_view value) {
  return hash_parts({view_tag(view), value});
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
// fills `out` and returns the index past it, or -1 at a line edge.
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
  if (t.kind != TokenKind::kWord && t.kind != TokenKind::kNumber) {
    out = std::string(t.in(text));
    return k;
  }
  std::vector<std::string_view> parts{t.in(text)};
  long m = k + dir;
  long last = k;
  while (true) {
    long p = m;
    while (!at_end(p) && deleted_token(text, toks[p]) && toks[p].kind != TokenKind::kSpace)
      p += dir;
    if (at_end(p) || p == m) break;
    if (toks[p].kind != TokenKind::kWord && toks[p].kind != TokenKind::kNumber) break;
    parts.push_back(toks[p].in(text));
    last = p;
    m = p + dir;
  }
  if (dir < 0) std::reverse(parts.begin(), parts.end());
  out.clear();
  for (auto p : parts) out += p;
  out = ascii_lower(out);
  return last;
}

std::string_view case_of(std::string_view w) {
  bool upper0 = !w.empty() && w[0] >= 'A' && w[0] <= 'Z';
  if (!upper0) return "l";
  bool all = w.size() >= 2 &&
             std::none_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  return all ? "A" : "C";
}

// Feature values of token i as strings (the trainer keeps them readable).
std::array<std::string, kContextViews> feature_values(std::string_view text, const TokenList& toks,
                                                      size_t i, int register_class,
                                                      const std::string* prev,
                                                      const std::string* next) {
  std::array<std::string, kContextViews> v;
  std::string p1, p2, n1, n2;
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
  v[kPrev] = p1;
  v[kNext] = n1;
  v[kPrev2] = p2.empty() ? "" : p2 + " " + p1;
  v[kNext2] = n2.empty() ? "" : n1 + " " + n2;
  v[kAround] = p1 + " " + n1;
  v[kCase] = std::string(case_of(toks[i].in(text)));
  v[kRegister] = "r" + std::to_string(register_class);
  return v;
}

double logadd(double x, double y) {
  if (x == -INFINITY) return y;
  if (y == -INFINITY) return x;
  double m = std::max(x, y);
  return m + std::log(std::exp(x - m) + std::exp(y - m));
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
  auto values = feature_values(text, toks, i, register_class, prev, next);
  ContextFeatures f;
  for (int view = 0; view < kContextViews; ++view)
    f.h[view] = values[view].empty() ? 0 : value_hash(view, values[view]);
  return f;
}

// --- model ----------------------------------------------------------------

namespace {

using Tables = ContextCounts;

uint64_t count_key(uint64_t kh, size_t reading, uint64_t fv) {
  return mix(kh ^ mix(fv + 0x9e3779b97f4a7c15ULL * (reading + 1)));
}
uint64_t pooled_key(uint64_t kh, uint64_t fv) { return mix(kh ^ mix(fv)); }
uint64_t reading_total_key(uint64_t kh, size_t reading, int view) {
  return mix(kh ^ mix(0x51ed270b27a3ULL + reading * 131 + static_cast<uint64_t>(view)));
}
uint64_t view_total_key(uint64_t kh, int view) {
  return mix(kh ^ mix(0x2545f4914f6cdd1dULL + static_cast<uint64_t>(view)));
}
uint64_t view_values_key(uint64_t kh, int view) {
  return mix(kh ^ mix(0x7f4a7c159e3779b9ULL + static_cast<uint64_t>(view)));
}

float get(const std::unordered_map<uint64_t, float>& m, uint64_t k) {
  auto it = m.find(k);
  return it == m.end() ? 0.0f : it->second;
}

// Log posterior of each reading: log prior + sum over views of weight * log
// P(value | reading), smoothed towards the key's pooled value distribution.
void posterior_log(const Tables& t, std::string_view key, const AmbiguousWord& w,
                   const ContextFeatures& f, const std::array<double, kContextViews>& weights,
                   std::vector<double>& post) {
  post.assign(w.readings.size(), 0.0);
  const uint64_t kh = hash_parts({key});
  double prior_total = 0;
  for (double p : w.prior) prior_total += p;
  for (size_t r = 0; r < w.readings.size(); ++r)
    post[r] = std::log((w.prior[r] + 0.5) / (prior_total + 1.0));
  for (int view = 0; view < kContextViews; ++view) {
    if (f.h[view] == 0 || weights[view] == 0) continue;
    const uint64_t fv = f.h[view];
    const double view_total = get(t.totals, view_total_key(kh, view));
    const double n_values = get(t.values, view_values_key(kh, view));
    const double pooled = get(t.pooled, pooled_key(kh, fv));
    const double p_pool = (pooled + 0.5) / (view_total + 0.5 * (n_values + 1));
    for (size_t r = 0; r < w.readings.size(); ++r) {
      const double n = get(t.counts, count_key(kh, r, fv));
      const double tot = get(t.totals, reading_total_key(kh, r, view));
      post[r] += weights[view] * std::log((n + kSmooth * p_pool) / (tot + kSmooth));
    }
  }
}

void posterior(const Tables& t, std::string_view key, const AmbiguousWord& w,
               const ContextFeatures& f, const std::array<double, kContextViews>& weights,
               std::vector<double>& post) {
  posterior_log(t, key, w, f, weights, post);
  double z = -INFINITY;
  for (double x : post) z = logadd(z, x);
  for (double& x : post) x = std::exp(x - z);
}

}  // namespace

void ContextCounts::add(std::string_view key, size_t reading, int view, std::string_view value,
                        double n) {
  const uint64_t kh = hash_parts({key});
  const uint64_t fv = value_hash(view, value);
  counts[count_key(kh, reading, fv)] += static_cast<float>(n);
  float& pooled_n = pooled[pooled_key(kh, fv)];
  if (pooled_n == 0) values[view_values_key(kh, view)] += 1;
  pooled_n += static_cast<float>(n);
  totals[reading_total_key(kh, reading, view)] += static_cast<float>(n);
  totals[view_total_key(kh, view)] += static_cast<float>(n);
}

ContextModel ContextModel::load(const std::string& dir) {
  ContextModel m;
  Tables t;
  const std::string path = dir + "/context2.tsv";
  bool have_weights = false;
  for (const TsvRow& row : read_tsv(path, 2)) {
    const auto& f = row.fields;
    auto number = [&](size_t k) {
      try {
        return std::stod(std::string(f.at(k)));
      } catch (const std::exception&) {
        throw ConfigError(
            data_error(path, row.line, 1, "expected a number in column " + std::to_string(k + 1)));
      }
    };
    if (f[0] == "W" && f.size() == 2 + kContextViews) {
      std::array<double, kContextViews> w{};
      for (int v = 0; v < kContextViews; ++v) w[v] = number(2 + v);
      if (f[1] == "*") {
        m.weights_ = w;
        have_weights = true;
      } else {
        m.key_weights_[std::string(f[1])] = w;
      }
    } else if (f[0] == "R" && f.size() == 2) {
      m.contractions_.emplace(f[1]);
    } else if (f[0] == "K" && f.size() == 4) {
      AmbiguousWord& w = m.words_[std::string(f[1])];
      w.readings.emplace_back(f[2]);
      w.prior.push_back(number(3));
    } else if (f[0] == "C" && f.size() == 6) {
      auto it = m.words_.find(std::string(f[1]));
      const size_t r = static_cast<size_t>(number(2));
      if (it == m.words_.end() || r >= it->second.readings.size())
        throw ConfigError(
            data_error(path, row.line, 1, "context row for an unknown word or reading"));
      int view = -1;
      for (int v = 0; v < kContextViews; ++v)
        if (f[3] == kViewNames[v]) view = v;
      if (view < 0)
        throw ConfigError(
            data_error(path, row.line, 4, "unknown view \"" + std::string(f[3]) + "\""));
      t.add(f[1], r, view, f[4], number(5));
    } else {
      throw ConfigError(data_error(path, row.line, 1, "expected a W, R, K or C row"));
    }
  }
  if (!have_weights) throw ConfigError(path + ": no W (view weights) row");
  m.counts_ = std::move(t);
  return m;
}

int ContextModel::register_class(std::string_view text, const TokenList& toks) const {
  return register_of(contractions_, text, toks);
}

const AmbiguousWord* ContextModel::decide(std::string_view key, const ContextFeatures& f,
                                          std::vector<double>& post) const {
  auto it = words_.find(key);
  if (it == words_.end()) return nullptr;
  auto kw = key_weights_.find(it->first);
  posterior(counts_, key, it->second, f, kw != key_weights_.end() ? kw->second : weights_, post);
  return &it->second;
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
    const int reg = pass_ == 1 ? register_of(contractions_, s.text, toks) : 0;
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
      auto it = ambiguous_.find(key);
      if (it == ambiguous_.end()) continue;
      size_t r = std::find(it->second.readings.begin(), it->second.readings.end(), reading) -
                 it->second.readings.begin();
      if (r == it->second.readings.size()) continue;  // a rare reading, pruned
      if (held_out) {
        held_out_.push_back({key, r, context_features(s.text, toks, i, reg)});
        continue;
      }
      auto values = feature_values(s.text, toks, i, reg, nullptr, nullptr);
      for (int view = 0; view < kContextViews; ++view)
        if (!values[view].empty()) rows_[{key, r, view, values[view]}] += weight;
    }
  }

  void write(const std::string& dir) const override {
    // Prune, build the tables the stage will load, fit the view weights on
    // the held-out documents, write.
    Tables t;
    std::map<std::tuple<std::string, size_t, int, std::string>, double> kept;
    for (const auto& [k, n] : rows_) {
      const int view = std::get<2>(k);
      const bool pair = view == kPrev2 || view == kNext2 || view == kAround;
      if (n < (pair ? kMinPairCount : kMinCount)) continue;
      kept.emplace(k, n);
      t.add(std::get<0>(k), std::get<1>(k), view, std::get<3>(k), n);
    }
    std::array<double, kContextViews> w{};
    w.fill(1.0);
    std::vector<Cached> cached;
    cached.reserve(held_out_.size());
    for (const Instance& in : held_out_) cached.push_back(cache(t, in, ambiguous_.at(in.key)));
    std::vector<const Cached*> all;
    std::map<std::string, std::vector<const Cached*>> per_key;
    for (size_t k = 0; k < held_out_.size(); ++k) {
      all.push_back(&cached[k]);
      per_key[held_out_[k].key].push_back(&cached[k]);
    }
    fit(all, w);
    std::map<std::string, std::array<double, kContextViews>> key_weights;
    for (const auto& [key, ins] : per_key)
      if (ins.size() >= kMinInstancesForOwnWeights) {
        auto kw = w;
        fit(ins, kw);
        key_weights.emplace(key, kw);
      }
    std::ofstream out(dir + "/context2.tsv");
    out << "# Generated by copydesk train (restore context model); do not edit.\n"
           "# W\tword (* for words without their own)\tweights of the views prev next prev2 next2\n"
           "#  \taround case register (fitted on held-out training text)\n"
           "# K\tkey\treading\tweighted count            (readings of an ambiguous stripped word)\n"
           "# R\tkey                                      (contractions counted for the register "
           "view)\n"
           "# C\tkey\treading index\tview\tvalue\tweighted count\n";
    out << "W\t*";
    for (double x : w) out << '\t' << x;
    out << '\n';
    for (const auto& [key, kw] : key_weights) {
      out << "W\t" << key;
      for (double x : kw) out << '\t' << x;
      out << '\n';
    }
    for (const auto& key : std::set<std::string>(contractions_.begin(), contractions_.end()))
      out << "R\t" << key << '\n';
    for (const auto& [key, word] : ambiguous_)
      for (size_t r = 0; r < word.readings.size(); ++r)
        out << "K\t" << key << '\t' << word.readings[r] << '\t' << round1(word.prior[r]) << '\n';
    for (const auto& [k, n] : kept)
      out << "C\t" << std::get<0>(k) << '\t' << std::get<1>(k) << '\t' << kViewNames[std::get<2>(k)]
          << '\t' << std::get<3>(k) << '\t' << round1(n) << '\n';
    if (!out) throw std::runtime_error("cannot write " + dir + "/context2.tsv");
  }

 private:
  struct Instance {
    std::string key;
    size_t reading;
    ContextFeatures f;
  };

  static double round1(double x) { return std::round(x * 10) / 10; }

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
      if (w.readings.size() >= 2 && !possessive_word(w)) ambiguous_.emplace(key, std::move(w));
    }
  }

  // Coordinate ascent on the held-out log-likelihood over a grid of weights.
  // Per held-out instance, the log prior and log P(view value | reading) of
  // each reading: these do not depend on the weights, so the fit only sums.
  struct Cached {
    size_t reading;
    std::vector<double> prior;                             // per reading
    std::vector<std::array<double, kContextViews>> views;  // per reading
  };

  static Cached cache(const Tables& t, const Instance& in, const AmbiguousWord& w) {
    Cached c;
    c.reading = in.reading;
    std::array<double, kContextViews> unit{};
    for (int v = 0; v < kContextViews; ++v) {
      unit.fill(0);
      unit[v] = 1;
      std::vector<double> post;
      // log posterior with one view at weight 1 minus the prior-only one
      // = log P(value | reading) up to a constant per instance.
      posterior_log(t, in.key, w, in.f, unit, post);
      if (c.views.empty()) c.views.resize(post.size());
      for (size_t r = 0; r < post.size(); ++r) c.views[r][v] = post[r];
    }
    unit.fill(0);
    posterior_log(t, in.key, w, in.f, unit, c.prior);
    for (size_t r = 0; r < c.prior.size(); ++r)
      for (int v = 0; v < kContextViews; ++v) c.views[r][v] -= c.prior[r];
    return c;
  }

  // Coordinate ascent on the held-out log-likelihood over a grid of weights.
  static void fit(const std::vector<const Cached*>& ins, std::array<double, kContextViews>& w) {
    auto loglik = [&](const std::array<double, kContextViews>& ww) {
      double ll = 0;
      std::vector<double> s;
      for (const Cached* c : ins) {
        s.assign(c->prior.begin(), c->prior.end());
        double z = -INFINITY;
        for (size_t r = 0; r < s.size(); ++r) {
          for (int v = 0; v < kContextViews; ++v) s[r] += ww[v] * c->views[r][v];
          z = logadd(z, s[r]);
        }
        ll += s[c->reading] - z;
      }
      return ll;
    };
    double best = loglik(w);
    for (int round = 0; round < 3; ++round)
      for (int view = 0; view < kContextViews; ++view)
        for (double x : {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5}) {
          auto ww = w;
          ww[view] = x;
          double ll = loglik(ww);
          if (ll > best) best = ll, w = ww;
        }
  }

  int pass_ = 0;
  size_t doc_ = 0;
  std::unordered_map<std::string, std::map<std::string, double>> readings_;
  std::map<std::string, AmbiguousWord> ambiguous_;
  std::map<std::tuple<std::string, size_t, int, std::string>, double> rows_;
  std::vector<Instance> held_out_;
  StringSet contractions_;
};

}  // namespace

std::unique_ptr<Counter> make_context_counter() { return std::make_unique<ContextCounter>(); }

}  // namespace copydesk::restore
