#include "pipeline/eval_score.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <unordered_map>

#include "pipeline/utf8.h"

namespace copydesk::eval {
namespace {

// --- Python str predicates, through ICU ------------------------------------------

int8_t char_type(char32_t c) { return u_charType(static_cast<UChar32>(c)); }

bool py_isalpha(char32_t c) {
  switch (char_type(c)) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return true;
    default:
      return false;
  }
}

int32_t numeric_type(char32_t c) {
  return u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_NUMERIC_TYPE);
}

bool py_isdigit(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  int32_t t = numeric_type(c);
  return t == U_NT_DECIMAL || t == U_NT_DIGIT;
}

// str.isalnum(): isalpha or isdecimal or isdigit or isnumeric.
bool py_isalnum(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return py_isalpha(c) || numeric_type(c) != U_NT_NONE;
}

// re's [^\W\d_]: a word character that is neither a decimal digit nor '_'.
bool py_re_letter(char32_t c) {
  if (c == '_') return false;
  if (!py_isalnum(c)) return false;
  return numeric_type(c) != U_NT_DECIMAL;
}

bool is_zs(char32_t c) { return char_type(c) == U_SPACE_SEPARATOR; }

// str.isspace(): bidirectional class WS, B or S, or category Zs.
bool py_isspace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
  UCharDirection d = u_charDirection(static_cast<UChar32>(c));
  return d == U_WHITE_SPACE_NEUTRAL || d == U_BLOCK_SEPARATOR || d == U_SEGMENT_SEPARATOR ||
         is_zs(c);
}

bool letter_or_mark(char32_t c) {
  switch (char_type(c)) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
      return true;
    default:
      return false;
  }
}

// --- score.py character sets ---------------------------------------------------------

bool in(char32_t c, std::u32string_view set) { return set.find(c) != std::u32string_view::npos; }

constexpr std::u32string_view kSingleQuotes = U"'\u2018\u2019\u201b\u2032`";
constexpr std::u32string_view kApostropheOnly = U"\u02bc\uff07";
constexpr std::u32string_view kDoubleQuotes =
    U"\"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a\u301d\u301e\uff02";
constexpr std::u32string_view kDashes =
    U"-\u2010\u2011\u2012\u2013\u2014\u2015\u2e3a\u2e3b\ufe58\ufe63\uff0d";
constexpr char32_t kEllipsis = 0x2026;
// Word-initial elisions: an apostrophe before these is not an opening quote.
constexpr std::u32string_view kElisions[] = {U"em", U"til",  U"tis",   U"twas", U"cause",
                                             U"n",  U"bout", U"round", U"nuff", U"ol"};

bool is_word(char32_t c) { return py_isalnum(c); }

char32_t at_or_space(const std::u32string& t, size_t pos) { return pos < t.size() ? t[pos] : U' '; }
char32_t before_or_space(const std::u32string& t, size_t pos) {
  return pos > 0 ? t[pos - 1] : U' ';
}

// True if the single-quote character at pos opens a quotation.
bool opens_single(const std::u32string& text, size_t pos) {
  char32_t prev = before_or_space(text, pos);
  char32_t nxt = at_or_space(text, pos + 1);
  if (is_word(prev) || !py_isalpha(nxt)) return false;
  // re.match(r"[^\W\d_]+", text[pos + 1:pos + 12]), lower-cased, in ELISIONS?
  std::u32string word;
  for (size_t k = pos + 1; k < text.size() && k < pos + 12 && py_re_letter(text[k]); ++k)
    word.push_back(static_cast<char32_t>(u_tolower(static_cast<UChar32>(text[k]))));
  for (auto e : kElisions)
    if (word == e) return false;
  return true;
}

CharClass single_quote_class(const std::u32string& text, size_t pos) {
  char32_t prev = before_or_space(text, pos);
  char32_t nxt = at_or_space(text, pos + 1);
  bool pw = is_word(prev), nw = is_word(nxt);
  if (pw && nw) return CharClass::kApostrophe;                // don't, d'Affaires
  if (!pw && py_isdigit(nxt)) return CharClass::kApostrophe;  // '90s
  if (!pw && nw) return opens_single(text, pos) ? CharClass::kQuote : CharClass::kApostrophe;
  if (pw && !nw) {
    // girls' (possessive) or word' (closing quote): closing only if a single
    // quotation is open earlier on the same line.
    size_t line_start = 0;
    for (size_t k = pos; k-- > 0;)
      if (text[k] == '\n') {
        line_start = k + 1;
        break;
      }
    size_t start = std::max<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(line_start),
                                            static_cast<std::ptrdiff_t>(pos) - 1000);
    bool is_open = false;
    for (size_t k = start; k < pos; ++k) {
      if (!in(text[k], kSingleQuotes)) continue;
      if (opens_single(text, k)) {
        is_open = true;
      } else if (is_open && is_word(before_or_space(text, k)) && !is_word(text[k + 1])) {
        is_open = false;
      }
    }
    return is_open ? CharClass::kQuote : CharClass::kApostrophe;
  }
  return CharClass::kQuote;
}

