#include "stages/restore_train.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "pipeline/atomic_file.h"
#include "pipeline/data_files.h"
#include "pipeline/model_file.h"
#include "pipeline/stage.h"
#include "pipeline/utf8.h"
#include "stages/restore_model.h"

namespace copydesk::restore {
namespace {

// Pruning (weighted counts).
constexpr double kMinWordCount = 1.0;     // lexicon rows below this are dropped
constexpr double kMinFormCount = 1.0;     // and forms below this
constexpr double kMinPairCount = 2.0;     // glue and pair rows
constexpr double kMinContextCount = 1.5;  // context rows, one neighbour
constexpr double kMinTripleCount = 2.5;   // context rows, both neighbours
constexpr double kMinGapCount = 1.0;
constexpr double kMinLabelCount = 5.0;
// A key is ambiguous (gets context counts) when at least two readings each
// have this share of its count, and it was seen at least kAmbigMinCount.
constexpr double kAmbigMinShare = 0.01;
constexpr double kAmbigMinCount = 5.0;

constexpr std::array<std::string_view, 7> kGapClassNames = {"none",  "nbsp",   "dash", "apos",
                                                            "quote", "letter", "other"};
enum SepClass { kSepNone, kSepNbsp, kSepDash, kSepApos, kSepQuote, kSepLetter, kSepOther };

bool is_apos(char32_t c) { return c == 0x2019 || c == U'\'' || c == 0x02BC; }
bool is_dash(char32_t c) {
  return c == 0x2014 || c == 0x2013 || c == 0x2015 || c == 0x2012 || c == 0x2E3A || c == 0x2E3B;
}
// Python's str.isspace and str.isalpha (the build script's definitions).
bool uni_space(char32_t c) {
  if (u_charType(c) == U_SPACE_SEPARATOR) return true;
  const UCharDirection d = u_charDirection(c);
  return d == U_WHITE_SPACE_NEUTRAL || d == U_BLOCK_SEPARATOR || d == U_SEGMENT_SEPARATOR;
}
bool uni_alpha(char32_t c) { return (U_GET_GC_MASK(c) & U_GC_L_MASK) != 0; }

// Code points of a deleted run (invalid bytes as U+FFFD).
std::vector<char32_t> code_points(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    char32_t cp = 0xFFFD;
    if (n == 0 || i + n > s.size()) {
      n = 1;
    } else if (n == 1) {
      cp = b;
    } else {
      cp = b & (0x7F >> n);
      for (size_t k = 1; k < n; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c >> 6) != 0x2) {
          cp = 0xFFFD;
          n = 1;
          break;
        }
        cp = (cp << 6) | (c & 0x3F);
      }
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

// Class of a deleted run.
SepClass sep_class(std::string_view run) {
  const std::vector<char32_t> cps = code_points(run);
  if (std::all_of(cps.begin(), cps.end(), is_apos)) return kSepApos;
  if (std::any_of(cps.begin(), cps.end(), is_dash)) return kSepDash;
  if (std::all_of(cps.begin(), cps.end(), uni_space)) return kSepNbsp;
  if (std::all_of(cps.begin(), cps.end(), [](char32_t c) { return uni_alpha(c) || is_apos(c); }))
    return kSepLetter;
  if (std::any_of(cps.begin(), cps.end(), [](char32_t c) {
        return c == 0x201C || c == 0x201D || c == 0x2018 || c == 0xAB || c == 0xBB;
      }))
    return kSepQuote;
  return kSepOther;
}

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_upper_c(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit_c(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (is_upper_c(c)) c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Class of a character next to a space gap.
std::string_view char_class(int c) {  // -1: the text edge
  if (c < 0) return "^";
  if (c == '\n') return "N";
  if (c == ' ') return "S";
  if (is_digit_c(static_cast<char>(c))) return "D";
  if (is_alpha(static_cast<char>(c))) return is_upper_c(static_cast<char>(c)) ? "U" : "l";
  return "P";
}

// Class of a token next to a gap (word_class() of the stage).
std::string_view word_class(std::string_view w) {
  if (w.empty()) return "-";
  if (std::all_of(w.begin(), w.end(), is_digit_c)) return "D";
  if (std::any_of(w.begin(), w.end(), is_digit_c)) return "X";
  if (w.size() == 1) return "1";
  if (std::all_of(w.begin(), w.end(), is_upper_c)) return "A";
  if (is_upper_c(w[0])) return "C";
  return "l";
}

// "%.1f" below 10, a whole number from 10 (Python's round(): ties to even).
std::string fmt_count(double x) {
  char buf[64];
  if (x >= 10)
    std::snprintf(buf, sizeof buf, "%.0f", std::nearbyint(x));
  else
    std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}
double parse_double(const std::string& s) { return std::strtod(s.c_str(), nullptr); }
double rounded(double x) { return parse_double(fmt_count(x)); }
double rounded2(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return parse_double(buf);
}
std::string fmt2(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

// Key parts joined by a byte that no field holds in practice; split back
// for sorting field by field (the order of the TSV rows).
constexpr char kSep = '\x1f';
std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(kSep, start);
    out.push_back(
        s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}
bool field_less(std::string_view a, std::string_view b) { return split(a) < split(b); }

struct LexCount {
  double plain = 0, cap = 0;
  std::vector<std::pair<std::string, double>> forms;  // first-seen order
};

// One document as the channel left it: text, deletion index, tokens.
struct Doc {
  const StrippedText& st;
  std::vector<int32_t> del;  // del[i]: index into st.deletions of the run before text[i], or -1
  std::vector<std::pair<uint32_t, uint32_t>> toks;  // [begin, end) of [A-Za-z0-9]+ runs

  explicit Doc(const StrippedText& s) : st(s), del(s.text.size() + 1, -1) {
    for (size_t k = 0; k < s.deletions.size(); ++k)
      del[s.deletions[k].at] = static_cast<int32_t>(k);
    const std::string& t = s.text;
    for (size_t i = 0; i < t.size();) {
      if (!is_alnum(t[i])) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < t.size() && is_alnum(t[j])) ++j;
      toks.emplace_back(static_cast<uint32_t>(i), static_cast<uint32_t>(j));
      i = j;
    }
  }
  std::string_view run(size_t i) const {
    return del[i] < 0 ? std::string_view() : st.deletions[del[i]].run;
  }

  // A part of a token: [begin, end) and the interior gaps where an apostrophe
  // or letter run was deleted (kept in the form).
  struct Part {
    size_t begin, end;
    std::vector<size_t> inserted;
  };
  // Splits token [b, e) where a separator (not an apostrophe or letter) was
  // deleted inside it.
  void parts(size_t b, size_t e, std::vector<Part>& parts, std::vector<SepClass>& seps) const {
    parts.clear();
    seps.clear();
    Part cur{b, e, {}};
    for (size_t i = b + 1; i < e; ++i) {
      if (del[i] < 0) continue;
      SepClass cls = sep_class(run(i));
      if (cls == kSepApos || cls == kSepLetter) {
        cur.inserted.push_back(i);
      } else {
        cur.end = i;
        parts.push_back(std::move(cur));
        seps.push_back(cls);
        cur = Part{i, e, {}};
      }
    }
    parts.push_back(std::move(cur));
  }
  // A trailing apostrophe after an s-final token ("workers\u2019"): its first
  // code point as UTF-8, or "".
  std::string_view trail(size_t e) const {
    std::string_view d = run(e);
    if (d.empty()) return {};
    const std::vector<char32_t> cps = code_points(d.substr(0, std::min<size_t>(4, d.size())));
    if (!is_apos(cps[0])) return {};
    const std::string& s = st.text;
    if (!(s[e - 1] == 's' || s[e - 1] == 'S')) return {};
    if (e < s.size() && is_alnum(s[e])) return {};
    return d.substr(0, cps[0] == U'\'' ? 1 : cps[0] < 0x800 ? 2 : 3);
  }
  // The original of [start, end): the text with the inserted runs, plus the trail.
  std::string render(size_t start, size_t end, const std::vector<size_t>& inserted,
                     std::string_view trail) const {
    std::string out;
    size_t last = start;
    for (size_t i : inserted) {
      out.append(st.text, last, i - last);
      out += run(i);
      last = i;
    }
    out.append(st.text, last, end - last);
    out += trail;
    return out;
  }
  // The neighbour the stage sees (see context_token in the build script's
  // history and neighbour() in restore.cc).
  std::string neighbour(size_t ti, int dir) const {
    const std::string& s = st.text;
    auto [b, e] = toks[ti];
    if (dir > 0) {
      size_t i = e;
      while (i < s.size() && s[i] == ' ') ++i;
      if (i >= s.size() || s[i] == '\n') return "</s>";
      if (is_alnum(s[i]) && ti + 1 < toks.size() && toks[ti + 1].first == i)
        return lower(std::string_view(s).substr(i, toks[ti + 1].second - i));
      return std::string(1, s[i]);
    }
    size_t i = b;
    while (i > 0 && s[i - 1] == ' ') --i;
    if (i == 0 || s[i - 1] == '\n') return "<s>";
    if (is_alnum(s[i - 1]) && ti > 0 && toks[ti - 1].second == i) {
      auto [pb, pe] = toks[ti - 1];
      return lower(std::string_view(s).substr(pb, pe - pb));
    }
    return std::string(1, s[i - 1]);
  }
};

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  bool first = true;
  for (auto p : parts) {
    if (!first) out += kSep;
    first = false;
    out += p;
  }
  return out;
}

}  // namespace

struct RestoreCounter::Impl {
  RestoreTrainOptions options;
  std::unordered_map<std::string, LexCount> lex;
  std::unordered_map<std::string, std::array<double, 7>> glue_left, glue_right;  // by SepClass
  std::unordered_map<std::string, double> pairs;                                 // w1, w2, sep
  std::unordered_map<std::string, double> gaps;       // kind, lc, rc, class
  std::unordered_map<std::string, double> labels;     // token, run
  std::vector<std::pair<StrippedText, double>> docs;  // for the context pass

