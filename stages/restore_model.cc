#include "stages/restore_model.h"

#include <charconv>
#include <cmath>

#include "pipeline/data_files.h"
#include "pipeline/stage.h"
#include "pipeline/utf8.h"

namespace copydesk::restore {
namespace {

std::string ascii_lower_copy(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += '\t';
    out += p;
  }
  return out;
}

constexpr std::string_view kApostropheU = "\u2019";

// 'S' for a possessive reading of an s-final key ("worker\u2019s", "workers\u2019"),
// 'P' for the plain reading of such a key, 0 otherwise.
char reading_class(std::string_view key, std::string_view form) {
  // Short keys are mostly contractions of function words (it\u2019s, let\u2019s,
  // that\u2019s): they would swamp the possessive class; they have ample
  // contexts of their own.
  if (key.size() < 6 || key.back() != 's') return 0;
  if (form == key) return 'P';
  std::string poss1(key.substr(0, key.size() - 1));
  poss1 += kApostropheU;
  poss1 += 's';
  std::string poss2(key);
  poss2 += kApostropheU;
  if (form == poss1 || form == poss2) return 'S';
  return 0;
}

}  // namespace

namespace {

// A data file split into rows of tab-separated fields (views into `content`),
// '#' comment lines and blank lines skipped. Faster than read_tsv for the
// large tables (no string per field); errors name file:line:col.
class Table {
 public:
  Table(std::string path, size_t min_fields) : path_(std::move(path)), content_(read_data_file(path_)) {
    min_fields_ = min_fields;
  }
  // Calls fn(line_no, fields) for every row.
  template <class Fn>
  void each(Fn&& fn) const {
    std::vector<std::string_view> fields;
    size_t pos = 0, line_no = 0;
    std::string_view all = content_;
    while (pos < all.size()) {
      size_t eol = all.find('\n', pos);
      if (eol == std::string_view::npos) eol = all.size();
      std::string_view line = all.substr(pos, eol - pos);
      pos = eol + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty() || line[0] == '#') continue;
      fields.clear();
      size_t start = 0;
      while (true) {
        size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) break;
        start = tab + 1;
      }
      if (fields.size() < min_fields_)
        throw ConfigError(data_error(path_, line_no, line.size() + 1,
                                     "expected " + std::to_string(min_fields_) + " tab-separated fields, found " +
                                         std::to_string(fields.size())));
      fn(line_no, fields);
    }
  }
  double count(size_t line_no, const std::vector<std::string_view>& fields, size_t i) const {
    double v = 0;
    std::string_view s = fields[i];
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 0) {
      size_t col = 1;
      for (size_t k = 0; k < i; ++k) col += fields[k].size() + 1;
      throw ConfigError(data_error(path_, line_no, col, "expected a non-negative count, found '" + std::string(s) + "'"));
    }
    return v;
  }
  [[noreturn]] void fail(size_t line_no, size_t col, std::string_view msg) const {
    throw ConfigError(data_error(path_, line_no, col, msg));
  }

 private:
  std::string path_;
  std::string content_;
  size_t min_fields_ = 0;
};

// FNV-1a over the fields, each followed by a tab.
uint64_t hkey(std::initializer_list<std::string_view> parts) {
  uint64_t h = 1469598103934665603ull;
  for (std::string_view p : parts) {
    for (unsigned char c : p) h = (h ^ c) * 1099511628211ull;
    h = (h ^ '\t') * 1099511628211ull;
  }
  return h;
}
}  // namespace

