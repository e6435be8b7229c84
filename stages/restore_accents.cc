#include "stages/restore_accents.h"

#include <fmt/format.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "pipeline/atomic_file.h"
#include "pipeline/data_files.h"
#include "pipeline/tokens.h"

namespace copydesk {
namespace {

// Pseudo-count (weighted) added to every key's readings: a form seen a few
// times only is restored with less confidence (one White House token weighs
// about 0.46, one Standard Ebooks token about 2).
constexpr double kPrior = 0.25;
// Keys with a letter trigram rare in plain words ("orbn", "mxico") are hardly
// ever plain words: kOddPrior.
constexpr double kOddPrior = 0.1;
// Short keys that look like English words (every letter trigram common in
// plain words: "mose", "mal", "jos") are often plain names, nicknames or
// abbreviations in text unlike the training text: they get kWordlikePrior,
// as do keys of one or two letters ("vn", "ph"), word-like or not.
constexpr size_t kShortKey = 4;
constexpr double kWordlikePrior = 1.0;
// Counter: a trigram is common when at least this many plain word types hold
// it; a plain word type has this weighted count.
constexpr int kCommonTrigramTypes = 3;
constexpr double kPlainTypeWeight = 1.0;
// Lowest confidence proposed (the runner applies >= 0.9, suggests >= 0.5).
constexpr double kMinPropose = 0.5;
constexpr double kApplyLevel = 0.9;
// A reading below kApplyLevel next to an accented word gets its odds
// multiplied by kNeighbourOdds (readings from kMinBoosted up are considered).
constexpr double kNeighbourOdds = 4.0;
constexpr double kMinBoosted = 0.3;
// "Xs" unknown but "X" known: X's letters, times kPluralFactor.
constexpr size_t kMinPluralLength = 4;
constexpr double kPluralFactor = 0.95;
// An all-capitals token of at least kMinPooledLength letters is decided on
// the counts of every case (all-capitals text is rare in training); shorter
// ones (acronyms) only on all-capitals evidence.
constexpr size_t kMinPooledLength = 4;
// Pooled counts come from mixed-case prose: discount them a little.
constexpr double kPooledFactor = 0.95;
// Longest token looked up (bytes); longer ones are left alone.
constexpr size_t kMaxToken = 48;
// Counter pruning: a form needs this weighted count, this many occurrences,
// and this share of its key's readings (in its case class or pooled).
constexpr double kMinFormWeight = 1.0;
constexpr uint32_t kMinFormOccurrences = 2;
constexpr double kMinFormShare = 0.02;

bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string strip_non_ascii(std::string_view s) {
  std::string out;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x80) out.push_back(c);
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool is_apostrophe(std::string_view run) { return run == "\u2019" || run == "'"; }

std::string to_upper(std::string_view utf8) {
  std::string out;
  icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())))
      .toUpper()
      .toUTF8String(out);
  return out;
}

std::string fmt_count(double x) {
  return x >= 10 ? fmt::format("{:.0f}", x) : fmt::format("{:.1f}", x);
}

// What a deleted run holds, for letters: Latin letters and combining marks
// (kLatin), or something else (punctuation, spaces, other scripts).
enum class CpKind { kLatin, kOtherLetter, kNonLetter };
CpKind cp_kind(UChar32 c) {
  if (c < 0) return CpKind::kNonLetter;
  const int8_t type = u_charType(c);
  if (type == U_NON_SPACING_MARK) return CpKind::kLatin;  // combining accents (script Inherited)
  if (!u_isalpha(c)) return CpKind::kNonLetter;
  UErrorCode err = U_ZERO_ERROR;
  return uscript_getScript(c, &err) == USCRIPT_LATIN ? CpKind::kLatin : CpKind::kOtherLetter;
}

// Code point boundaries of a run.
std::vector<std::pair<int32_t, UChar32>> code_points(std::string_view run) {
  std::vector<std::pair<int32_t, UChar32>> out;
  const auto* s = reinterpret_cast<const uint8_t*>(run.data());
  const auto n = static_cast<int32_t>(run.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    out.push_back({start, c});
  }
  return out;
}

