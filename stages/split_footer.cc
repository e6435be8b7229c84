#include "stages/split_footer.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/data_files.h"

namespace copydesk {
namespace {

// ---------------------------------------------------------------------------
// Rules (config/footers/markers.tsv)

enum class Mode { kLine, kHeading, kGlued, kCue };

struct Rule {
  std::string id;
  std::string family;
  std::string type;
  double weight = 0;
  Mode mode = Mode::kLine;
  int max_words = 0;
  std::unique_ptr<RE2> re;  // line/heading: use with ANCHOR_START; glued: "(?:p)\s*$"; cue: p
  std::vector<std::pair<std::string, int>> groups;  // named groups, by group index
};

// A marker of at least this weight can anchor a footer on its own.
constexpr double kAnchorWeight = 4.0;
// Cue phrases add at most this much to one segment.
constexpr double kCueCap = 4.5;
// A heading owns at most this many following lines that are not list items.
constexpr int kMaxOwned = 12;
// A body sentence ending in ':' introduces at most this many list lines.
constexpr size_t kMaxIntroduced = 80;

// Rule ids of the structural (code-defined) evidence.
constexpr const char* kUrlLineRule = "footer.url-line.v1";
constexpr const char* kChromeRunRule = "footer.chrome-run.v1";

RE2::Options re_options() {
  RE2::Options o;
  o.set_log_errors(false);
  return o;
}

// Expands {NAME} macros (defined by earlier "define" rows); other braces
// ({1,3} quantifiers) pass through.
std::string expand_macros(const std::string& pattern,
                          const std::map<std::string, std::string>& macros, const std::string& path,
                          size_t line) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '{') {
      size_t j = i + 1;
      while (j < pattern.size() && ((pattern[j] >= 'A' && pattern[j] <= 'Z') || pattern[j] == '_'))
        ++j;
      if (j > i + 1 && j < pattern.size() && pattern[j] == '}') {
        std::string name = pattern.substr(i + 1, j - i - 1);
        auto it = macros.find(name);
        if (it == macros.end())
          throw ConfigError(data_error(path, line, i + 1, "unknown macro {" + name + "}"));
        out += "(?:" + it->second + ")";
        i = j + 1;
        continue;
      }
    }
    out += pattern[i++];
  }
  return out;
}

// ---------------------------------------------------------------------------
// Small text helpers (ASCII decisions; UTF-8 bytes pass through)

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_space(s.front()) || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// Drops closing quotes and brackets from the end ("said.\u201D" -> "said.").
std::string_view strip_closers(std::string_view s) {
  for (;;) {
    if (!s.empty() && (s.back() == '"' || s.back() == '\'' || s.back() == ')' || s.back() == ']' ||
                       s.back() == '*' || is_space(s.back()))) {
      s.remove_suffix(1);
    } else if (ends_with(s, "\u201D") || ends_with(s, "\u2019")) {
      s.remove_suffix(3);
    } else {
      return s;
    }
  }
}

size_t count_chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// "May 10th, 2025", "26 February 2026, 19:11", "2025-05-10" -> "2025-05-10".
std::optional<std::string> iso_date(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() >= 10 && s[4] == '-' && s[7] == '-') return std::string(s.substr(0, 10));
  int year = 0, month = 0, day = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c >= '0' && c <= '9') {
      size_t j = i;
      int v = 0;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9') v = v * 10 + (s[j++] - '0');
      if (j - i == 4 && year == 0)
        year = v;
      else if (j - i <= 2 && day == 0 && year == 0 && v >= 1 && v <= 31)
        day = v;
      i = j;
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
      size_t j = i;
      std::string w;
      while (j < s.size() &&
             (((unsigned char)s[j] | 0x20) >= 'a' && ((unsigned char)s[j] | 0x20) <= 'z'))
        w += static_cast<char>(s[j++] | 0x20);
      if (month == 0 && w.size() >= 3) {
        for (int m = 0; m < 12; ++m)
          if (w.compare(0, 3, kMonths[m]) == 0) month = m + 1;
      }
      i = j;
    } else {
      ++i;
    }
  }
  if (year == 0 || month == 0 || day == 0) return std::nullopt;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return std::string(buf);
}