std::u32string fold_char(char32_t c) {
  if (in(c, U"\u2018\u2019\u02bc\u201b\uff07")) return U"'";
  if (in(c, U"\u201c\u201d\u201e\u201f\u00ab\u00bb\uff02")) return U"\"";
  if (in(c, kDashes)) return U"-";
  if (c == kEllipsis) return U"...";
  if (c != ' ' && (py_isspace(c) || is_zs(c)) && c != '\n' && c != '\r') return U" ";
  return std::u32string(1, c);
}

// Token lists -> matched index pairs (score.py _match: LCS by difflib).
std::vector<std::pair<size_t, size_t>> match_tokens(const std::vector<std::u32string>& g,
                                                    const std::vector<std::u32string>& s) {
  std::unordered_map<std::u32string, int> ids;
  auto intern = [&](const std::vector<std::u32string>& v) {
    std::vector<int> out;
    for (const auto& t : v)
      out.push_back(ids.try_emplace(t, static_cast<int>(ids.size())).first->second);
    return out;
  };
  std::vector<int> gi = intern(g), si = intern(s);
  return difflib_pairs(gi, si);
}

struct Tok {
  std::u32string text;
  CharClass cls;
};

void count_view(Counts& view, const std::vector<Tok>& gt, const std::vector<Tok>& st, size_t off,
                std::vector<Example>* examples) {
  for (const Tok& t : gt) ++view[t.cls].gold;
  std::vector<std::u32string> gs, ss;
  for (const Tok& t : gt) gs.push_back(t.text);
  for (const Tok& t : st) ss.push_back(t.text);
  std::vector<bool> gm(gt.size(), false), sm(st.size(), false);
  for (auto [gi, si] : match_tokens(gs, ss)) {
    gm[gi] = true;
    sm[si] = true;
  }
  for (size_t k = 0; k < gt.size(); ++k) {
    ++(gm[k] ? view[gt[k].cls].tp : view[gt[k].cls].fn);
    if (examples && !gm[k]) examples->push_back({Example::kFn, off, gt[k].text, {}, gt[k].cls});
  }
  for (size_t k = 0; k < st.size(); ++k) {
    if (sm[k]) continue;
    ++view[st[k].cls].fp;
    if (examples) examples->push_back({Example::kFp, off, st[k].text, {}, st[k].cls});
  }
}

std::vector<Tok> exact_tokens(const std::vector<InsertedChar>& run) {
  std::vector<Tok> out;
  for (const auto& ic : run) out.push_back({std::u32string(1, ic.ch), ic.cls});
  return out;
}

std::vector<Tok> folded_tokens(const std::vector<InsertedChar>& run) {
  std::vector<Tok> out;
  for (auto& t : fold_run(run)) out.push_back({std::move(t.text), t.cls});
  return out;
}

size_t utf8_len(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

}  // namespace

// --- Damage -------------------------------------------------------------------------------

std::optional<DamageMode> parse_damage_mode(std::string_view name) {
  if (name == "strip-nonascii") return DamageMode::kStripNonAscii;
  if (name == "strip-apostrophes") return DamageMode::kStripApostrophes;
  return std::nullopt;
}

std::string_view damage_mode_name(DamageMode m) {
  return m == DamageMode::kStripNonAscii ? "strip-nonascii" : "strip-apostrophes";
}

Damaged damage(DamageMode mode, std::string_view clean) {
  Damaged d;
  d.text.reserve(clean.size());
  const auto* p = reinterpret_cast<const uint8_t*>(clean.data());
  const int32_t n = static_cast<int32_t>(clean.size());
  int32_t i = 0;
  size_t input_cp = 0, gold_cp = 0;
  while (i < n) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) c = 0xFFFD;  // callers check validity first; keep going regardless
    const bool drop = mode == DamageMode::kStripNonAscii ? c > 0x7F : (c == '\'' || c == 0x2019);
    if (drop) {
      d.insertions.push_back({input_cp, d.text.size(), gold_cp, static_cast<char32_t>(c)});
    } else {
      d.text.append(clean.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
      ++input_cp;
    }
    ++gold_cp;
  }
  return d;
}

// --- Classes and folding --------------------------------------------------------------------

std::string_view class_name(CharClass c) {
  static constexpr std::string_view kNames[kNumClasses] = {
      "apostrophe", "quote", "dash", "space", "letter", "ellipsis", "other", "traceless"};
  return kNames[static_cast<size_t>(c)];
}