// The Latin letters of a deleted run that belong to the word at its right
// (where = kPrefix: the run's letter suffix) or left (kSuffix: the run's
// letter prefix), or the whole run inside a word (kInside). Returns false
// when the letters attached to the word are not all Latin, or (inside) when
// the run holds anything but letters.
enum class Where { kPrefix, kInside, kSuffix };
bool attached_letters(std::string_view run, Where where, std::string& letters) {
  const auto cps = code_points(run);
  size_t b = 0, e = cps.size();
  if (where == Where::kPrefix) {
    b = e;
    while (b > 0 && cp_kind(cps[b - 1].second) != CpKind::kNonLetter) --b;
  } else if (where == Where::kSuffix) {
    e = 0;
    while (e < cps.size() && cp_kind(cps[e].second) != CpKind::kNonLetter) ++e;
  }
  for (size_t k = b; k < e; ++k)
    if (cp_kind(cps[k].second) != CpKind::kLatin) return false;
  const size_t from = b < cps.size() ? static_cast<size_t>(cps[b].first) : run.size();
  const size_t to = e < cps.size() ? static_cast<size_t>(cps[e].first) : run.size();
  letters.assign(run.substr(from, to - from));
  return true;
}

// Calls f on every letter trigram of "^" + key + "$".
template <typename F>
void for_each_trigram(std::string_view key, F f) {
  char buf[kMaxToken + 2];
  if (key.size() > kMaxToken) return;
  buf[0] = '^';
  std::copy(key.begin(), key.end(), buf + 1);
  buf[key.size() + 1] = '$';
  const size_t n = key.size() + 2;
  for (size_t i = 0; i + 3 <= n; ++i) f(std::string_view(buf + i, 3));
  if (n < 3) f(std::string_view(buf, n));
}

class AccentCounter : public restore::Counter {
 public:
  void add(std::string_view /*clean*/, const restore::StrippedText& s, double weight) override {
    const TokenList toks = tokenize(s.text);
    const auto& dels = s.deletions;
    size_t d = 0;
    std::string form, letters;
    for (const Token& t : toks) {
      if (t.kind != TokenKind::kWord) continue;
      const std::string_view w = t.in(s.text);
      if (!std::all_of(w.begin(), w.end(), ascii_alpha)) continue;
      while (d < dels.size() && dels[d].at < t.begin) ++d;
      bool has_letter = false, other = false;
      form.clear();
      size_t copied = t.begin;
      for (size_t k = d; k < dels.size() && dels[k].at <= t.end; ++k) {
        const size_t at = dels[k].at;
        const Where where = at == t.begin ? Where::kPrefix
                            : at == t.end ? Where::kSuffix
                                          : Where::kInside;
        // A possessive apostrophe before a final "s" is the apostrophe
        // restorer's business: "Ar\u00e9valo\u2019s" counts as "Ar\u00e9valos".
        if (at + 1 == t.end && w.back() == 's' && is_apostrophe(dels[k].run)) continue;
        if (!attached_letters(dels[k].run, where, letters)) {
          other = true;
          break;
        }
        form.append(s.text.substr(copied, at - copied));
        copied = at;
        form += letters;
        if (!letters.empty()) has_letter = true;
      }
      Key& key = keys_[ascii_lower(w)];
      const auto cls = AccentRestorer::case_class(w);
      if (other || !has_letter) {
        key.none[cls] += weight;
        continue;
      }
      form.append(s.text.substr(copied, t.end - copied));
      Form& f = key.forms[form];
      f.w += weight;
      ++f.n;
    }
  }

