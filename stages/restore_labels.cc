#include "stages/restore_labels.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <vector>

#include "pipeline/data_files.h"
#include "pipeline/stage.h"

namespace copydesk::restore {
namespace {

constexpr double kMinLabelCount = 20.0;  // weighted uses of a label in one context
constexpr size_t kMaxLabelLength = 12;
// The precision an insertion needs to be applied by default (the runner's
// apply threshold): a shorter run that reaches it beats a longer one that
// does not.
constexpr double kTargetPrecision = 0.9;

std::vector<char32_t> code_points(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : 4;
    char32_t cp = n == 1 ? b : b & (0x7F >> n);
    for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string utf8(const std::vector<char32_t>& cps) {
  std::string out;
  for (char32_t c : cps) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// "U+00A0 U+00A0" <-> code points ("-" for an empty run).
std::string to_code_list(std::string_view run) {
  if (run.empty()) return "-";
  std::string out;
  char buf[16];
  for (char32_t c : code_points(run)) {
    std::snprintf(buf, sizeof buf, "%sU+%04X", out.empty() ? "" : " ", static_cast<unsigned>(c));
    out += buf;
  }
  return out;
}

bool from_code_list(std::string_view s, std::string& out) {
  out.clear();
  if (s == "-") return true;
  std::vector<char32_t> cps;
  size_t i = 0;
  while (i < s.size()) {
    if (s.substr(i, 2) != "U+") return false;
    size_t j = i + 2;
    char32_t c = 0;
    while (j < s.size() && std::isxdigit(static_cast<unsigned char>(s[j]))) {
      c = c * 16 + static_cast<char32_t>(std::stoi(std::string(1, s[j]), nullptr, 16));
      ++j;
    }
    if (j == i + 2 || c > 0x10FFFF) return false;
    cps.push_back(c);
    i = j;
    if (i < s.size() && s[i] == ' ') ++i;
  }
  out = utf8(cps);
  return true;
}

// Length of the longest common subsequence of two short code point runs:
// the number of inserted characters the scorer would count as right.
size_t lcs(const std::vector<char32_t>& a, const std::vector<char32_t>& b) {
  std::vector<size_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

bool all_spaces(std::string_view run) {
  for (char32_t c : code_points(run))
    if (!(c == 0xA0 || c == 0x202F || c == 0x2007 || (c >= 0x2000 && c <= 0x200A) || c == 0x3000))
      return false;
  return true;
}

char class_of(char c) {
  if (c >= '0' && c <= '9') return 'D';
  if (c >= 'A' && c <= 'Z') return 'U';
  if (c >= 'a' && c <= 'z') return 'l';
  return 'P';
}

bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

}  // namespace

LabelModel LabelModel::load(const std::string& dir) {
  LabelModel m;
  const std::string path = dir + "/labels2.tsv";
  for (const TsvRow& row : read_tsv(path, 6)) {
    const auto& f = row.fields;
    Choice c;
    if (f[1].size() != 1 || std::string_view("DUlPS").find(f[1][0]) == std::string_view::npos)
      throw ConfigError(data_error(path, row.line, 2, "expected a class D, U, l, P or S"));
    if (!from_code_list(f[2], c.before))
      throw ConfigError(data_error(path, row.line, 3, "expected U+XXXX code points"));
    if (!from_code_list(f[3], c.after))
      throw ConfigError(data_error(path, row.line, 4, "expected U+XXXX code points"));
    try {
      c.precision = std::stod(std::string(f[4]));
      c.count = std::stod(std::string(f[5]));
    } catch (const std::exception&) {
      throw ConfigError(data_error(path, row.line, 5, "expected numbers"));
    }
    m.choices_[std::string(f[0]) + '\t' + std::string(f[1])] = std::move(c);
  }
  return m;
}

const LabelModel::Choice* LabelModel::choose(std::string_view label, char next_class) const {
  std::string key(label);
  key += '\t';
  key += next_class;
  auto it = choices_.find(key);
  return it == choices_.end() ? nullptr : &it->second;
}

namespace {

class LabelCounter final : public Counter {
 public:
  void add(std::string_view /*clean*/, const StrippedText& s, double weight) override {
    const std::string& t = s.text;
    for (size_t p = 0; p < t.size();
         p = t.find('\n', p) == std::string::npos ? t.size() : t.find('\n', p) + 1) {
      size_t e = p;
      while (e < t.size() && is_letter(t[e]) && e - p <= kMaxLabelLength) ++e;
      if (e == p || e - p > kMaxLabelLength || e + 1 >= t.size() || t[e] != ' ') continue;
      // Two spaces after the label ("END  12:56"): what was deleted between
      // them is the "after" run, and the class is 'S'.
      const bool two = t[e + 1] == ' ';
      if (two && (e + 2 >= t.size() || t[e + 2] == ' ' || t[e + 2] == '\n')) continue;
      if (!two && t[e + 1] == '\n') continue;
      std::string before(s.deleted_before(e)), after(s.deleted_before(e + 1));
      // A run holding anything but spaces (a dash, a quote) is another
      // rule's business: it counts as no run here.
      if (!all_spaces(before)) before.clear();
      if (!all_spaces(after)) after.clear();
      runs_[t.substr(p, e - p) + '\t' + (two ? 'S' : class_of(t[e + 1]))][{before, after}] +=
          weight;
    }
  }

  void write(const std::string& dir) const override {
    std::ofstream out(dir + "/labels2.tsv");
    out << "# Generated by copydesk train (restore labels); do not edit.\n"
           "# line-initial label, class of the character after its space (D digit, U upper, l "
           "lower, P other; S: a second space),\n"
           "# run to insert after the label, run to insert after the space (code points, - for "
           "none),\n"
           "# expected share of inserted characters that are right, weighted count of the label "
           "there\n";
    for (const auto& [key, dist] : runs_) {
      double total = 0;
      for (const auto& [r, n] : dist) total += n;
      if (total < kMinLabelCount) continue;
      // Candidates: every observed pair of runs and their prefixes. Chosen:
      // the best expected score (right minus wrong characters) among those
      // whose expected precision reaches kTargetPrecision, else the best.
      std::vector<std::pair<std::vector<char32_t>, std::vector<char32_t>>> cands;
      for (const auto& [g, n] : dist) {
        const auto ga = code_points(g.first), gb = code_points(g.second);
        for (size_t k = 1; k <= ga.size(); ++k) cands.push_back({{ga.begin(), ga.begin() + k}, {}});
        for (size_t k = 1; k <= gb.size(); ++k) cands.push_back({ga, {gb.begin(), gb.begin() + k}});
      }
      std::sort(cands.begin(), cands.end());
      cands.erase(std::unique(cands.begin(), cands.end()), cands.end());
      double best_gain = 0, best_prec = 0;
      bool best_sure = false;
      const std::pair<std::vector<char32_t>, std::vector<char32_t>>* best = nullptr;
      for (const auto& cand : cands) {
        const double len = static_cast<double>(cand.first.size() + cand.second.size());
        double right = 0;
        for (const auto& [g, n] : dist)
          right += n * static_cast<double>(lcs(cand.first, code_points(g.first)) +
                                           lcs(cand.second, code_points(g.second)));
        right /= total;
        const double gain = 2 * right - len, prec = right / len;
        const bool sure = prec >= kTargetPrecision;
        if (gain <= 0 || (best_sure && !sure)) continue;
        if (!best || (sure && !best_sure) || gain > best_gain)
          best_gain = gain, best = &cand, best_prec = prec, best_sure = sure;
      }
      if (!best) continue;
      out << key << '\t' << to_code_list(utf8(best->first)) << '\t'
          << to_code_list(utf8(best->second)) << '\t' << std::round(best_prec * 1000) / 1000 << '\t'
          << std::round(total * 10) / 10 << '\n';
    }
    if (!out) throw std::runtime_error("cannot write " + dir + "/labels2.tsv");
  }

 private:
  std::map<std::string, std::map<std::pair<std::string, std::string>, double>> runs_;
};

}  // namespace

std::unique_ptr<Counter> make_label_counter() { return std::make_unique<LabelCounter>(); }

}  // namespace copydesk::restore