  void count(const StrippedText& st, double w) {
    Doc d(st);
    const std::string& s = st.text;
    const size_t n = s.size();
    std::vector<Doc::Part> parts;
    std::vector<SepClass> seps;
    std::vector<std::string> words;
    for (auto [b, e] : d.toks) {
      d.parts(b, e, parts, seps);
      words.clear();
      for (size_t k = 0; k < parts.size(); ++k) {
        const Doc::Part& p = parts[k];
        std::string_view trail = k + 1 == parts.size() ? d.trail(e) : std::string_view();
        std::string key = lower(std::string_view(s).substr(p.begin, p.end - p.begin));
        if (std::any_of(key.begin(), key.end(), is_alpha)) {
          LexCount& lc = lex[key];
          if (!p.inserted.empty() || !trail.empty()) {
            std::string form = lower(d.render(p.begin, p.end, p.inserted, trail));
            auto it = std::find_if(lc.forms.begin(), lc.forms.end(),
                                   [&](const auto& f) { return f.first == form; });
            if (it == lc.forms.end())
              lc.forms.emplace_back(std::move(form), w);
            else
              it->second += w;
          } else {
            lc.plain += w;
          }
          if (is_upper_c(s[p.begin])) lc.cap += w;
        }
        words.push_back(std::move(key));
      }
      for (size_t k = 0; k < seps.size(); ++k) {
        glue_left[words[k]][seps[k]] += w;
        glue_right[words[k + 1]][seps[k]] += w;
        pairs[join({words[k], words[k + 1], kGapClassNames[seps[k]]})] += w;
      }
    }

    // Gaps at punctuation and spaces (positions in the stripped text).
    std::vector<int32_t> tok_end(n + 1, -1), tok_begin(n + 1, -1);
    for (size_t t = 0; t < d.toks.size(); ++t) {
      tok_begin[d.toks[t].first] = static_cast<int32_t>(t);
      tok_end[d.toks[t].second] = static_cast<int32_t>(t);
    }
    auto tok_text = [&](int32_t t) {
      return t < 0
                 ? std::string_view()
                 : std::string_view(s).substr(d.toks[t].first, d.toks[t].second - d.toks[t].first);
    };
    for (size_t i = 1; i <= n; ++i) {
      const char prev = s[i - 1];
      const int nxt = i < n ? static_cast<unsigned char>(s[i]) : -1;
      std::string_view cls = d.del[i] < 0 ? "none" : kGapClassNames[sep_class(d.run(i))];
      if (std::string_view(",;:.)?!").find(prev) != std::string_view::npos && nxt >= 0 &&
          is_alpha(static_cast<char>(nxt))) {
        std::string kind = "punct";
        kind += prev;
        gaps[join({kind, word_class(tok_text(tok_end[i - 1])), word_class(tok_text(tok_begin[i])),
                   cls})] += w;
      } else if (prev == ' ' && (nxt == ' ' || nxt == '\n' || nxt < 0)) {
        std::string_view lc = char_class(i >= 2 ? static_cast<unsigned char>(s[i - 2]) : -1);
        std::string_view rc =
            char_class(nxt == ' ' && i + 1 < n ? static_cast<unsigned char>(s[i + 1]) : nxt);
        gaps[join({nxt == ' ' ? "space2" : "spaceN", lc, rc, cls})] += w;
      }
    }

    // Line-initial labels ("Q", "END" in transcripts): what was deleted after them.
    size_t ls = 0;
    while (ls < n) {
      if (tok_begin[ls] >= 0) {
        auto [b, e] = d.toks[tok_begin[ls]];
        if (e - b <= 12 && (e == n || s[e] == ' ' || s[e] == '\n'))
          labels[join({std::string_view(s).substr(b, e - b), d.run(e)})] += w;
      }
      size_t nl = s.find('\n', ls);
      if (nl == std::string::npos) break;
      ls = nl + 1;
    }
  }