  void write(const std::string& dir) const override {
    std::vector<const std::pair<const std::string, Key>*> rows;
    std::unordered_map<std::string, int> trigram_types;
    for (const auto& kv : keys_) {
      if (!kv.second.forms.empty()) rows.push_back(&kv);
      if (kv.second.none[0] + kv.second.none[1] + kv.second.none[2] >= kPlainTypeWeight)
        for_each_trigram(kv.first, [&](std::string_view g) { ++trigram_types[std::string(g)]; });
    }
    std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->first < b->first; });
    std::string out =
        "# Accented letters deleted by the strip-nonascii channel; made by the accent counter\n"
        "# (stages/restore_accents.cc, make_accent_counter) from shared/train: see README.md.\n"
        "# key: a word token as the restore stage sees it (ASCII letters), lowercased.\n"
        "# lower, cap, upper: weighted count of the key with no letter deleted (written as is,\n"
        "#   or having lost punctuation only), when the token as seen was lowercase, capitalised,\n"
        "#   or all capitals.\n"
        "# wordlike: 1 when every letter trigram of the key (with ^ and $ at its ends) is held by\n"
        "#   3 or more plain word types of the training text (\"mose\"), 0 otherwise (\"mxico\").\n"
        "# forms: originals whose letters were deleted (form=weighted count, space-separated);\n"
        "#   a form's case class is that of its ASCII letters.\n"
        "# key\tlower\tcap\tupper\twordlike\tforms\n";
    for (const auto* kv : rows) {
      const Key& k = kv->second;
      std::array<double, AccentRestorer::kCaseClasses> total = k.none;
      double pooled = k.none[0] + k.none[1] + k.none[2];
      for (const auto& [form, f] : k.forms) {
        total[AccentRestorer::case_class(strip_non_ascii(form))] += f.w;
        pooled += f.w;
      }
      std::vector<std::pair<std::string, double>> forms;
      for (const auto& [form, f] : k.forms) {
        const double cls_total = total[AccentRestorer::case_class(strip_non_ascii(form))];
        if (f.w < kMinFormWeight || f.n < kMinFormOccurrences) continue;
        if (f.w / cls_total < kMinFormShare && f.w / pooled < kMinFormShare) continue;
        forms.push_back({form, f.w});
      }
      if (forms.empty()) continue;
      std::sort(forms.begin(), forms.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
      });
      out += kv->first;
      for (double n : k.none) out += "\t" + fmt_count(n);
      bool wordlike = true;
      for_each_trigram(kv->first, [&](std::string_view g) {
        auto it = trigram_types.find(std::string(g));
        if (it == trigram_types.end() || it->second < kCommonTrigramTypes) wordlike = false;
      });
      out += wordlike ? "\t1\t" : "\t0\t";
      for (size_t i = 0; i < forms.size(); ++i)
        out += (i ? " " : "") + forms[i].first + "=" + fmt_count(forms[i].second);
      out += "\n";
    }
    AtomicFile f(dir + "/" + AccentRestorer::kFile);
    f.write(out);
    f.commit();
  }

 private:
  struct Form {
    double w = 0;
    uint32_t n = 0;
  };
  struct Key {
    std::array<double, AccentRestorer::kCaseClasses> none{};
    std::map<std::string, Form> forms;
  };
  std::unordered_map<std::string, Key> keys_;
};

double parse_count(const std::string& path, const TsvRow& row, size_t field, std::string_view s,
                   size_t col) {
  std::string tmp(s);
  char* end = nullptr;
  const double v = std::strtod(tmp.c_str(), &end);
  if (tmp.empty() || end != tmp.c_str() + tmp.size() || !(v >= 0) || v > 1e12)
    throw ConfigError(
        data_error(path, row.line, col, fmt::format("field {}: bad count \"{}\"", field + 1, s)));
  return v;
}

}  // namespace

AccentRestorer::CaseClass AccentRestorer::case_class(std::string_view w) {
  if (w.empty() || !(w[0] >= 'A' && w[0] <= 'Z')) return kLower;
  if (w.size() < 2) return kCap;
  // A plural of capitals ("MREs") is all capitals.
  if (w.size() >= 3 && w.back() == 's') w.remove_suffix(1);
  for (char c : w)
    if (c >= 'a' && c <= 'z') return kCap;
  return kUpper;
}