RestoreModel RestoreModel::load(const std::string& dir) {
  RestoreModel m;
  {
    Table t(dir + "/lexicon.tsv", 3);
    m.lexicon_.reserve(100000);
    t.each([&](size_t line, const std::vector<std::string_view>& f) {
      LexEntry e;
      e.plain = t.count(line, f, 1);
      e.cap_share = t.count(line, f, 2);
      if (f.size() > 3 && !f[3].empty()) {
        std::string_view forms = f[3];
        size_t col = f[0].size() + f[1].size() + f[2].size() + 4;
        while (!forms.empty()) {
          size_t sp = forms.find(' ');
          std::string_view item = forms.substr(0, sp);
          size_t eq = item.rfind('=');
          if (eq == std::string_view::npos || eq == 0) t.fail(line, col, "expected form=count");
          LexForm lf;
          lf.form = std::string(item.substr(0, eq));
          std::string_view num = item.substr(eq + 1);
          auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), lf.count);
          if (num.empty() || ec != std::errc() || p != num.data() + num.size())
            t.fail(line, col + eq + 1, "bad count in form=count");
          e.forms.push_back(std::move(lf));
          if (sp == std::string_view::npos) break;
          col += sp + 1;
          forms.remove_prefix(sp + 1);
        }
      }
      m.lexicon_.emplace(std::string(f[0]), std::move(e));
    });
  }
  {
    Table t(dir + "/glue.tsv", 5);
    t.each([&](size_t line, const std::vector<std::string_view>& f) {
      GlueCounts g{t.count(line, f, 2), t.count(line, f, 3), t.count(line, f, 4)};
      if (f[1] == "L") {
        m.glue_left_[std::string(f[0])] = g;
        m.glue_prior_.dash += g.dash;
        m.glue_prior_.nbsp += g.nbsp;
        m.glue_prior_.other += g.other;
      } else if (f[1] == "R") {
        m.glue_right_[std::string(f[0])] = g;
      } else {
        t.fail(line, f[0].size() + 2, "side must be L or R");
      }
    });
  }
  {
    Table t(dir + "/pairs.tsv", 4);
    t.each([&](size_t line, const std::vector<std::string_view>& f) {
      std::string k(f[0]);
      k += ' ';
      k += f[1];
      GlueCounts& g = m.pairs_[k];
      double n = t.count(line, f, 3);
      if (f[2] == "dash") g.dash += n;
      else if (f[2] == "nbsp") g.nbsp += n;
      else g.other += n;
    });
  }
  {
    Table t(dir + "/labels.tsv", 4);
    t.each([&](size_t line, const std::vector<std::string_view>& f) {
      Label l;
      l.count = t.count(line, f, 2);
      double total = t.count(line, f, 3);
      l.share = total > 0 ? l.count / total : 0.0;
      std::string_view cps = f[1];
      size_t col = f[0].size() + 2;
      while (!cps.empty()) {
        size_t sp = cps.find(' ');
        std::string_view cp = cps.substr(0, sp);
        uint32_t v = 0;
        auto [p, ec] = cp.size() > 2 ? std::from_chars(cp.data() + 2, cp.data() + cp.size(), v, 16)
                                     : std::from_chars_result{cp.data(), std::errc::invalid_argument};
        if (cp.substr(0, 2) != "U+" || ec != std::errc() || p != cp.data() + cp.size() || v < 0x80 || v > 0x10FFFF)
          t.fail(line, col, "expected a non-ASCII code point written U+XXXX");
        append_utf8(l.run, static_cast<char32_t>(v));
        if (sp == std::string_view::npos) break;
        col += sp + 1;
        cps.remove_prefix(sp + 1);
      }
      auto& slot = m.labels_[std::string(f[0])];
      if (l.count > slot.count) slot = std::move(l);
    });
  }
  {
    Table t(dir + "/gaps.tsv", 3 + kGapClasses);
    t.each([&](size_t line, const std::vector<std::string_view>& f) {
      GapCounts c{};
      for (int k = 0; k < kGapClasses; ++k) c[k] = t.count(line, f, 3 + k);
      m.gaps_[join({f[0], f[1], f[2]})] = c;
    });
  }
  {
    Table t(dir + "/context.tsv", 5);
    m.context_.reserve(400000);
    m.pooled_.reserve(300000);
    t.each([&](size_t line, const std::vector<std::string_view>& f) {
      std::string_view key = f[0], form = f[1], side = f[2], nb = f[3];
      double n = t.count(line, f, 4);
      m.context_[hkey({key, form, side, nb})] = static_cast<float>(n);
      if (side == "T") {
        m.totals_[hkey({key, side, nb})] += static_cast<float>(n);
        return;
      }
      if (side != "L" && side != "R") t.fail(line, key.size() + form.size() + 3, "side must be L, R or T");
      m.pooled_[hkey({key, side, nb})] += static_cast<float>(n);
      m.totals_[hkey({key, side})] += static_cast<float>(n);
      if (char cls = reading_class(key, form)) {
        const std::string_view c(&cls, 1);
        m.class_[hkey({c, side, nb})] += static_cast<float>(n);
        m.class_[hkey({c, side})] += static_cast<float>(n);
      }
    });
  }
  // Possessive vs plural by the ending of capitalised bases.
  for (const auto& [key, e] : m.lexicon_) {
    if (key.size() < 4 || key.back() != 's' || e.cap_share < 0.5) continue;
    std::string_view base(key.data(), key.size() - 1);
    auto b = m.lexicon_.find(base);
    if (b == m.lexicon_.end() || b->second.cap_share < 0.5) continue;
    std::string poss_form(base);
    poss_form += kApostropheU;
    poss_form += 's';
    double poss = 0;
    for (const auto& f : e.forms)
      if (f.form == poss_form) poss += f.count;
    if (poss + e.plain <= 0) continue;
    // One vote per name (types, not tokens: "Americans" must not outvote
    // a hundred rare names).
    for (size_t len : {1, 2, 3}) {
      if (base.size() < len + 1) break;
      auto& cell = m.suffix_poss_[std::string(base.substr(base.size() - len))];
      cell[0] += poss / (poss + e.plain);
      cell[1] += e.plain / (poss + e.plain);
    }
  }
  return m;
}