// True when s looks like a publication name: short, capitalised words,
// digits, domains and a few function words ("SWI swissinfo.ch in English").
bool name_like(std::string_view s) {
  static constexpr std::string_view kSmall[] = {"of",  "the", "in", "and", "for", "on",
                                                "to",  "at",  "de", "la",  "le",  "du",
                                                "des", "e",   "y",  "&",   "a",   "an"};
  s = trim(s);
  if (s.empty()) return false;
  int words = 0;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j == i) break;
    std::string_view w = s.substr(i, j - i);
    while (w.size() > 1 && (w.back() == ',' || w.back() == ':')) w.remove_suffix(1);
    ++words;
    unsigned char c = w[0];
    bool inner_upper = false;  // "iHeart", "eBay"
    for (unsigned char x : w) inner_upper = inner_upper || (x >= 'A' && x <= 'Z');
    bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80 || w == "-" ||
              w == "|" || w == "\u2013" || w.find('.') != std::string_view::npos || inner_upper;
    for (auto small : kSmall) ok = ok || w == small;
    if (!ok) return false;
    i = j;
  }
  return words >= 1 && words <= 14;
}

struct HeadlineSource {
  std::string headline;
  std::string source;
  const char* truncated = nullptr;  // "headline" or "source" when cut with "..."
};

bool cut_ellipsis(std::string_view& s) {
  s = trim(s);
  if (ends_with(s, "..."))
    s.remove_suffix(3);
  else if (ends_with(s, "\u2026"))
    s.remove_suffix(3);
  else
    return false;
  s = trim(s);
  while (!s.empty() && (s.back() == '-' || is_space(s.back()))) s.remove_suffix(1);
  return true;
}

// "Headline - Source One - Source Two": the headline runs up to the first
// " - " after which everything is name-like; a headline cut with "..." has no source.
HeadlineSource split_headline(std::string_view rest) {
  HeadlineSource out;
  rest = trim(rest);
  std::vector<size_t> seps;
  for (size_t i = 0; i + 2 < rest.size(); ++i) {
    if (rest[i] == ' ' && rest[i + 1] == '-' && rest[i + 2] == ' ') seps.push_back(i);
  }
  for (size_t sep : seps) {
    std::string_view head = trim(rest.substr(0, sep));
    std::string_view tail = rest.substr(sep + 3);
    bool cut = cut_ellipsis(tail);
    if (head.empty() || !name_like(tail)) continue;
    out.headline = std::string(head);
    out.source = std::string(tail);
    if (cut) out.truncated = "source";
    return out;
  }
  if (cut_ellipsis(rest)) out.truncated = "headline";
  out.headline = std::string(rest);
  return out;
}

// ---------------------------------------------------------------------------
// Segments: lines, or parts of a line cut at a glued marker.

struct Segment {
  Span span;         // trimmed content, bytes in view.text
  size_t start = 0;  // footer start if the footer begins here
  int words = 0;
  bool terminal = false;    // ends a sentence (. ! ? ...)
  bool title_case = false;  // most longer words capitalised (headline, name, menu item)
  bool label = false;       // "Label: value", a short metadata line
  bool starts_lower = false;
  bool separator = false;  // horizontal rule ("----", "___")
  size_t sep_chars = 0;
  bool url_only = false;  // a link, perhaps with a short label
  bool has_url = false;
  bool has_date = false;
  int rule = -1;                          // strongest line/heading/glued rule
  std::vector<std::pair<int, int>> cues;  // cue rule, matches
  double cue_sum = 0;
  int cue_matches = 0;
  bool chrome_run = false;
  bool owned = false;       // a line listed under a heading
  bool introduced = false;  // a line listed under a body sentence ending in ':'
  bool periodic = false;    // inside a repeated template (headline / "Article" / date)
  double score = 0;
  bool anchor = false;
  bool barrier = false;  // body evidence no footer may start above

  bool shortish() const { return !terminal && words <= 6 && !separator && !url_only; }
};

class SplitFooter final : public Stage {
 public:
  explicit SplitFooter(const StageContext& ctx);
  std::string_view name() const override { return "split-footer"; }
  StageResult run(const TextView& view) const override;

 private:
  void load(const std::string& path);
  std::vector<Segment> segment(const TextView& view) const;
  void describe(const TextView& view, Segment& s) const;
  void score(std::string_view text, std::vector<Segment>& segs) const;
  void emit(const TextView& view, const std::vector<Segment>& segs, size_t first,
            StageResult& out) const;
  std::vector<std::pair<std::string, std::string>> item_attributes(std::string_view text,
                                                                   const Segment& s,
                                                                   const Rule& r) const;