AccentRestorer AccentRestorer::load(const std::string& dir) {
  const std::string path = dir + "/" + kFile;
  AccentRestorer a;
  struct Form {
    std::string text;
    double w;
    CaseClass cls;
  };
  for (const TsvRow& row : read_tsv(path, 6)) {
    const std::string& key = row.fields[0];
    size_t col = 1;
    if (key.empty() || key.size() > kMaxToken ||
        !std::all_of(key.begin(), key.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
      throw ConfigError(data_error(path, row.line, col, "key must be lowercase ASCII letters"));
    if (a.entries_.count(key))
      throw ConfigError(data_error(path, row.line, col, "duplicate key \"" + key + "\""));
    std::array<double, kCaseClasses> none{};
    for (size_t f = 1; f <= 3; ++f) {
      col += row.fields[f - 1].size() + 1;
      none[f - 1] = parse_count(path, row, f, row.fields[f], col);
    }
    col += row.fields[3].size() + 1;
    if (row.fields[4] != "0" && row.fields[4] != "1")
      throw ConfigError(data_error(path, row.line, col, "wordlike must be 0 or 1"));
    const bool wordlike = row.fields[4] == "1";
    col += row.fields[4].size() + 1;
    std::vector<Form> forms;
    std::string_view rest = row.fields[5];
    while (!rest.empty()) {
      const size_t sp = rest.find(' ');
      const std::string_view item = rest.substr(0, sp);
      const size_t eq = item.rfind('=');
      if (eq == std::string_view::npos || eq == 0)
        throw ConfigError(data_error(path, row.line, col, "expected form=count"));
      const std::string text(item.substr(0, eq));
      const std::string ascii = strip_non_ascii(text);
      if (ascii_lower(ascii) != key || ascii.size() == text.size())
        throw ConfigError(
            data_error(path, row.line, col,
                       "form \"" + text + "\" is not the key with non-ASCII letters added"));
      forms.push_back(
          {text, parse_count(path, row, 5, item.substr(eq + 1), col + eq + 1), case_class(ascii)});
      col += item.size() + 1;
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    }
    if (forms.empty()) throw ConfigError(data_error(path, row.line, col, "no forms"));

    Entry e;
    auto decide = [&](Decision& d, const std::string& form, double best, double total, bool upper,
                      double factor) {
      d.total = total;
      d.confidence =
          factor * best /
          (total + ((wordlike || key.size() <= 2) && key.size() <= kShortKey ? kWordlikePrior
                    : !wordlike                                              ? kOddPrior
                                                                             : kPrior));
      d.form = upper ? to_upper(form) : form;
      d.ascii_length = static_cast<uint16_t>(key.size());
      // Insertion points: each non-ASCII run of the form, at the offset of
      // the ASCII letters before it.
      uint16_t off = 0;
      for (size_t i = 0; i < d.form.size();) {
        if (static_cast<unsigned char>(d.form[i]) < 0x80) {
          ++off;
          ++i;
          continue;
        }
        size_t j = i;
        while (j < d.form.size() && static_cast<unsigned char>(d.form[j]) >= 0x80) ++j;
        d.inserts.push_back({off, d.form.substr(i, j - i)});
        i = j;
      }
    };
    for (int c = 0; c < kCaseClasses; ++c) {
      double total = none[c], best = 0;
      const Form* pick = nullptr;
      for (const Form& f : forms) {
        if (f.cls != c) continue;
        total += f.w;
        if (f.w > best) best = f.w, pick = &f;
      }
      if (c == kUpper && key.size() >= kMinPooledLength) {
        // Pool every case: group the forms by their upper-case spelling.
        std::map<std::string, double> groups;
        double pooled = none[0] + none[1] + none[2];
        for (const Form& f : forms) {
          groups[to_upper(f.text)] += f.w;
          pooled += f.w;
        }
        auto it = std::max_element(groups.begin(), groups.end(), [](const auto& x, const auto& y) {
          return x.second < y.second;
        });
        decide(e.by_case[c], it->first, it->second, pooled, false, kPooledFactor);
        continue;
      }
      if (pick) decide(e.by_case[c], pick->text, best, total, false, 1.0);
    }
    a.filter_add(key);
    a.entries_.emplace(key, std::move(e));
  }
  return a;
}

uint64_t AccentRestorer::fnv(std::string_view key) {
  uint64_t h = kFnvBasis;
  for (char c : key) h = (h ^ static_cast<unsigned char>(c)) * kFnvPrime;
  return h;
}

void AccentRestorer::filter_add(std::string_view key) {
  const uint64_t h = fnv(key);
  filter_[(h >> 6) % filter_.size()] |= uint64_t{1} << (h & 63);
  filter_[(h >> 38) % filter_.size()] |= uint64_t{1} << ((h >> 32) & 63);
}

const AccentRestorer::Decision* AccentRestorer::lookup(std::string_view tok,
                                                       double& confidence) const {
  const size_t n = tok.size();
  if (n == 0 || n > kMaxToken) return nullptr;
  char buf[kMaxToken];
  uint64_t h = kFnvBasis, h_prefix = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!ascii_alpha(tok[i])) return nullptr;
    buf[i] = lower(tok[i]);
    h_prefix = h;
    h = (h ^ static_cast<unsigned char>(buf[i])) * kFnvPrime;
  }
  // Most tokens are not keys: the filter (one cache line) says so.
  const bool may_be_key = filter_has(h);
  const bool may_be_plural = n >= kMinPluralLength && buf[n - 1] == 's' && filter_has(h_prefix);
  if (!may_be_key && !may_be_plural) return nullptr;
  CaseClass cls = case_class(tok);
  auto it = may_be_key ? entries_.find(std::string_view(buf, n)) : entries_.end();
  confidence = 1.0;
  if (it == entries_.end() && may_be_plural) {
    // A plural or possessive ("Ar\u00e9valo\u2019s" reached us as "Arvalos")
    // of a known key: the same letters, a little less sure.
    it = entries_.find(std::string_view(buf, n - 1));
    cls = case_class(tok.substr(0, n - 1));
    confidence = kPluralFactor;
  }
  if (it == entries_.end()) return nullptr;
  const Decision& d = it->second.by_case[cls];
  if (d.inserts.empty()) return nullptr;
  confidence *= d.confidence;
  return &d;
}