const RestoreModel::Label* RestoreModel::label(std::string_view token) const {
  auto it = labels_.find(token);
  return it == labels_.end() ? nullptr : &it->second;
}

const LexEntry* RestoreModel::lookup(std::string_view key) const {
  auto it = lexicon_.find(key);
  return it == lexicon_.end() ? nullptr : &it->second;
}

double RestoreModel::word_count(std::string_view key) const {
  const LexEntry* e = lookup(key);
  return e ? e->plain : 0.0;
}

bool RestoreModel::is_ambiguous(std::string_view key) const { return totals_.count(hkey({key, "R"})) > 0; }

std::vector<double> RestoreModel::context_posterior(std::string_view key, const LexEntry& e,
                                                    std::string_view left, std::string_view right) const {
  // Naive Bayes over the two neighbours: score(r) = log n(r) + sum over sides
  // of log P(x | r), P(x | r) = (c(r, x) + a * n(r) * Pb(x)) / (n(r) * (1 + a)),
  // where Pb is the key's pooled neighbour distribution (add-one smoothed),
  // mixed for plural/possessive readings with their class's distribution.
  // Unseen neighbours then leave the prior as it is instead of flattening it.
  // Then the seen (left, right) pair, when there is one, pulls the posterior
  // towards its own counts (Dirichlet, strength kTriple).
  constexpr double kAlpha = 0.3;
  constexpr double kTriple = 3.0;
  auto get = [](const std::unordered_map<uint64_t, float>& m, uint64_t k) -> double {
    auto it = m.find(k);
    return it == m.end() ? 0.0 : it->second;
  };
  std::vector<std::pair<std::string_view, double>> readings;
  readings.emplace_back(key, e.plain);
  for (const auto& f : e.forms) readings.emplace_back(f.form, f.count);
  std::vector<double> score(readings.size());
  double best = -1e300;
  for (size_t r = 0; r < readings.size(); ++r) {
    const double n = std::max(readings[r].second, 0.5);
    double s = std::log(n);
    const char cls = reading_class(key, readings[r].first);
    for (auto [side, nb] : {std::pair<std::string_view, std::string_view>{"L", left}, {"R", right}}) {
      double pb = (get(pooled_, hkey({key, side, nb})) + 1.0) / (get(totals_, hkey({key, side})) + 1000.0);
      if (cls) {
        const std::string_view c(&cls, 1);
        pb = 0.5 * pb + 0.5 * (get(class_, hkey({c, side, nb})) + 0.5) / (get(class_, hkey({c, side})) + 25000.0);
      }
      double c = get(context_, hkey({key, readings[r].first, side, nb}));
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
  std::string both(left);
  both += ' ';
  both += right;
  const double t = get(totals_, hkey({key, "T", both}));
  if (t > 0) {
    for (size_t r = 0; r < readings.size(); ++r)
      score[r] = (get(context_, hkey({key, readings[r].first, "T", both})) + kTriple * score[r]) / (t + kTriple);
  }
  return score;
}

double RestoreModel::possessive_share(std::string_view base) const {
  double prior = 0.5;
  for (size_t len : {1, 2, 3}) {
    if (base.size() < len + 1) break;
    std::string suf = ascii_lower_copy(base.substr(base.size() - len));
    auto it = suffix_poss_.find(suf);
    if (it == suffix_poss_.end()) break;
    const auto& c = it->second;
    prior = (c[0] + 3.0 * prior) / (c[0] + c[1] + 3.0);
  }
  return prior;
}

GlueCounts RestoreModel::glue(std::string_view word, char side) const {
  const auto& table = side == 'L' ? glue_left_ : glue_right_;
  auto it = table.find(word);
  return it == table.end() ? GlueCounts{} : it->second;
}

GlueCounts RestoreModel::pair(std::string_view w1, std::string_view w2) const {
  std::string k(w1);
  k += ' ';
  k += w2;
  auto it = pairs_.find(k);
  return it == pairs_.end() ? GlueCounts{} : it->second;
}

const GapCounts* RestoreModel::gap(std::string_view kind, std::string_view left, std::string_view right) const {
  auto it = gaps_.find(join({kind, left, right}));
  return it == gaps_.end() ? nullptr : &it->second;
}

}  // namespace copydesk::restore