  std::vector<Rule> rules_;
  std::unique_ptr<RE2::Set> line_set_;   // line + heading rules, anchored at the segment start
  std::unique_ptr<RE2::Set> glued_set_;  // glued rules, "(?:p)\s*$"
  std::unique_ptr<RE2::Set> cue_set_;
  std::vector<int> line_ids_, glued_ids_, cue_ids_;  // set index -> rule index
  std::unique_ptr<RE2> url_re_;
  std::unique_ptr<RE2> date_re_;
  // URL (index 0) and DATE (1) together: one scan of a segment tells whether
  // either occurs, and the URL loop runs only when one does. Null if it
  // did not compile (then each runs on its own).
  std::unique_ptr<RE2::Set> url_date_set_;
  double min_score_ = 3.0;
};

SplitFooter::SplitFooter(const StageContext& ctx) {
  min_score_ = ctx.get_double("min-score", 3.0);
  load(ctx.data_path(ctx.get("markers", "footers/markers.tsv")));
}

void SplitFooter::load(const std::string& path) {
  const RE2::Options opt = re_options();
  line_set_ = std::make_unique<RE2::Set>(opt, RE2::ANCHOR_START);
  glued_set_ = std::make_unique<RE2::Set>(opt, RE2::UNANCHORED);
  cue_set_ = std::make_unique<RE2::Set>(opt, RE2::UNANCHORED);
  std::map<std::string, std::string> macros;

  for (const TsvRow& row : read_tsv(path, 7)) {
    const auto& f = row.fields;
    auto fail = [&](size_t field, const std::string& what) {
      size_t col = 1;
      for (size_t i = 0; i < field; ++i) col += f[i].size() + 1;
      throw ConfigError(data_error(path, row.line, col, what));
    };
    if (f[4] == "define") {
      macros[f[0]] = expand_macros(f[6], macros, path, row.line);
      RE2 check(macros[f[0]], opt);
      if (!check.ok()) fail(6, "bad pattern for macro " + f[0] + ": " + check.error());
      continue;
    }
    Rule r;
    r.id = f[0];
    r.family = f[1];
    r.type = f[2];
    if (r.id.rfind("footer.", 0) != 0 || r.id.find(".v") == std::string::npos)
      fail(0, "rule id must look like footer.<name>.v<N>: '" + r.id + "'");
    try {
      size_t used = 0;
      r.weight = std::stod(f[3], &used);
      if (used != f[3].size()) throw std::invalid_argument("trailing");
      r.max_words = std::stoi(f[5], &used);
      if (used != f[5].size() || r.max_words <= 0) throw std::invalid_argument("range");
    } catch (const std::exception&) {
      fail(3, "weight and max_words must be numbers (max_words > 0)");
    }
    if (f[4] == "line")
      r.mode = Mode::kLine;
    else if (f[4] == "heading")
      r.mode = Mode::kHeading;
    else if (f[4] == "glued")
      r.mode = Mode::kGlued;
    else if (f[4] == "cue")
      r.mode = Mode::kCue;
    else
      fail(4, "unknown mode '" + f[4] + "' (line, heading, glued, cue, define)");

    std::string pat = expand_macros(f[6], macros, path, row.line);
    if (r.mode == Mode::kGlued) pat = "(?:" + pat + ")\\s*$";
    r.re = std::make_unique<RE2>(pat, opt);
    if (!r.re->ok()) fail(6, "bad pattern: " + r.re->error());
    for (const auto& [name, index] : r.re->NamedCapturingGroups())
      r.groups.emplace_back(name, index);
    std::sort(r.groups.begin(), r.groups.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });

    std::string err;
    const int index = static_cast<int>(rules_.size());
    RE2::Set* set = r.mode == Mode::kCue     ? cue_set_.get()
                    : r.mode == Mode::kGlued ? glued_set_.get()
                                             : line_set_.get();
    std::vector<int>& ids = r.mode == Mode::kCue     ? cue_ids_
                            : r.mode == Mode::kGlued ? glued_ids_
                                                     : line_ids_;
    if (set->Add(pat, &err) < 0) fail(6, "bad pattern: " + err);
    ids.push_back(index);
    rules_.push_back(std::move(r));
  }
  if (!macros.count("URL") || !macros.count("DATE"))
    throw ConfigError(data_error(path, 1, 1, "the macros URL and DATE must be defined"));
  if (!line_set_->Compile() || !glued_set_->Compile() || !cue_set_->Compile())
    throw ConfigError(data_error(path, 1, 1, "patterns too large to compile together"));
  url_re_ = std::make_unique<RE2>(macros["URL"], opt);
  date_re_ = std::make_unique<RE2>(macros["DATE"], opt);
  url_date_set_ = std::make_unique<RE2::Set>(opt, RE2::UNANCHORED);
  if (url_date_set_->Add(macros["URL"], nullptr) != 0 ||
      url_date_set_->Add(macros["DATE"], nullptr) != 1 || !url_date_set_->Compile())
    url_date_set_.reset();
}