  // Keys with at least two readings of some weight.
  std::unordered_set<std::string> ambiguous() const {
    std::unordered_set<std::string> out;
    for (const auto& [key, lc] : lex) {
      if (lc.forms.empty()) continue;
      double tot = lc.plain;
      for (const auto& f : lc.forms) tot += f.second;
      if (tot < kAmbigMinCount) continue;
      int strong = 0;
      auto is_strong = [&](double v) { return v >= kAmbigMinShare * tot && v >= 1.0; };
      if (is_strong(lc.plain)) ++strong;
      for (const auto& f : lc.forms)
        if (is_strong(f.second)) ++strong;
      if (strong >= 2) out.insert(key);
    }
    return out;
  }

  std::unordered_map<std::string, double> context(
      const std::unordered_set<std::string>& amb) const {
    std::unordered_map<std::string, double> ctx;
    std::vector<Doc::Part> parts;
    std::vector<SepClass> seps;
    for (const auto& [st, w] : docs) {
      Doc d(st);
      const std::string& s = st.text;
      for (size_t ti = 0; ti < d.toks.size(); ++ti) {
        auto [b, e] = d.toks[ti];
        std::string key = lower(std::string_view(s).substr(b, e - b));
        if (!amb.count(key)) continue;
        d.parts(b, e, parts, seps);
        if (!seps.empty()) continue;
        std::string form = lower(d.render(b, e, parts[0].inserted, d.trail(e)));
        std::string left = d.neighbour(ti, -1), right = d.neighbour(ti, +1);
        ctx[join({key, form, "L", left})] += w;
        ctx[join({key, form, "R", right})] += w;
        ctx[join({key, form, "T", left + " " + right})] += w;
      }
    }
    return ctx;
  }
};

RestoreCounter::RestoreCounter(RestoreTrainOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}
RestoreCounter::~RestoreCounter() = default;

void RestoreCounter::add(std::string_view, const StrippedText& stripped, double weight) {
  impl_->count(stripped, weight);
  impl_->docs.emplace_back(stripped, weight);
}

RestoreTables RestoreCounter::tables() const {
  const Impl& c = *impl_;
  RestoreTables t;
  for (const auto& [key, lc] : c.lex) {
    RestoreTables::Lex row;
    row.key = key;
    double total = lc.plain;
    std::vector<std::pair<std::string, double>> forms;
    for (const auto& f : lc.forms)
      if (f.second >= kMinFormCount) {
        forms.push_back(f);
        total += f.second;
      }
    if (total < kMinWordCount) continue;
    row.plain = rounded(lc.plain);
    row.cap_share = rounded2(std::min(lc.cap / std::max(total, 1e-9), 1.0));
    std::stable_sort(forms.begin(), forms.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (auto& f : forms) row.forms.emplace_back(std::move(f.first), rounded(f.second));
    t.lexicon.push_back(std::move(row));
  }
  std::sort(t.lexicon.begin(), t.lexicon.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });

  for (char side : {'L', 'R'}) {
    const auto& table = side == 'L' ? c.glue_left : c.glue_right;
    std::vector<const std::string*> words;
    for (const auto& [w, g] : table) words.push_back(&w);
    std::sort(words.begin(), words.end(), [](auto a, auto b) { return *a < *b; });
    for (const std::string* w : words) {
      const auto& g = table.at(*w);
      double sum = 0;
      for (double v : g) sum += v;
      if (sum < kMinPairCount) continue;
      t.glue.push_back({*w, side, rounded(g[kSepDash]), rounded(g[kSepNbsp]),
                        rounded(g[kSepQuote] + g[kSepOther])});
    }
  }
  {
    std::vector<const std::pair<const std::string, double>*> rows;
    for (const auto& kv : c.pairs)
      if (kv.second >= kMinPairCount) rows.push_back(&kv);
    std::sort(rows.begin(), rows.end(),
              [](auto a, auto b) { return field_less(a->first, b->first); });
    for (auto* kv : rows) {
      auto f = split(kv->first);
      t.pairs.push_back(
          {std::string(f[0]), std::string(f[1]), std::string(f[2]), rounded(kv->second)});
    }
  }
  {
    std::map<std::vector<std::string>, std::array<double, 7>> agg;
    for (const auto& [k, v] : c.gaps) {
      auto f = split(k);
      auto cls =
          std::find(kGapClassNames.begin(), kGapClassNames.end(), f[3]) - kGapClassNames.begin();
      agg[{std::string(f[0]), std::string(f[1]), std::string(f[2])}][cls] += v;
    }
    for (const auto& [k, counts] : agg) {
      double sum = 0;
      for (double v : counts) sum += v;
      if (sum < kMinGapCount) continue;
      RestoreTables::Gap g{k[0], k[1], k[2], {}};
      for (size_t i = 0; i < counts.size(); ++i) g.counts[i] = rounded(counts[i]);
      t.gaps.push_back(std::move(g));
    }
  }
  {
    std::map<std::string, double> totals;
    std::map<std::pair<std::string, std::string>, double> rows;
    for (const auto& [k, v] : c.labels) {
      auto f = split(k);
      totals[std::string(f[0])] += v;
      rows[{std::string(f[0]), std::string(f[1])}] += v;
    }
    for (const auto& [k, v] : rows) {
      const std::vector<char32_t> cps = code_points(k.second);
      if (k.second.empty() || !std::all_of(cps.begin(), cps.end(), uni_space)) continue;
      if (v < kMinLabelCount || v < 0.5 * totals[k.first]) continue;
      t.labels.push_back({k.first, k.second, rounded(v), rounded(totals[k.first])});
    }
  }
  {
    const auto ctx = c.context(c.ambiguous());
    std::vector<const std::pair<const std::string, double>*> rows;
    for (const auto& kv : ctx) {
      auto f = split(kv.first);
      if (kv.second < (f[2] == "T" ? kMinTripleCount : kMinContextCount)) continue;
      if (f[3].find('\t') != std::string_view::npos) continue;
      rows.push_back(&kv);
    }
    std::sort(rows.begin(), rows.end(),
              [](auto a, auto b) { return field_less(a->first, b->first); });
    for (auto* kv : rows) {
      auto f = split(kv->first);
      t.context.push_back({std::string(f[0]), std::string(f[1]), std::string(f[2]),
                           std::string(f[3]), rounded(kv->second)});
    }
  }
  return t;
}

void RestoreCounter::write(const std::string& dir) const {
  RestoreTables t = tables();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (impl_->options.write_tsv) write_restore_tsv(t, dir);
  write_restore_model(t, dir + "/model.bin");
}

std::unique_ptr<Counter> make_restore_counter(RestoreTrainOptions options) {
  return std::make_unique<RestoreCounter>(options);
}

// --- TSV files ---------------------------------------------------------

namespace {
constexpr std::string_view kTsvHeader =
    "# Generated by `copydesk train` (stages/restore_train.cc); do not edit.\n";

void write_file(const std::string& path, const std::string& content) {
  AtomicFile f(path);
  f.write(content);
  f.commit();
}
}  // namespace

void write_restore_tsv(const RestoreTables& t, const std::string& dir) {
  std::string out(kTsvHeader);
  out += "# key\tplain_count\tcap_share\tforms (form=count, space-separated)\n";
  for (const auto& r : t.lexicon) {
    out += r.key + '\t' + fmt_count(r.plain) + '\t' + fmt2(r.cap_share) + '\t';
    for (size_t k = 0; k < r.forms.size(); ++k) {
      if (k) out += ' ';
      out += r.forms[k].first + '=' + fmt_count(r.forms[k].second);
    }
    out += '\n';
  }
  write_file(dir + "/lexicon.tsv", out);

  out = kTsvHeader;
  out += "# word\tside (L: word before the separator, R: after)\tdash\tnbsp\tother\n";
  for (const auto& r : t.glue)
    out += r.word + '\t' + r.side + '\t' + fmt_count(r.dash) + '\t' + fmt_count(r.nbsp) + '\t' +
           fmt_count(r.other) + '\n';
  write_file(dir + "/glue.tsv", out);

  out = kTsvHeader;
  out += "# w1\tw2\tseparator class\tcount\n";
  for (const auto& r : t.pairs)
    out += r.w1 + '\t' + r.w2 + '\t' + r.sep + '\t' + fmt_count(r.count) + '\n';
  write_file(dir + "/pairs.tsv", out);

  out = kTsvHeader;
  out += "# kind\tleft class\tright class";
  for (auto c : kGapClassNames) {
    out += '\t';
    out += c;
  }
  out +=
      "\n# kinds: punctX = punctuation X glued to a following letter; space2 = two spaces;\n"
      "# spaceN = a space before a line break. Classes: word tokens - l lower, C capitalised,\n"
      "# A all caps, 1 one letter, D digits, X mixed; characters - l U D P S N ^.\n";
  for (const auto& r : t.gaps) {
    out += r.kind + '\t' + r.left + '\t' + r.right;
    for (double v : r.counts) out += '\t' + fmt_count(v);
    out += '\n';
  }
  write_file(dir + "/gaps.tsv", out);

  out = kTsvHeader;
  out +=
      "# line-initial token (a speaker label: Q, END), deleted run after it as code points,\n"
      "# count with that run, count of the token at a line start followed by a space or line end\n";
  for (const auto& r : t.labels) {
    out += r.token + '\t';
    bool first = true;
    for (char32_t cp : code_points(r.run)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%sU+%04X", first ? "" : " ", static_cast<unsigned>(cp));
      out += buf;
      first = false;
    }
    out += '\t' + fmt_count(r.count) + '\t' + fmt_count(r.total) + '\n';
  }
  write_file(dir + "/labels.tsv", out);

  out = kTsvHeader;
  out +=
      "# key\tform\tside (L: neighbour before, R: after, T: both, "
      "space-separated)\tneighbour\tcount\n";
  for (const auto& r : t.context)
    out += r.key + '\t' + r.form + '\t' + r.side + '\t' + r.neighbour + '\t' + fmt_count(r.count) +
           '\n';
  write_file(dir + "/context.tsv", out);
}

RestoreTables read_restore_tsv(const std::string& dir) {
  RestoreTables t;
  auto num = [](const TsvRow& row, size_t i, const std::string& path) {
    const std::string& s = row.fields[i];
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 0) {
      size_t col = 1;
      for (size_t k = 0; k < i; ++k) col += row.fields[k].size() + 1;
      throw ConfigError(
          data_error(path, row.line, col, "expected a non-negative count, found '" + s + "'"));
    }
    return v;
  };
  std::string path = dir + "/lexicon.tsv";
  for (const TsvRow& r : read_tsv(path, 3)) {
    RestoreTables::Lex l{r.fields[0], num(r, 1, path), num(r, 2, path), {}};
    std::string_view forms =
        r.fields.size() > 3 ? std::string_view(r.fields[3]) : std::string_view();
    while (!forms.empty()) {
      size_t sp = forms.find(' ');
      std::string_view item = forms.substr(0, sp);
      size_t eq = item.rfind('=');
      double v = 0;
      std::string_view n = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
      auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
      if (eq == std::string_view::npos || eq == 0 || n.empty() || ec != std::errc() ||
          p != n.data() + n.size())
        throw ConfigError(data_error(
            path, r.line, r.fields[0].size() + r.fields[1].size() + r.fields[2].size() + 4,
            "expected form=count, found '" + std::string(item) + "'"));
      l.forms.emplace_back(std::string(item.substr(0, eq)), v);
      if (sp == std::string_view::npos) break;
      forms.remove_prefix(sp + 1);
    }
    t.lexicon.push_back(std::move(l));
  }
  path = dir + "/glue.tsv";
  for (const TsvRow& r : read_tsv(path, 5)) {
    if (r.fields[1] != "L" && r.fields[1] != "R")
      throw ConfigError(data_error(path, r.line, r.fields[0].size() + 2, "side must be L or R"));
    t.glue.push_back(
        {r.fields[0], r.fields[1][0], num(r, 2, path), num(r, 3, path), num(r, 4, path)});
  }
  path = dir + "/pairs.tsv";
  for (const TsvRow& r : read_tsv(path, 4))
    t.pairs.push_back({r.fields[0], r.fields[1], r.fields[2], num(r, 3, path)});
  path = dir + "/gaps.tsv";
  for (const TsvRow& r : read_tsv(path, 3 + kGapClassNames.size())) {
    RestoreTables::Gap g{r.fields[0], r.fields[1], r.fields[2], {}};
    for (size_t k = 0; k < g.counts.size(); ++k) g.counts[k] = num(r, 3 + k, path);
    t.gaps.push_back(std::move(g));
  }
  path = dir + "/labels.tsv";
  for (const TsvRow& r : read_tsv(path, 4)) {
    RestoreTables::Label l{r.fields[0], "", num(r, 2, path), num(r, 3, path)};
    std::string_view cps = r.fields[1];
    while (!cps.empty()) {
      size_t sp = cps.find(' ');
      std::string_view cp = cps.substr(0, sp);
      uint32_t v = 0;
      auto [p, ec] = cp.size() > 2 ? std::from_chars(cp.data() + 2, cp.data() + cp.size(), v, 16)
                                   : std::from_chars_result{cp.data(), std::errc::invalid_argument};
      if (cp.substr(0, 2) != "U+" || ec != std::errc() || p != cp.data() + cp.size() || v < 0x80 ||
          v > 0x10FFFF)
        throw ConfigError(data_error(path, r.line, r.fields[0].size() + 2,
                                     "expected a non-ASCII code point written U+XXXX"));
      append_utf8(l.run, static_cast<char32_t>(v));
      if (sp == std::string_view::npos) break;
      cps.remove_prefix(sp + 1);
    }
    t.labels.push_back(std::move(l));
  }
  path = dir + "/context.tsv";
  for (const TsvRow& r : read_tsv(path, 5)) {
    if (r.fields[2] != "L" && r.fields[2] != "R" && r.fields[2] != "T")
      throw ConfigError(data_error(path, r.line, r.fields[0].size() + r.fields[1].size() + 3,
                                   "side must be L, R or T"));
    t.context.push_back({r.fields[0], r.fields[1], r.fields[2], r.fields[3], num(r, 4, path)});
  }
  return t;
}

// --- the binary model --------------------------------------------------

void write_restore_model(const RestoreTables& t, const std::string& path) {
  using model_layout::ctx_key;
  ModelFileWriter w;
  auto f = [](double v) { return static_cast<float>(v); };

  // Lexicon: {plain, cap_share}, blob: the forms (u32 length, bytes, float32 count).
  auto& lex = w.table(model_layout::kLexicon, 2, true);
  for (const auto& r : t.lexicon) {
    std::string blob;
    for (const auto& [form, n] : r.forms) {
      const uint32_t len = static_cast<uint32_t>(form.size());
      const float c = f(n);
      blob.append(reinterpret_cast<const char*>(&len), 4);
      blob += form;
      blob.append(reinterpret_cast<const char*>(&c), 4);
    }
    lex.add(r.key, {f(r.plain), f(r.cap_share)}, blob);
  }

  // Possessive vs plural by the ending of capitalised bases: one vote per
  // name (types, not tokens: "Americans" must not outvote a hundred rare names).
  {
    std::unordered_map<std::string_view, const RestoreTables::Lex*> by_key;
    for (const auto& r : t.lexicon) by_key[r.key] = &r;
    std::map<std::string, std::array<double, 2>> suffix;
    for (const auto& r : t.lexicon) {
      const std::string& key = r.key;
      if (key.size() < 4 || key.back() != 's' || r.cap_share < 0.5) continue;
      std::string_view base(key.data(), key.size() - 1);
      auto b = by_key.find(base);
      if (b == by_key.end() || b->second->cap_share < 0.5) continue;
      std::string poss_form(base);
      poss_form += "\u2019s";
      double poss = 0;
      for (const auto& fm : r.forms)
        if (fm.first == poss_form) poss += fm.second;
      if (poss + r.plain <= 0) continue;
      for (size_t len : {1, 2, 3}) {
        if (base.size() < len + 1) break;
        auto& cell = suffix[std::string(base.substr(base.size() - len))];
        cell[0] += poss / (poss + r.plain);
        cell[1] += r.plain / (poss + r.plain);
      }
    }
    auto& sp = w.table(model_layout::kSuffixPossessive, 4);
    for (const auto& [suf, c] : suffix) {
      auto [p0, p1] = model_layout::split_double(c[0]);
      auto [q0, q1] = model_layout::split_double(c[1]);
      sp.add(suf, {p0, p1, q0, q1});
    }
  }

  auto& gl = w.table(model_layout::kGlueLeft, 3);
  auto& gr = w.table(model_layout::kGlueRight, 3);
  double prior[3] = {0, 0, 0};
  for (const auto& r : t.glue) {
    (r.side == 'L' ? gl : gr).add(r.word, {f(r.dash), f(r.nbsp), f(r.other)});
    if (r.side == 'L') prior[0] += r.dash, prior[1] += r.nbsp, prior[2] += r.other;
  }
  {
    std::vector<float> v;
    for (double p : prior) {
      auto [hi, lo] = model_layout::split_double(p);
      v.push_back(hi);
      v.push_back(lo);
    }
    w.table(model_layout::kMeta, 6).add(model_layout::kGluePriorKey, v);
  }

  {
    std::map<std::string, std::array<double, 3>> pairs;
    for (const auto& r : t.pairs) {
      auto& g = pairs[r.w1 + ' ' + r.w2];
      g[r.sep == "dash" ? 0 : r.sep == "nbsp" ? 1 : 2] += r.count;
    }
    auto& pt = w.table(model_layout::kPairs, 3);
    for (const auto& [k, g] : pairs) pt.add(k, {f(g[0]), f(g[1]), f(g[2])});
  }

  {
    // The most frequent run per token: {count, total}, blob: the run.
    std::map<std::string, const RestoreTables::Label*> best;
    for (const auto& r : t.labels) {
      auto& b = best[r.token];
      if (r.count > 0 && (!b || r.count > b->count)) b = &r;
    }
    auto& lt = w.table(model_layout::kLabels, 2, true);
    for (const auto& [tok, r] : best)
      if (r) lt.add(tok, {f(r->count), f(r->total)}, r->run);
  }

  {
    auto& gt = w.table(model_layout::kGaps, kGapClasses);
    for (const auto& r : t.gaps) {
      std::vector<float> v;
      for (double c : r.counts) v.push_back(f(c));
      gt.add(r.kind + '\t' + r.left + '\t' + r.right, v);
    }
  }

  {
    // Context counts and the sums context_posterior() needs, accumulated in
    // float in row order (as the TSV loader did).
    std::unordered_map<std::string, float> context, pooled, totals, cls;
    std::vector<std::string> order_ctx, order_pooled, order_totals, order_cls;
    auto acc = [](std::unordered_map<std::string, float>& m, std::vector<std::string>& order,
                  std::string k, float v, bool assign) {
      auto [it, fresh] = m.try_emplace(k, 0.0f);
      if (fresh) order.push_back(std::move(k));
      if (assign)
        it->second = v;
      else
        it->second += v;
    };
    for (const auto& r : t.context) {
      const float n = f(r.count);
      acc(context, order_ctx, ctx_key({r.key, r.form, r.side, r.neighbour}), n, true);
      if (r.side == "T") {
        acc(totals, order_totals, ctx_key({r.key, r.side, r.neighbour}), n, false);
        continue;
      }
      acc(pooled, order_pooled, ctx_key({r.key, r.side, r.neighbour}), n, false);
      acc(totals, order_totals, ctx_key({r.key, r.side}), n, false);
      if (char c = model_layout::reading_class(r.key, r.form)) {
        const std::string_view cs(&c, 1);
        acc(cls, order_cls, ctx_key({cs, r.side, r.neighbour}), n, false);
        acc(cls, order_cls, ctx_key({cs, r.side}), n, false);
      }
    }
    auto emit = [&](const char* name, const std::unordered_map<std::string, float>& m,
                    const std::vector<std::string>& order) {
      auto& tt = w.table(name, 1);
      for (const auto& k : order) tt.add(k, {m.at(k)});
    };
    emit(model_layout::kContext, context, order_ctx);
    emit(model_layout::kPooled, pooled, order_pooled);
    emit(model_layout::kTotals, totals, order_totals);
    emit(model_layout::kClass, cls, order_cls);
  }
  w.write(path);
}

}  // namespace copydesk::restore