CharClass classify(const std::u32string& text, size_t pos) {
  const char32_t ch = text[pos];
  if (in(ch, kApostropheOnly)) return CharClass::kApostrophe;
  if (in(ch, kSingleQuotes)) return single_quote_class(text, pos);
  if (in(ch, kDoubleQuotes)) return CharClass::kQuote;
  if (in(ch, kDashes)) return CharClass::kDash;
  if (ch == kEllipsis) return CharClass::kEllipsis;
  if (py_isspace(ch) || is_zs(ch)) {
    auto plain = [](char32_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    bool near_plain =
        (pos > 0 && plain(text[pos - 1])) || (pos + 1 < text.size() && plain(text[pos + 1]));
    if (!plain(ch) && near_plain) return CharClass::kTraceless;
    return CharClass::kSpace;
  }
  if (ch > 0x7F && letter_or_mark(ch)) return CharClass::kLetter;
  return CharClass::kOther;
}

std::u32string fold_text(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (char32_t c : s) out += fold_char(c);
  return out;
}

std::u32string fold_compare_key(std::u32string_view s) {
  std::u32string f = fold_text(s), out;
  out.reserve(f.size());
  for (char32_t c : f)
    if (!(c == '-' && !out.empty() && out.back() == '-')) out.push_back(c);
  return out;
}

std::vector<FoldedToken> fold_run(const std::vector<InsertedChar>& run) {
  std::u32string s;
  std::vector<size_t> src;
  for (size_t k = 0; k < run.size(); ++k) {
    std::u32string f = fold_char(run[k].ch);
    s += f;
    src.insert(src.end(), f.size(), k);
  }
  std::vector<FoldedToken> tokens;
  bool has_dash = false;
  size_t p = 0;
  while (p < s.size()) {
    if (s[p] == '-') {
      while (p < s.size() && s[p] == '-') ++p;
      tokens.push_back({U"-", CharClass::kDash});
      has_dash = true;
    } else if (s.compare(p, 3, U"...") == 0) {
      tokens.push_back({U"...", CharClass::kEllipsis});
      p += 3;
    } else {
      tokens.push_back({std::u32string(1, s[p]), run[src[p]].cls});
      ++p;
    }
  }
  if (has_dash)
    std::erase_if(tokens, [](const FoldedToken& t) { return t.cls == CharClass::kSpace; });
  return tokens;
}

InsertionRuns gold_runs(const Damaged& d, const std::u32string& clean) {
  InsertionRuns runs;
  for (const GoldInsertion& g : d.insertions)
    runs[g.input_cp].push_back({g.ch, classify(clean, g.gold_cp)});
  return runs;
}

// --- Counting ------------------------------------------------------------------------------------

std::optional<double> PRF::precision() const {
  if (tp + fp == 0) return std::nullopt;
  return static_cast<double>(tp) / static_cast<double>(tp + fp);
}

std::optional<double> PRF::recall() const {
  if (tp + fn == 0) return std::nullopt;
  return static_cast<double>(tp) / static_cast<double>(tp + fn);
}

std::optional<double> PRF::f1() const {
  auto p = precision(), r = recall();
  if (!p || !r) {
    if (!p && !r) return std::nullopt;
    return 0.0;
  }
  return *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0.0;
}

void Counts::add(const Counts& o) {
  for (size_t k = 0; k < kNumClasses; ++k) {
    c[k].gold += o.c[k].gold;
    c[k].tp += o.c[k].tp;
    c[k].fp += o.c[k].fp;
    c[k].fn += o.c[k].fn;
  }
}

namespace {
PRF sum_classes(const Counts& counts, bool with_space) {
  PRF s;
  for (size_t k = 0; k < kNumClasses; ++k) {
    auto cls = static_cast<CharClass>(k);
    if (cls == CharClass::kTraceless || (!with_space && cls == CharClass::kSpace)) continue;
    s.gold += counts.c[k].gold;
    s.tp += counts.c[k].tp;
    s.fp += counts.c[k].fp;
    s.fn += counts.c[k].fn;
  }
  return s;
}
}  // namespace

PRF Counts::micro() const { return sum_classes(*this, true); }
PRF Counts::micro_excl_space() const { return sum_classes(*this, false); }

SystemRuns system_runs(const std::vector<AlignOp>& ops, const std::u32string& input,
                       const std::u32string& output) {
  SystemRuns r;
  for (const AlignOp& o : ops) {
    const size_t la = o.i2 - o.i1, lb = o.j2 - o.j1;
    if (la) {
      r.collateral += la;
      r.collateral_ops.push_back(o);
      if (lb && fold_compare_key(std::u32string_view(input).substr(o.i1, la)) ==
                    fold_compare_key(std::u32string_view(output).substr(o.j1, lb))) {
        r.collateral_style += la;  // e.g. ’ -> ' or — -> --: no insertion either
        continue;
      }
    }
    if (lb > la) {
      auto& run = r.runs[o.i2];
      for (size_t k = o.j1 + la; k < o.j2; ++k) run.push_back({output[k], classify(output, k)});
    }
  }
  return r;
}

DocScore score_document(const std::u32string& input, const std::u32string& gold,
                        const std::u32string& output, const InsertionRuns& gold_runs,
                        EvalAligner& aligner, bool keep_examples) {
  DocScore s;
  s.input_chars = input.size();
  s.gold_chars = gold.size();
  s.unchanged = output == input;
  s.dist_before = edit_distance(aligner.ops(input, gold));
  s.dist_after = edit_distance(aligner.ops(output, gold));
  const std::u32string fg = fold_text(gold), fo = fold_text(output);
  s.dist_after_folded = edit_distance(aligner.ops(fo, fg));
  s.exact_doc = output == gold;
  s.exact_doc_folded = fo == fg;

  SystemRuns sys = system_runs(aligner.ops(input, output), input, output);
  s.collateral = sys.collateral;
  s.collateral_style = sys.collateral_style;
  std::set<size_t> offsets;
  for (const auto& [off, _] : gold_runs) offsets.insert(off);
  for (const auto& [off, _] : sys.runs) offsets.insert(off);
  static const std::vector<InsertedChar> kNone;
  for (size_t off : offsets) {
    auto gi = gold_runs.find(off);
    auto si = sys.runs.find(off);
    const auto& g = gi == gold_runs.end() ? kNone : gi->second;
    const auto& sr = si == sys.runs.end() ? kNone : si->second;
    count_view(s.exact, exact_tokens(g), exact_tokens(sr), off,
               keep_examples ? &s.examples : nullptr);
    count_view(s.folded, folded_tokens(g), folded_tokens(sr), off, nullptr);
  }
  if (keep_examples)
    for (const AlignOp& o : sys.collateral_ops)
      s.examples.push_back({Example::kCollateral, o.i1, output.substr(o.j1, o.j2 - o.j1),
                            input.substr(o.i1, o.i2 - o.i1), CharClass::kOther});
  return s;
}

void EvalTotals::add(const DocScore& s) {
  ++docs;
  exact.add(s.exact);
  folded.add(s.folded);
  docs_unchanged_output += s.unchanged;
  input_chars += s.input_chars;
  gold_chars += s.gold_chars;
  collateral += s.collateral;
  collateral_style += s.collateral_style;
  gold_noninsert += s.gold_noninsert;
  dist_before += s.dist_before;
  dist_after += s.dist_after;
  dist_after_folded += s.dist_after_folded;
  docs_exact += s.exact_doc;
  docs_exact_folded += s.exact_doc_folded;
  docs_improved += s.dist_after < s.dist_before;
  docs_worse += s.dist_after > s.dist_before;
}

// --- Calibration
// -----------------------------------------------------------------------------------

namespace {
// Folded comparison key; spaces do not count where a dash is (" -- " vs "--"),
// nor invisible format marks: a word joiner before a dash ("\u2060\u2014", as
// Standard Ebooks sets them) is deleted with it and never restored, and the
// dash alone reads the same.
std::u32string proposal_key(std::string_view utf8) {
  std::u32string k = fold_compare_key(to_u32(utf8));
  if (k.find(U'-') != std::u32string::npos) std::erase(k, U' ');
  std::erase_if(k, [](char32_t c) {
    return c == 0x2060 || c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF || c == 0xAD;
  });
  return k;
}
}  // namespace

bool proposal_right(const Proposal& p, std::string_view input, const Damaged& d) {
  if (p.begin > p.end || p.end > input.size()) return false;
  std::string gold;
  auto it = std::lower_bound(d.insertions.begin(), d.insertions.end(), p.begin,
                             [](const GoldInsertion& g, size_t b) { return g.input_byte < b; });
  size_t pos = p.begin;
  while (true) {
    for (; it != d.insertions.end() && it->input_byte == pos; ++it) append_utf8(gold, it->ch);
    if (pos >= p.end) break;
    size_t len = std::min(utf8_len(static_cast<unsigned char>(input[pos])), p.end - pos);
    gold.append(input.substr(pos, len));
    pos += len;
  }
  return proposal_key(gold) == proposal_key(p.replacement);
}

Calibration::Calibration() {
  const double edges[] = {0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0};
  for (size_t k = 0; k + 1 < std::size(edges); ++k) buckets_.push_back({edges[k], edges[k + 1]});
}

void Calibration::add(double confidence, bool applied, bool right) {
  size_t k = 0;
  while (k + 1 < buckets_.size() && confidence >= buckets_[k].hi) ++k;
  CalibrationBucket& b = buckets_[k];
  ++b.count;
  b.applied += applied;
  b.right += right;
  b.confidence_sum += confidence;
}

}  // namespace copydesk::eval