std::vector<Segment> SplitFooter::segment(const TextView& view) const {
  std::string_view text = view.text;
  std::vector<Segment> segs;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    size_t b = pos, e = end;
    while (b < e && is_space(text[b])) ++b;
    while (e > b && is_space(text[e - 1])) --e;
    if (b < e) {
      std::string_view line = text.substr(b, e - b);
      // A glued marker: the earliest one that ends the line and starts it or
      // follows a sentence end.
      size_t cut = std::string_view::npos;
      int cut_rule = -1;
      std::vector<int> hits;
      if (glued_set_->Match(line, &hits)) {
        for (int h : hits) {
          const Rule& r = rules_[glued_ids_[h]];
          re2::StringPiece m;
          if (!r.re->Match(line, 0, line.size(), RE2::UNANCHORED, &m, 1)) continue;
          size_t at = static_cast<size_t>(m.data() - line.data());
          std::string_view before = strip_closers(trim(line.substr(0, at)));
          bool ok =
              at == 0 || (!before.empty() && (before.back() == '.' || before.back() == '!' ||
                                              before.back() == '?' || ends_with(before, "\u2026")));
          if (ok && (cut == std::string_view::npos || at < cut)) {
            cut = at;
            cut_rule = glued_ids_[h];
          }
        }
      }
      if (cut != std::string_view::npos && cut > 0) {
        Segment body;
        size_t be = b + cut;
        while (be > b && is_space(text[be - 1])) --be;
        body.span = {b, be};
        body.start = pos;
        segs.push_back(body);
        Segment tail;
        tail.span = {b + cut, e};
        tail.start = b + cut;
        tail.rule = cut_rule;
        segs.push_back(tail);
      } else {
        Segment s;
        s.span = {b, e};
        s.start = pos;
        s.rule = cut_rule;
        segs.push_back(s);
      }
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  for (Segment& s : segs) describe(view, s);
  return segs;
}

void SplitFooter::describe(const TextView& view, Segment& s) const {
  std::string_view text = view.text;
  std::string_view seg = s.span.in(text);
  const TokenList& toks = view.tokens;
  auto it = std::lower_bound(toks.begin(), toks.end(), s.span.begin,
                             [](const Token& t, size_t b) { return t.begin < b; });
  int longw = 0, long_upper = 0, caps = 0, numbers = 0;
  int lead_caps = 0;  // capitalised words before the first punctuation
  bool lead_open = true;
  const Token* last = nullptr;
  const Token* prev_last = nullptr;
  bool first_word = true;
  for (; it != toks.end() && it->begin < s.span.end; ++it) {
    const Token& t = *it;
    if (t.kind == TokenKind::kSpace || t.kind == TokenKind::kNewline) continue;
    if (last == nullptr && !t.is_word())
      first_word = false;  // "30 more people": not a continuation
    prev_last = last;
    last = &t;
    if (t.kind == TokenKind::kNumber) ++numbers;
    if (!t.is_word()) {
      if (lead_open && t.kind == TokenKind::kPunct && t.in(text) == ":" && lead_caps >= 1 &&
          lead_caps <= 3)
        s.label = true;
      lead_open = false;
      continue;
    }
    if (lead_open && t.has_upper_initial)
      ++lead_caps;
    else
      lead_open = false;
    ++s.words;
    std::string_view w = t.in(text);
    unsigned char c0 = w[0];
    bool lo = c0 >= 'a' && c0 <= 'z';
    if (first_word) s.starts_lower = lo;
    first_word = false;
    if (w.size() >= 4) {
      ++longw;
      long_upper += t.has_upper_initial;
    }
    bool all_caps = w.size() >= 2;
    for (unsigned char c : w)
      if (c >= 'a' && c <= 'z') all_caps = false;
    caps += all_caps;
  }
  s.title_case = longw >= 2 && long_upper * 4 >= longw * 3 && caps * 5 < s.words * 3;
  // (A line of closing marks only, such as a lone "\u2019", strips to nothing.)
  const std::string_view body = strip_closers(seg);
  if (!body.empty() && body.back() == '.') s.title_case = false;  // headlines do not end in '.'
  s.label = s.label && s.words <= 12;

  if (!body.empty()) {
    char c = body.back();
    if (c == '!' || c == '?' || ends_with(body, "\u2026")) {
      s.terminal = true;
    } else if (c == '.') {
      // "said." ends a sentence; initials "A.B." and "U.S." do not.
      s.terminal = ends_with(body, "...") || prev_last == nullptr || !prev_last->is_word() ||
                   count_chars(prev_last->in(text)) >= 2;
    }
  }

  if (s.words == 0 && numbers == 0) {
    bool rule_chars = true;
    for (unsigned char c : seg)
      if (!(c == '-' || c == '_' || c == '=' || c == '*' || c == '~' || c == '#' || c == '+' ||
            c >= 0x80))
        rule_chars = false;
    if (rule_chars) {
      s.separator = true;
      s.sep_chars = count_chars(seg);
    }
  }

  // Whether a URL or a date occurs at all, in one scan when the set can tell.
  std::vector<int> hits;
  bool may_have_url = true, date_known = false;
  if (url_date_set_) {
    RE2::Set::ErrorInfo error{RE2::Set::kNoError};
    if (url_date_set_->Match(seg, &hits, &error)) {
      may_have_url = std::find(hits.begin(), hits.end(), 0) != hits.end();
      s.has_date = std::find(hits.begin(), hits.end(), 1) != hits.end();
      date_known = true;
    } else if (error.kind == RE2::Set::kNoError) {
      may_have_url = false;
      s.has_date = false;
      date_known = true;
    }
    hits.clear();
  }

  // Links: letters left outside the URLs decide "link-only".
  re2::StringPiece in(seg.data(), seg.size());
  re2::StringPiece m;
  size_t outside = 0, from = 0;
  while (may_have_url && from <= seg.size() &&
         url_re_->Match(in, from, seg.size(), RE2::UNANCHORED, &m, 1)) {
    size_t at = static_cast<size_t>(m.data() - seg.data());
    for (size_t i = from; i < at; ++i)
      outside += ((seg[i] | 0x20) >= 'a' && (seg[i] | 0x20) <= 'z');
    s.has_url = true;
    from = at + std::max<size_t>(m.size(), 1);
  }
  for (size_t i = from; i < seg.size(); ++i)
    outside += ((seg[i] | 0x20) >= 'a' && (seg[i] | 0x20) <= 'z');
  s.url_only = s.has_url && outside <= 12;
  if (!date_known) s.has_date = RE2::PartialMatch(seg, *date_re_);

  // Markers.
  if (s.rule < 0 && line_set_->Match(seg, &hits)) {
    for (int h : hits) {
      int ri = line_ids_[h];
      const Rule& r = rules_[ri];
      if (s.words > r.max_words) continue;
      if (s.rule < 0 || r.weight > rules_[s.rule].weight ||
          (r.weight == rules_[s.rule].weight && ri < s.rule))
        s.rule = ri;
    }
  }
  hits.clear();
  if (cue_set_->Match(seg, &hits)) {
    for (int h : hits) {
      int ri = cue_ids_[h];
      const Rule& r = rules_[ri];
      if (s.words > r.max_words) continue;
      int n = 0;
      size_t at = 0;
      while (n < 3 && at <= seg.size() && r.re->Match(in, at, seg.size(), RE2::UNANCHORED, &m, 1)) {
        ++n;
        at = static_cast<size_t>(m.data() - seg.data()) + std::max<size_t>(m.size(), 1);
      }
      if (n == 0) continue;
      s.cues.emplace_back(ri, n);
      s.cue_matches += n;
      s.cue_sum += r.weight * n;
    }
    s.cue_sum = std::min(s.cue_sum, kCueCap);
  }
}

void SplitFooter::score(std::string_view text, std::vector<Segment>& segs) const {
  const size_t n = segs.size();
  auto strong = [&](const Segment& s) {
    return s.rule >= 0 && rules_[s.rule].weight >= kAnchorWeight;
  };
  // Runs of short lines (menus, tag lists, share buttons), not counting lines
  // that are themselves strong markers or headings.
  for (size_t i = 0; i < n; ++i) {
    Segment& s = segs[i];
    if (!s.shortish() || s.rule >= 0) continue;
    auto chrome_neighbour = [&](size_t j) { return segs[j].shortish() && !strong(segs[j]); };
    s.chrome_run = (i > 0 && chrome_neighbour(i - 1)) || (i + 1 < n && chrome_neighbour(i + 1));
  }
  // Headings own the lines listed under them.
  for (size_t i = 0; i < n; ++i) {
    if (segs[i].rule < 0 || rules_[segs[i].rule].mode != Mode::kHeading) continue;
    int owned = 0;
    int list_rule = -1;
    for (size_t j = i + 1; j < n; ++j) {
      Segment& s = segs[j];
      bool list_item = s.rule >= 0 && rules_[s.rule].type == "headline-list";
      if (s.rule >= 0 && rules_[s.rule].weight >= 3 && !list_item) break;
      if (list_item && (list_rule < 0 || list_rule == s.rule)) {
        list_rule = s.rule;
      } else {
        if (owned >= kMaxOwned || s.words > 80) break;
        ++owned;
      }
      s.owned = true;
    }
  }
  // Repeated templates: a date line, a link line, a marker or the same short
  // line recurring every 2-4 lines, three times or more, makes the lines
  // between them list items (related-article teasers), whatever their form.
  std::vector<uint64_t> code(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const Segment& s = segs[i];
    if (s.has_date && s.words <= 12)
      code[i] = 1;
    else if (s.url_only)
      code[i] = 2;
    else if (s.rule >= 0)
      code[i] = 16 + static_cast<uint64_t>(s.rule);
    else if (s.shortish()) {
      uint64_t h = 1469598103934665603ull;  // FNV-1a of the lower-cased line
      for (unsigned char c : s.span.in(text))
        h = (h ^ static_cast<unsigned char>(c | (c >= 'A' && c <= 'Z' ? 0x20 : 0))) *
            1099511628211ull;
      code[i] = h | (1ull << 63);
    }
  }
  for (size_t p = 2; p <= 4; ++p) {
    for (size_t i = 0; i + 2 * p < n; ++i) {
      if (code[i] == 0 || code[i] != code[i + p] || code[i] != code[i + 2 * p]) continue;
      for (size_t j = i; j <= i + 2 * p; ++j)
        if (segs[j].words <= 40) segs[j].periodic = true;
    }
  }
  // A body sentence ending in ':' introduces a list that belongs to the body
  // ("Participants included:"), up to the next marker, link or cue.
  auto plain = [&](const Segment& s) {
    return s.rule < 0 && s.cue_matches == 0 && !s.url_only && !s.separator;
  };
  for (size_t i = 0; i < n; ++i) {
    const Segment& s = segs[i];
    std::string_view last = strip_closers(s.span.in(text));
    if (!plain(s) || s.owned || s.title_case || last.empty() || last.back() != ':') continue;
    for (size_t j = i + 1; j < n && j <= i + kMaxIntroduced && plain(segs[j]) && !segs[j].owned;
         ++j)
      segs[j].introduced = true;
  }
  for (size_t i = 0; i < n; ++i) {
    Segment& s = segs[i];
    double base = 0;
    if (s.separator) {
      base = s.sep_chars >= 2 ? 1.0 : 0.0;
    } else if (s.url_only) {
      base = 3.0;
    } else if (s.label) {
      base = 0.0;
    } else if (s.words >= 6 && s.terminal && !s.title_case) {
      base = -std::min(6.0, 2.0 + 0.05 * s.words);
    } else if (s.words >= 2 && s.terminal && !s.title_case) {
      base = -1.0;
    } else if (s.terminal && s.words <= 1) {
      base = -0.5;
    } else if (s.words >= 25 && !s.title_case) {
      base = -std::min(6.0, 1.0 + 0.05 * s.words);  // prose cut off at a link or a bracket
    } else if (s.words >= 8) {
      base = s.title_case ? 0.3 : -1.0;
    } else if (s.chrome_run) {
      base = 0.7;
    }
    if (s.has_date && !s.url_only && base > -2) base += 1.0;
    if (s.has_url && !s.url_only && base < 0) base += 0.5;
    // A lower-case line after an unfinished long line continues its sentence
    // (a paragraph broken at a link).
    if (i > 0 && s.starts_lower && !segs[i - 1].terminal && segs[i - 1].words >= 6 && !s.owned)
      base -= 1.5;

    double sc = base;
    if (s.rule >= 0) {
      sc = std::max(rules_[s.rule].weight, base) + 0.5 * s.cue_sum;
    } else if (s.cue_matches > 0) {
      sc = base * (s.cue_matches >= 2 ? 0.2 : 0.6) + s.cue_sum;
    }
    if (s.owned) sc = std::max(sc, 0.8);
    if (s.periodic) sc = std::max(sc, -0.5);
    s.score = sc;
    // Anchors: a strong marker, a link line, two chrome markers side by side
    // (share buttons, menu items), or a line of several boilerplate phrases.
    auto chrome = [&](size_t j) {
      return j < n && segs[j].rule >= 0 && rules_[segs[j].rule].weight >= 3;
    };
    s.anchor = strong(s) || s.url_only ||
               (chrome(i) && ((i > 0 && chrome(i - 1)) || chrome(i + 1))) ||
               (s.rule < 0 && sc > 0 && (s.cues.size() >= 2 || s.cue_matches >= 3));
    // Prose with no marker, cue or heading above it is article text; so is a
    // list a body sentence introduced.
    s.barrier = s.introduced ||
                (base <= -2.0 && s.rule < 0 && s.cue_matches == 0 && !s.owned && !s.periodic);
  }
  // Prose between two boilerplate lines (a promotion in three paragraphs)
  // does not stop the footer.
  for (size_t i = 1; i + 1 < n; ++i) {
    Segment& s = segs[i];
    auto boiler = [&](const Segment& o) {
      return o.rule >= 0 || (o.cue_matches > 0 && o.score > 0);
    };
    if (s.barrier && !s.introduced && s.words <= 60 && boiler(segs[i - 1]) && boiler(segs[i + 1]))
      s.barrier = false;
  }
  // An end-of-article marker ("###", "-30-", "Enditem") closes the body:
  // nothing above it is footer.
  for (size_t i = 0; i < n; ++i) {
    if (segs[i].rule >= 0 && rules_[segs[i].rule].type == "end-marker" && i > 0)
      segs[i - 1].barrier = true;
  }
}

std::vector<std::pair<std::string, std::string>> SplitFooter::item_attributes(std::string_view text,
                                                                              const Segment& s,
                                                                              const Rule& r) const {
  std::vector<std::pair<std::string, std::string>> attrs;
  std::string_view seg = s.span.in(text);
  const int ngroups = r.re->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> sub(ngroups + 1);
  RE2::Anchor anchor =
      r.mode == Mode::kGlued || r.mode == Mode::kCue ? RE2::UNANCHORED : RE2::ANCHOR_START;
  if (!r.re->Match(seg, 0, seg.size(), anchor, sub.data(), ngroups + 1)) return attrs;
  for (const auto& [name, index] : r.groups) {
    if (sub[index].data() == nullptr) continue;
    std::string_view v = trim(std::string_view(sub[index].data(), sub[index].size()));
    if (v.empty()) continue;
    if (name == "rest") {
      HeadlineSource hs = split_headline(v);
      attrs.emplace_back("headline", hs.headline);
      if (!hs.source.empty()) attrs.emplace_back("source", hs.source);
      if (hs.truncated) attrs.emplace_back("truncated", hs.truncated);
    } else if (name == "date") {
      if (auto iso = iso_date(v))
        attrs.emplace_back("date", *iso);
      else
        attrs.emplace_back("date_text", std::string(v));
    } else {
      attrs.emplace_back(name, std::string(v));
    }
  }
  return attrs;
}

void SplitFooter::emit(const TextView& view, const std::vector<Segment>& segs, size_t first,
                       StageResult& out) const {
  std::string_view text = view.text;
  std::vector<std::string> families, rule_ids;
  auto note = [&](const std::string& family, const std::string& rule) {
    if (families.empty() || families.back() != family) families.push_back(family);
    if (std::find(rule_ids.begin(), rule_ids.end(), rule) == rule_ids.end())
      rule_ids.push_back(rule);
  };
  std::vector<Region> items;
  int heading = -1;  // rule of the heading that owns the current list
  for (size_t i = first; i < segs.size(); ++i) {
    const Segment& s = segs[i];
    if (s.rule >= 0 && rules_[s.rule].mode == Mode::kHeading) heading = s.rule;
    Region item;
    item.span = s.span;
    item.kind = "footer-item";
    if (s.rule >= 0) {
      const Rule& r = rules_[s.rule];
      if (!s.owned)
        note(r.family, r.id);
      else if (std::find(rule_ids.begin(), rule_ids.end(), r.id) == rule_ids.end())
        rule_ids.push_back(r.id);
      item.rule = r.id;
      item.attributes.emplace_back("type", r.type);
      for (auto& a : item_attributes(text, s, r)) item.attributes.push_back(std::move(a));
    } else if (s.url_only) {
      if (!s.owned) note("url-line", kUrlLineRule);
      item.rule = kUrlLineRule;
      item.attributes.emplace_back("type", "url");
      re2::StringPiece m;
      std::string_view seg = s.span.in(text);
      if (url_re_->Match(seg, 0, seg.size(), RE2::UNANCHORED, &m, 1))
        item.attributes.emplace_back("url", std::string(m.data(), m.size()));
    } else if (s.owned) {
      // A line listed under a heading: a headline, perhaps "Headline - Source".
      item.rule = heading >= 0 ? rules_[heading].id : "";
      item.attributes.emplace_back("type", "headline");
      HeadlineSource hs = split_headline(s.span.in(text));
      item.attributes.emplace_back("headline", hs.headline);
      if (!hs.source.empty()) item.attributes.emplace_back("source", hs.source);
      if (hs.truncated) item.attributes.emplace_back("truncated", hs.truncated);
    } else if (s.cue_matches > 0 && s.score > 0) {
      int best = s.cues.front().first;
      for (const auto& [ri, k] : s.cues)
        if (rules_[ri].weight * k > rules_[best].weight) best = ri;
      note(rules_[best].family, rules_[best].id);
      item.rule = rules_[best].id;
      item.attributes.emplace_back("type", rules_[best].type);
    } else if (s.chrome_run) {
      note("site-chrome", kChromeRunRule);
      continue;  // menu items and tags are not parsed one by one
    } else {
      continue;
    }
    items.push_back(std::move(item));
  }
  if (families.empty()) return;

  const size_t start = segs[first].start;
  Region body{{0, start}, "body", "", {}};
  Region footer{{start, text.size()}, "footer", rule_ids.front(), {}};
  std::string rules_joined, family_joined;
  for (const auto& r : rule_ids) rules_joined += (rules_joined.empty() ? "" : ",") + r;
  for (const auto& f : families) family_joined += (family_joined.empty() ? "" : "+") + f;
  footer.attributes.emplace_back("rules", rules_joined);
  footer.attributes.emplace_back("family", family_joined);
  out.regions.push_back(std::move(body));
  out.regions.push_back(std::move(footer));
  for (auto& it : items) out.regions.push_back(std::move(it));
}

StageResult SplitFooter::run(const TextView& view) const {
  StageResult out;
  std::vector<Segment> segs = segment(view);
  if (segs.empty()) return out;
  score(view.text, segs);
  // The suffix with the highest total, scanning from the end; a later start
  // wins ties. Only suffixes holding an anchor count.
  double total = 0, best = 0;
  bool anchored = false;
  size_t best_at = segs.size();
  for (size_t i = segs.size(); i-- > 0;) {
    if (segs[i].barrier) break;
    total += segs[i].score;
    anchored = anchored || segs[i].anchor;
    if (anchored && total > best + 1e-9) {
      best = total;
      best_at = i;
    }
  }
  if (best_at == segs.size() || best < min_score_) return out;
  emit(view, segs, best_at, out);
  return out;
}

}  // namespace

std::unique_ptr<Stage> make_split_footer_stage(const StageContext& ctx) {
  return std::make_unique<SplitFooter>(ctx);
}

}  // namespace copydesk