bool AccentRestorer::word(const TextView& view, size_t token_index,
                          std::vector<restore::Insertion>& out) const {
  const Token& t = view.tokens[token_index];
  if (t.kind != TokenKind::kWord) return false;
  double conf;
  const Decision* d = lookup(t.in(view.text), conf);
  if (!d || conf < kMinBoosted) return false;
  if (conf < kApplyLevel && foreign_neighbour(view, token_index)) conf = boost(conf);
  return emit(view.text, t.begin, *d, conf, out);
}

bool AccentRestorer::word_part(std::string_view text, size_t begin, size_t end,
                               std::vector<restore::Insertion>& out) const {
  double conf;
  const Decision* d = lookup(text.substr(begin, end - begin), conf);
  return d && emit(text, begin, *d, conf, out);
}

// True when the word token before or after token i (across one space) is
// already accented, or is itself read as accented with confidence >=
// kMinPropose (before any boost): foreign names come in runs ("Jos Ral
// Mulino", "Luisa Mara Alcalde").
bool AccentRestorer::foreign_neighbour(const TextView& view, size_t i) const {
  const auto& toks = view.tokens;
  auto check = [&](size_t j) {
    const Token& t = toks[j];
    if (t.kind != TokenKind::kWord) return false;
    if (!t.ascii) return true;
    double c;
    return lookup(t.in(view.text), c) != nullptr && c >= kMinPropose;
  };
  auto space = [&](size_t j) {
    return toks[j].kind == TokenKind::kSpace && toks[j].end - toks[j].begin <= 3;
  };
  return (i >= 2 && space(i - 1) && check(i - 2)) ||
         (i + 2 < toks.size() && space(i + 1) && check(i + 2));
}

double AccentRestorer::boost(double p) {
  const double odds = kNeighbourOdds * p / (1 - p);
  return odds / (1 + odds);
}

bool AccentRestorer::emit(std::string_view text, size_t begin, const Decision& d, double conf,
                          std::vector<restore::Insertion>& out) {
  if (conf < kMinPropose) return false;
  const std::string evidence =
      fmt::format("\"{}\" read as \"{}\" ({} weighted training uses)",
                  text.substr(begin, d.ascii_length), d.form, fmt_count(d.total));
  for (const auto& [off, letters] : d.inserts)
    out.push_back({begin + off, letters, kRule, conf, evidence});
  return true;
}

std::unique_ptr<restore::Counter> make_accent_counter() {
  return std::make_unique<AccentCounter>();
}

}  // namespace copydesk
