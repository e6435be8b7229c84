#include "stages/restore_quotes.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <span>
#include <unordered_map>

#include "pipeline/data_files.h"

namespace copydesk::restore {
namespace {

constexpr std::string_view kOpen = "\u201c";
constexpr std::string_view kClose = "\u201d";
constexpr std::string_view kRule = "restore.quote.v1";
constexpr std::string_view kFile = "quotes.tsv";
constexpr double kMinConfidence = 0.5;  // below this no insertion is proposed
constexpr double kMaxLogit = 30.0;
constexpr double kSkipLogit = -5.0;  // cheap-feature logit below which a gap is not scored further

inline bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
char lower(char c) {
  return is_upper(static_cast<unsigned char>(c)) ? static_cast<char>(c - 'A' + 'a') : c;
}

// Feature keys are text, "T<n>:part|part|..."; their hash combines the
// FNV-1a hashes of the parts, so that at run time each word of a line is
// hashed once and every feature costs a few multiplications.
constexpr uint64_t kFnvBasis = 1469598103934665603ULL;
inline uint64_t fnv(uint64_t h, char c) {
  return (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
}
inline uint64_t fnv(std::string_view s) {
  uint64_t h = kFnvBasis;
  for (char c : s) h = fnv(h, c);
  return h;
}
inline uint64_t seed(int tid) { return (static_cast<uint64_t>(tid) + 1) * 0x9E3779B97F4A7C15ULL; }
inline uint64_t combine(uint64_t h, uint64_t part) {
  h = (h ^ part) * 0xff51afd7ed558ccdULL;
  return h ^ (h >> 29);
}
inline uint64_t finish(uint64_t h) {
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h == 0 ? 1 : h;
}
// Punctuation as written into a key: control characters as spaces, '|' (the
// part separator) as '/'.
inline char key_char(char c) {
  return static_cast<unsigned char>(c) < 0x20 ? ' ' : c == '|' ? '/' : c;
}

// A word of a line: a maximal run of ASCII letters and digits and non-ASCII
// bytes; byte offsets in the line.
struct WordSpan {
  uint32_t b, e;
};

void line_words(std::string_view s, std::vector<WordSpan>& out) {
  out.clear();
  size_t i = 0;
  while (i < s.size()) {
    if (!is_alnum(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && is_alnum(static_cast<unsigned char>(s[j]))) ++j;
    out.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(j)});
    i = j;
  }
}

// A line's words, and two cues for whether a quotation is near: "attributions"
// (punctuation, a space, then a lowercase word: "Aha! said", "now, he") and
// "introductions" (a lowercase word, "," or ":", a space, a capital: "said, We").
struct Cue {
  uint32_t punct;  // offset of the punctuation
  WordSpan word;   // the attribution word after it / the introducing word before it
  uint64_t hash;   // of the word as a key part
};
struct LineInfo {
  std::vector<WordSpan> words;
  std::vector<uint64_t> hashes;  // of each word as a key part (see word_part)
  std::vector<uint8_t> nums;     // the word holds a digit
  // Of the first k words: how many start with a lowercase letter, how many
  // are all capitals (2 letters or more); k = 0..words.size(). A line opening
  // with a name and titles ("Jane Roe, Director, Water Council: ...") has no
  // lowercase word before its colon; a speaker label is in capitals.
  std::vector<uint16_t> lower_before, caps_before;
  std::vector<Cue> attributions, introductions;
};

// A word as a key part: lowercased, 20 bytes at most; "0" if it holds a digit
// (num).
uint64_t word_part(std::string_view w, bool num) {
  if (num) return fnv(kFnvBasis, '0');
  uint64_t h = kFnvBasis;
  for (size_t i = 0; i < std::min<size_t>(w.size(), 20); ++i) h = fnv(h, lower(w[i]));
  return h;
}

bool is_lower_ascii(unsigned char c) { return c >= 'a' && c <= 'z'; }

void scan_line(std::string_view s, LineInfo& li) {
  line_words(s, li.words);
  li.hashes.clear();
  li.nums.clear();
  li.attributions.clear();
  li.introductions.clear();
  li.lower_before.assign(1, 0);
  li.caps_before.assign(1, 0);
  for (size_t k = 0; k < li.words.size(); ++k) {
    const WordSpan& w = li.words[k];
    const std::string_view ws = s.substr(w.b, w.e - w.b);
    // One pass for the case, the digits and word_part()'s hash.
    bool caps = ws.size() >= 2, num = false;
    uint64_t h = kFnvBasis;
    for (size_t i = 0; i < ws.size(); ++i) {
      const auto ch = static_cast<unsigned char>(ws[i]);
      caps = caps && is_upper(ch);
      num = num || is_digit(ch);
      if (i < 20) h = fnv(h, lower(ws[i]));
    }
    li.lower_before.push_back(li.lower_before.back() +
                              is_lower_ascii(static_cast<unsigned char>(ws[0])));
    li.caps_before.push_back(li.caps_before.back() + caps);
    li.nums.push_back(num);
    li.hashes.push_back(num ? word_part(ws, true) : h);
    if (w.b >= 2 && s[w.b - 1] == ' ' &&
        std::string_view(".,!?;:").find(s[w.b - 2]) != std::string_view::npos &&
        is_lower_ascii(static_cast<unsigned char>(s[w.b])))
      li.attributions.push_back({w.b - 2, w, word_part(ws, false)});
    if (w.e + 2 < s.size() && (s[w.e] == ',' || s[w.e] == ':') && s[w.e + 1] == ' ' &&
        is_upper(static_cast<unsigned char>(s[w.e + 2])) &&
        is_lower_ascii(static_cast<unsigned char>(s[w.b])))
      li.introductions.push_back({w.e, w, word_part(ws, false)});
  }
}

// Walks the gaps of a line in increasing order, keeping the index of the
// first word at or after the gap and of the nearest cues.
struct Cursor {
  size_t k = 0, attr = 0, intro = 0;
  void advance(const LineInfo& li, size_t p) {
    while (k < li.words.size() && li.words[k].b < p) ++k;
    while (attr < li.attributions.size() && li.attributions[attr].punct < p) ++attr;
    while (intro < li.introductions.size() && li.introductions[intro].punct < p) ++intro;
  }
};

// Gap p of line s (0..s.size()) can hold a deleted quote: not inside a word,
// not between two spaces, and not an ordinary gap between two words ("word
// _word", "word_ word"): those hold few quotes (scare quotes, titles) and
// most gaps, and are skipped in training and decoding alike.
inline bool candidate_gap(std::string_view s, size_t p) {
  if (s.empty()) return false;
  const auto at = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const bool la = p > 0 && is_alnum(at(p - 1));
  const bool ra = p < s.size() && is_alnum(at(p));
  if (la && ra) return false;
  if (p > 0 && p < s.size() && s[p - 1] == ' ' && s[p] == ' ') return false;
  if (ra && p >= 2 && s[p - 1] == ' ' && is_alnum(at(p - 2))) return false;
  if (la && p + 1 < s.size() && s[p] == ' ' && is_alnum(at(p + 1))) return false;
  return true;
}

// Builds the key text of a feature (trainer only).
struct KeyBuilder {
  std::string* name = nullptr;
  void byte(char c) { name->push_back(c); }
  void start(int tid, std::string* n) {
    name = n;
    name->clear();
    byte('T');
    if (tid >= 10) byte(static_cast<char>('0' + tid / 10));
    byte(static_cast<char>('0' + tid % 10));
    byte(':');
  }
  void raw(std::string_view s) {
    for (char c : s) byte(key_char(c));
  }
  void sep() { byte('|'); }
};

// The hash of a key text; 0 if it is not "T<n>:...".
uint64_t hash_key(std::string_view key) {
  const size_t colon = key.find(':');
  if (key.size() < 3 || key[0] != 'T' || colon == std::string_view::npos || colon < 2 || colon > 3)
    return 0;
  int tid = 0;
  for (size_t i = 1; i < colon; ++i) {
    if (!is_digit(static_cast<unsigned char>(key[i]))) return 0;
    tid = tid * 10 + (key[i] - '0');
  }
  uint64_t h = seed(tid);
  size_t i = colon + 1;
  for (;;) {
    size_t j = key.find('|', i);
    if (j == std::string_view::npos) j = key.size();
    h = combine(h, fnv(key.substr(i, j - i)));
    if (j == key.size()) break;
    i = j + 1;
  }
  return finish(h);
}

// Context of a gap, as views into the line (no allocation).
struct GapCtx {
  std::string_view lw[4], rw[3];  // words left (nearest first) and right; "" if none
  bool lnum[4], rnum[3];          // the word holds a digit (written "0")
  std::string_view lglue,
      rglue;          // non-word characters between the gap and its nearest words (3 at most)
  bool lstart, rend;  // no word between the gap and the line start / end
  char lcap, rcap;    // class of the nearest word: U upper initial, l, D digit, X other, - none
  char posb, endb;    // words before / after the gap, bucketed
  char lenb;          // words in the line, bucketed
  char lowb, capsb;  // words before the gap starting lowercase (0-3, 3 = more) / in capitals (0, 1)
  std::string_view attr;                   // next attribution word at or after the gap ("" none)
  std::string_view intro;                  // last introducing word before the gap ("" none)
  uint64_t lwh[4], rwh[3], attrh, introh;  // the words as key parts (word_part; "^" / "$" if none)
  // After a run of 1-3 capitalised words right of the gap, the next word if
  // lowercase (", _Ghani said": 1, "said"): what a name does, whoever it is
  // (names are mostly unknown to the table).
  char names_skipped;  // '0': no such run and word
  std::string_view after_names;
  bool after_names_num;
  uint64_t after_names_h;
};

char word_class(std::string_view w) {
  if (w.empty()) return '-';
  unsigned char c = static_cast<unsigned char>(w[0]);
  if (is_upper(c)) return 'U';
  if (c >= 'a' && c <= 'z') return 'l';
  if (is_digit(c)) return 'D';
  return 'X';
}

char bucket(size_t n) {
  if (n <= 3) return static_cast<char>('0' + n);
  if (n <= 6) return 'a';
  if (n <= 12) return 'b';
  return 'c';
}

// cur: advanced to p.
void gap_ctx(std::string_view s, const LineInfo& li, const Cursor& cur, size_t p, GapCtx& c) {
  const std::vector<WordSpan>& w = li.words;
  const size_t k = cur.k;
  c.lenb = bucket(w.size());
  static const uint64_t kNoneBefore = fnv(kFnvBasis, '^'), kNoneAfter = fnv(kFnvBasis, '$');
  c.attr = {};
  c.attrh = kNoneAfter;
  if (cur.attr < li.attributions.size()) {
    const WordSpan& a = li.attributions[cur.attr].word;
    c.attr = s.substr(a.b, a.e - a.b);
    c.attrh = li.attributions[cur.attr].hash;
  }
  c.names_skipped = '0';
  c.after_names = {};
  c.after_names_h = kNoneAfter;
  c.after_names_num = false;
  {
    size_t j = k;
    while (j < w.size() && j < k + 3 && is_upper(static_cast<unsigned char>(s[w[j].b]))) ++j;
    if (j > k && j < w.size() && is_lower_ascii(static_cast<unsigned char>(s[w[j].b])) &&
        w[j].b == w[j - 1].e + 1 && s[w[j - 1].e] == ' ') {
      c.names_skipped = static_cast<char>('0' + (j - k));
      c.after_names = s.substr(w[j].b, w[j].e - w[j].b);
      c.after_names_h = li.hashes[j];
      c.after_names_num = li.nums[j];
    }
  }
  c.intro = {};
  c.introh = kNoneBefore;
  if (cur.intro > 0) {
    const WordSpan& a = li.introductions[cur.intro - 1].word;
    c.intro = s.substr(a.b, a.e - a.b);
    c.introh = li.introductions[cur.intro - 1].hash;
  }
  for (int j = 0; j < 4; ++j) {
    if (k >= static_cast<size_t>(j) + 1) {
      const WordSpan& ws = w[k - 1 - j];
      c.lw[j] = s.substr(ws.b, ws.e - ws.b);
      c.lwh[j] = li.hashes[k - 1 - j];
      c.lnum[j] = li.nums[k - 1 - j];
    } else {
      c.lw[j] = {};
      c.lwh[j] = kNoneBefore;
      c.lnum[j] = false;
    }
  }
  for (int j = 0; j < 3; ++j) {
    if (k + j < w.size()) {
      const WordSpan& ws = w[k + j];
      c.rw[j] = s.substr(ws.b, ws.e - ws.b);
      c.rwh[j] = li.hashes[k + j];
      c.rnum[j] = li.nums[k + j];
    } else {
      c.rw[j] = {};
      c.rwh[j] = kNoneAfter;
      c.rnum[j] = false;
    }
  }
  size_t lb = k > 0 ? w[k - 1].e : 0;
  size_t re = k < w.size() ? w[k].b : s.size();
  c.lstart = k == 0;
  c.rend = k >= w.size();
  c.lglue = s.substr(lb, p - lb);
  if (c.lglue.size() > 3) c.lglue = c.lglue.substr(c.lglue.size() - 3);
  c.rglue = s.substr(p, re - p);
  if (c.rglue.size() > 3) c.rglue = c.rglue.substr(0, 3);
  c.lcap = word_class(c.lw[0]);
  c.rcap = word_class(c.rw[0]);
  c.posb = bucket(k);
  c.endb = bucket(w.size() - k);
  c.lowb = static_cast<char>('0' + std::min<int>(li.lower_before[k], 3));
  c.capsb = li.caps_before[k] > 0 ? '1' : '0';
}

void add_word(KeyBuilder& kb, std::string_view w, bool num, char missing) {
  if (w.empty()) {
    kb.byte(missing);
  } else if (num) {
    kb.byte('0');
  } else {
    size_t n = std::min<size_t>(w.size(), 20);
    for (size_t i = 0; i < n; ++i) kb.byte(lower(w[i]));
  }
}

// The shape of the gap: the punctuation on each side, the line edges and the
// class of the next word ("said, _We" -> ", | |U").
void add_shape(KeyBuilder& kb, const GapCtx& c) {
  if (c.lstart) kb.byte('^');
  kb.raw(c.lglue);
  kb.byte('_');
  kb.raw(c.rglue);
  if (c.rend) kb.byte('$');
}

// The hash of a feature: its template id and its parts' hashes combined in
// order (hash_key() of its key text gives the same). A variadic function
// rather than a loop over an initializer_list: the compiler inlines it, at
// some 20 features per candidate gap.
template <class... Parts>
inline uint64_t feature_hash(int tid, Parts... parts) {
  uint64_t h = seed(tid);
  ((h = combine(h, static_cast<uint64_t>(parts))), ...);
  return finish(h);
}

// Calls f(hash) for every feature of the gap (run time: from the part
// hashes). for_each_feature below writes the same features as key text.
// The first five (bias, shape, nearest words) decide whether the decoder
// reads the rest (kCheapFeatures in line_posteriors()).
template <class F>
void for_each_hash(const GapCtx& c, F&& f) {
  uint64_t shape = kFnvBasis, lg = kFnvBasis, rg = kFnvBasis;
  if (c.lstart) shape = fnv(shape, '^');
  for (char ch : c.lglue) shape = fnv(shape, key_char(ch)), lg = fnv(lg, key_char(ch));
  shape = fnv(shape, '_');
  for (char ch : c.rglue) shape = fnv(shape, key_char(ch)), rg = fnv(rg, key_char(ch));
  if (c.rend) shape = fnv(shape, '$'), lg = fnv(lg, '$');
  if (c.lstart) rg = fnv(rg, '^');
  auto two = [](char a, char b) { return fnv(fnv(kFnvBasis, a), b); };
  auto key = [&](int tid, auto... parts) { f(feature_hash(tid, parts...)); };
  key(0, kFnvBasis);
  key(1, shape);
  key(2, shape, two(c.lcap, c.rcap));
  key(3, c.lwh[0], lg);
  key(4, rg, c.rwh[0]);
  key(5, c.lwh[0], shape, fnv(kFnvBasis, c.rcap));
  key(6, shape, c.rwh[0]);
  key(7, shape, c.rwh[0], c.rwh[1]);
  key(8, c.lwh[1], c.lwh[0], shape);
  key(9, c.lwh[0], shape, c.rwh[0]);
  key(10, shape, two(c.posb, c.rcap));
  key(11, shape, two(c.endb, c.lcap));
  for (int j = 1; j < 4 && !c.lw[j].empty(); ++j) key(12, shape, c.lwh[j]);
  for (int j = 1; j < 3 && !c.rw[j].empty(); ++j) key(13, shape, c.rwh[j]);
  key(14, shape, c.attrh);
  key(15, shape, c.introh);
  key(16, shape, two(c.lenb, c.rcap));
  key(17, shape, two(c.lowb, c.capsb), fnv(kFnvBasis, c.posb));
  if (c.names_skipped != '0') key(18, shape, fnv(kFnvBasis, c.names_skipped), c.after_names_h);
}

// Calls f(hash, name) for every feature of the gap, with its key text.
template <class F>
void for_each_feature(const GapCtx& c, std::string* name, F&& f) {
  KeyBuilder kb;
  auto emit = [&] { f(hash_key(*name), name); };
  kb.start(0, name);  // bias
  emit();
  kb.start(1, name);
  add_shape(kb, c);
  emit();
  kb.start(2, name);
  add_shape(kb, c);
  kb.sep();
  kb.byte(c.lcap);
  kb.byte(c.rcap);
  emit();
  kb.start(3, name);  // word before and its punctuation ("said, _")
  add_word(kb, c.lw[0], c.lnum[0], '^');
  kb.sep();
  kb.raw(c.lglue);
  if (c.rend) kb.byte('$');
  emit();
  kb.start(4, name);  // word after and its punctuation ("_ he")
  kb.raw(c.rglue);
  if (c.lstart) kb.byte('^');
  kb.sep();
  add_word(kb, c.rw[0], c.rnum[0], '$');
  emit();
  kb.start(5, name);
  add_word(kb, c.lw[0], c.lnum[0], '^');
  kb.sep();
  add_shape(kb, c);
  kb.sep();
  kb.byte(c.rcap);
  emit();
  kb.start(6, name);
  add_shape(kb, c);
  kb.sep();
  add_word(kb, c.rw[0], c.rnum[0], '$');
  emit();
  kb.start(7, name);
  add_shape(kb, c);
  kb.sep();
  add_word(kb, c.rw[0], c.rnum[0], '$');
  kb.sep();
  add_word(kb, c.rw[1], c.rnum[1], '$');
  emit();
  kb.start(8, name);
  add_word(kb, c.lw[1], c.lnum[1], '^');
  kb.sep();
  add_word(kb, c.lw[0], c.lnum[0], '^');
  kb.sep();
  add_shape(kb, c);
  emit();
  kb.start(9, name);
  add_word(kb, c.lw[0], c.lnum[0], '^');
  kb.sep();
  add_shape(kb, c);
  kb.sep();
  add_word(kb, c.rw[0], c.rnum[0], '$');
  emit();
  kb.start(10, name);
  add_shape(kb, c);
  kb.sep();
  kb.byte(c.posb);
  kb.byte(c.rcap);
  emit();
  kb.start(11, name);
  add_shape(kb, c);
  kb.sep();
  kb.byte(c.endb);
  kb.byte(c.lcap);
  emit();
  // Bags of words a little further away (speech verbs before an opening
  // quote: "said to reporters, _"; after a closing one: "_, he said").
  for (int j = 1; j < 4; ++j) {
    if (c.lw[j].empty()) break;
    kb.start(12, name);
    add_shape(kb, c);
    kb.sep();
    add_word(kb, c.lw[j], c.lnum[j], '^');
    emit();
  }
  for (int j = 1; j < 3; ++j) {
    if (c.rw[j].empty()) break;
    kb.start(13, name);
    add_shape(kb, c);
    kb.sep();
    add_word(kb, c.rw[j], c.rnum[j], '$');
    emit();
  }
  // Cues elsewhere in the line: the next attribution ("Aha! said") and the
  // last introduction ("said, We"), and the line's length.
  kb.start(14, name);
  add_shape(kb, c);
  kb.sep();
  add_word(kb, c.attr, false, '$');
  emit();
  kb.start(15, name);
  add_shape(kb, c);
  kb.sep();
  add_word(kb, c.intro, false, '^');
  emit();
  kb.start(16, name);
  add_shape(kb, c);
  kb.sep();
  kb.byte(c.lenb);
  kb.byte(c.rcap);
  emit();
  // The kind of words before the gap in the line: a line that opens with a
  // name and titles before its colon quotes what follows.
  kb.start(17, name);
  add_shape(kb, c);
  kb.sep();
  kb.byte(c.lowb);
  kb.byte(c.capsb);
  kb.sep();
  kb.byte(c.posb);
  emit();
  // What a run of capitalised words after the gap does (", _Ghani said").
  if (c.names_skipped != '0') {
    kb.start(18, name);
    add_shape(kb, c);
    kb.sep();
    kb.byte(c.names_skipped);
    kb.sep();
    add_word(kb, c.after_names, c.after_names_num, '$');
    emit();
  }
}

bool has_quote_mark(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '"') return true;
    if (c == 0xE2 && i + 2 < line.size() && static_cast<unsigned char>(line[i + 1]) == 0x80) {
      const unsigned char d = static_cast<unsigned char>(line[i + 2]);
      if (d == 0x9C || d == 0x9D || d == 0x98 || d == 0x9E) return true;  // “ ” ‘ „
    }
    if (c == 0xC2 && i + 1 < line.size()) {
      const unsigned char d = static_cast<unsigned char>(line[i + 1]);
      if (d == 0xAB || d == 0xBB) return true;  // « »
    }
  }
  return false;
}

// Transition weights at a gap: open (outside -> inside), close (inside ->
// outside), and staying in each state; and the gap's own open and close
// probabilities (reported, not used by the chain).
struct Scored {
  uint32_t pos;
  double open_odds, close_odds, stay_out, stay_in;
  double open_local, close_local;
};

// Forward-backward over the two-state chain (outside, inside) of a line: a
// linear-chain CRF whose transition weights at a gap are exp(w_open . x)
// (outside -> inside) and exp(w_close . x) (inside -> outside), staying = 1;
// a line may end inside at weight end_inside. Normalised over the whole line,
// not per gap: a gap that looks like a closing (", he said") makes the paths
// that are inside before it likelier, and with them an opening further back
// that alone looks unlikely (a per-gap model cannot: outside, it never asks
// whether a gap looks like a closing).
void posteriors(const std::vector<Scored>& g, double end_inside,
                std::vector<QuoteRestorer::GapPosterior>& out) {
  const size_t n = g.size();
  out.resize(n);
  if (n == 0) return;
  // alpha[t] = state weights before gap t (scaled); beta[t] = after gap t.
  thread_local std::vector<double> a, b;
  a.resize(2 * (n + 1));
  b.resize(2 * (n + 1));
  a[0] = 1;
  a[1] = 0;
  for (size_t t = 0; t < n; ++t) {
    double o = a[2 * t], i = a[2 * t + 1];
    double no = o * g[t].stay_out + i * g[t].close_odds, ni = i * g[t].stay_in + o * g[t].open_odds;
    double z = no + ni;
    a[2 * t + 2] = no / z;
    a[2 * t + 3] = ni / z;
  }
  b[2 * n] = 1;
  b[2 * n + 1] = end_inside;
  for (size_t t = n; t-- > 0;) {
    double o = b[2 * t + 2], i = b[2 * t + 3];
    // weights before gap t: from outside: stay (o) or open (i); from inside: stay or close.
    double bo = g[t].stay_out * o + g[t].open_odds * i, bi = g[t].stay_in * i + g[t].close_odds * o;
    double z = bo + bi;
    b[2 * t] = bo / z;
    b[2 * t + 1] = bi / z;
  }
  for (size_t t = 0; t < n; ++t) {
    double ao = a[2 * t], ai = a[2 * t + 1];
    double bo = b[2 * t + 2], bi = b[2 * t + 3];
    double stay_o = ao * g[t].stay_out * bo, open = ao * g[t].open_odds * bi;
    double stay_i = ai * g[t].stay_in * bi, close = ai * g[t].close_odds * bo;
    double z = stay_o + open + stay_i + close;
    out[t] = {g[t].pos, z > 0 ? open / z : 0, z > 0 ? close / z : 0, g[t].open_local,
              g[t].close_local};
  }
}

// A row of quotes.tsv: its line and its fields (views into the file).
struct Row {
  size_t line;
  std::span<const std::string_view> fields;
};

double parse_number(const std::string& path, const Row& row, size_t field) {
  const std::string_view s = row.fields[field];
  double v = 0;
  if (plain_decimal(s, v)) return v;  // nearly every row: no copy, no strtod
  const std::string str(s);
  char* end = nullptr;
  v = std::strtod(str.c_str(), &end);
  if (str.empty() || end != str.c_str() + str.size() || !std::isfinite(v)) {
    size_t col = 1;
    for (size_t f = 0; f < field; ++f) col += row.fields[f].size() + 1;
    throw ConfigError(data_error(path, row.line, col, "expected a number, found '" + str + "'"));
  }
  return v;
}

constexpr const char* kKindNames[] = {"open_start", "open_inside", "close_inside", "close_end"};
constexpr const char* kCueNames[] = {"mid", "start", "attr", "paired"};
constexpr double kMinPosterior = 0.2;  // weaker base decisions are not considered

int kind_index(std::string_view name) {
  for (int k = 0; k < QuoteRestorer::kKinds; ++k)
    if (name == kKindNames[k]) return k;
  return -1;
}

// "bias", "logit", "local", "<cue>=<bin>".
std::string stack_feature_name(int f) {
  if (f == 0) return "bias";
  if (f == 1) return "logit";
  if (f == 2) return "local";
  f -= 3;
  return std::string(kCueNames[f / QuoteRestorer::kBins]) + "=" +
         std::to_string(f % QuoteRestorer::kBins);
}

int stack_feature_index(std::string_view name) {
  for (int f = 0; f < QuoteRestorer::kPerKind; ++f)
    if (name == stack_feature_name(f)) return f;
  return -1;
}

double logit(double p) {
  p = std::clamp(p, 1e-4, 1 - 1e-4);
  return std::log(p / (1 - p));
}

// Buckets of a rate per line and of a share.
uint8_t rate_bin(double num, double den) {
  if (den <= 0 || num <= 0) return 0;
  const double r = num / den;
  return r < 0.01 ? 1 : r < 0.03 ? 2 : r < 0.1 ? 3 : r < 0.3 ? 4 : 5;
}
uint8_t share_bin(double num, double den) {
  if (den <= 0) return 0;
  const double r = num / den;
  return r < 0.1 ? 1 : r < 0.3 ? 2 : r < 0.5 ? 3 : r < 0.75 ? 4 : 5;
}

}  // namespace

// --- Table ---------------------------------------------------------------

void QuoteRestorer::Table::build(const std::vector<std::pair<uint64_t, Weights>>& rows) {
  size_t cap = 16;
  while (cap < rows.size() * 2 + 1) cap *= 2;
  slots.assign(cap, {});
  mask = cap - 1;
  std::vector<Weights> sum(cap);
  for (const auto& [h, w] : rows) {
    const uint32_t fp = fingerprint(h);
    uint64_t i = h & mask;
    while (slots[i].fp != 0 && slots[i].fp != fp) i = (i + 1) & mask;
    slots[i].fp = fp;
    sum[i].open += w.open;
    sum[i].close += w.close;
  }
  auto quantize = [](float v) {
    return static_cast<int16_t>(std::lround(std::clamp(v * kWeightScale, -32767.0f, 32767.0f)));
  };
  for (size_t i = 0; i < cap; ++i)
    slots[i].open = quantize(sum[i].open), slots[i].close = quantize(sum[i].close);
}

// --- QuoteRestorer ----------------------------------------------------------

QuoteRestorer QuoteRestorer::load(const std::string& dir) {
  const std::string path = dir + "/" + std::string(kFile);
  QuoteRestorer q;
  std::vector<std::pair<uint64_t, Weights>> rows;
  bool have_end = false;
  for_each_tsv_row(path, 2, [&](size_t line, std::span<const std::string_view> fields) {
    const Row row{line, fields};
    const std::string_view key = row.fields[0];
    if (key == "@end_inside") {
      double v = parse_number(path, row, 1);
      if (v < 0 || v > 1)
        throw ConfigError(
            data_error(path, row.line, key.size() + 2, "expected a weight in [0, 1]"));
      q.end_inside_ = v;
      have_end = true;
    } else if (key == "@calibration") {
      // "@calibration p confidence" (every kind) or "@calibration kind p confidence".
      const int kind = row.fields.size() >= 4 ? kind_index(row.fields[1]) : -1;
      if (row.fields.size() >= 4 && kind < 0)
        throw ConfigError(
            data_error(path, row.line, 14, "unknown kind '" + std::string(row.fields[1]) + "'"));
      if (row.fields.size() < 3)
        throw ConfigError(
            data_error(path, row.line, 1, "expected @calibration, [kind,] posterior, confidence"));
      const size_t f0 = kind >= 0 ? 2 : 1;
      double lo = parse_number(path, row, f0), v = parse_number(path, row, f0 + 1);
      for (int k = 0; k < kKinds; ++k) {
        if (kind >= 0 && k != kind) continue;
        if (lo < 0 || lo > 1 || v < 0 || v > 1 ||
            (!q.cal_lo_[k].empty() && lo <= q.cal_lo_[k].back()))
          throw ConfigError(data_error(path, row.line, 1, "calibration rows must rise in [0, 1]"));
        q.cal_lo_[k].push_back(lo);
        q.cal_value_[k].push_back(v);
      }
    } else if (key == "@stack") {
      if (row.fields.size() < 4)
        throw ConfigError(data_error(path, row.line, 1, "expected @stack, kind, feature, weight"));
      const int kind = kind_index(row.fields[1]);
      const int f = stack_feature_index(row.fields[2]);
      if (kind < 0)
        throw ConfigError(
            data_error(path, row.line, 8, "unknown kind '" + std::string(row.fields[1]) + "'"));
      if (f < 0)
        throw ConfigError(data_error(path, row.line, 9 + row.fields[1].size(),
                                     "unknown feature '" + std::string(row.fields[2]) + "'"));
      if (q.stack_weights.empty()) q.stack_weights.assign(kKinds * kPerKind, 0.0);
      q.stack_weights[kind * kPerKind + f] = parse_number(path, row, 3);
    } else if (key.size() >= 3 && key[0] == 'T') {
      if (row.fields.size() < 3)
        throw ConfigError(data_error(path, row.line, key.size() + 1,
                                     "expected feature, open weight, close weight"));
      Weights w;
      w.open = static_cast<float>(parse_number(path, row, 1));
      w.close = static_cast<float>(parse_number(path, row, 2));
      const uint64_t h = hash_key(key);
      if (h == 0)
        throw ConfigError(
            data_error(path, row.line, 1, "bad feature key '" + std::string(key) + "'"));
      rows.push_back({h, w});
    } else {
      throw ConfigError(data_error(path, row.line, 1, "unknown row '" + std::string(key) + "'"));
    }
  });
  if (!q.stack_weights.empty() && q.stack_weights.size() != static_cast<size_t>(kKinds * kPerKind))
    throw ConfigError(data_error(path, 1, 1, "bad @stack rows"));
  if (rows.empty() || !have_end ||
      std::any_of(q.cal_lo_.begin(), q.cal_lo_.end(),
                  [](const std::vector<double>& c) { return c.empty(); }))
    throw ConfigError(
        data_error(path, 1, 1, "needs feature rows, @end_inside and @calibration rows"));
  q.table_.build(rows);
  return q;
}

double QuoteRestorer::calibrate(double p, int kind) const {
  const std::vector<double>& lo = cal_lo_[kind];
  auto it = std::upper_bound(lo.begin(), lo.end(), p);
  if (it == lo.begin()) return 0.0;
  return cal_value_[kind][(it - lo.begin()) - 1];
}

void QuoteRestorer::line_posteriors(std::string_view line, std::vector<GapPosterior>& out) const {
  thread_local LineInfo li;
  thread_local std::vector<Scored> scored;
  static constexpr int kCheapFeatures = 5;  // for_each_hash()'s first five
  scored.clear();
  scan_line(line, li);
  Cursor cur;
  GapCtx c;
  bool may_be_inside = false;
  // k: the first word not yet passed. A gap inside a word is never a
  // candidate: the walk jumps from a word's first byte to its end.
  for (size_t p = 0, k = 0; p <= line.size(); ++p) {
    if (k < li.words.size() && p > li.words[k].b) p = li.words[k++].e;
    if (!candidate_gap(line, p)) continue;
    cur.advance(li, p);
    gap_ctx(line, li, cur, p, c);
    // Every feature's table slot is prefetched before the first is read, so
    // that the gap waits for memory once (each feature is a random probe of
    // the table), also when it reads all of them.
    uint64_t hs[24];
    int n = 0;
    for_each_hash(c, [&](uint64_t h) {
      table_.prefetch(h);
      hs[n++] = h;
    });
    double lo = 0, lc = 0;
    auto lookup = [&](int from, int to) {
      for (int f = from; f < to; ++f)
        if (const Slot* w = table_.find(hs[f])) lo += w->open, lc += w->close;
    };
    // Gaps whose cheap features already make their quotes very unlikely skip
    // the rest (the calibration is fitted on this same decoder). Until a gap
    // of the line could open a quotation, only the opening counts.
    lookup(0, kCheapFeatures);
    if ((may_be_inside ? std::max(lo, lc) : lo) < kSkipLogit * kWeightScale) continue;
    lookup(kCheapFeatures, n);
    if (lo >= kSkipLogit * kWeightScale) may_be_inside = true;
    lo = std::clamp(lo / kWeightScale, -kMaxLogit, kMaxLogit);
    lc = std::clamp(lc / kWeightScale, -kMaxLogit, kMaxLogit);
    const double eo = std::exp(lo), ec = std::exp(lc);
    scored.push_back({static_cast<uint32_t>(p), eo, ec, 1, 1, eo / (1 + eo), ec / (1 + ec)});
  }
  posteriors(scored, end_inside_, out);
}

void QuoteRestorer::collect(std::string_view text, std::vector<Decision>& out, Cues& cues) const {
  out.clear();
  std::vector<GapPosterior> post;
  size_t ls = 0, lines = 0;
  uint32_t line_no = 0;
  while (ls <= text.size()) {
    size_t le = text.find('\n', ls);
    if (le == std::string_view::npos) le = text.size();
    std::string_view line = text.substr(ls, le - ls);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && !has_quote_mark(line)) {
      ++lines;
      line_posteriors(line, post);
      size_t first = 0, last = line.size();  // first word byte, end of the last word
      while (first < line.size() && !is_alnum(static_cast<unsigned char>(line[first]))) ++first;
      while (last > first && !is_alnum(static_cast<unsigned char>(line[last - 1]))) --last;
      if (first == line.size()) last = 0;
      for (const GapPosterior& g : post) {
        const bool open = g.open >= g.close;
        const double p = open ? g.open : g.close;
        if (p < kMinPosterior) continue;
        const uint8_t kind = open ? (g.pos > first ? 1 : 0) : (g.pos < last ? 2 : 3);
        const bool attr = g.pos + 1 < line.size() && line[g.pos] == ' ' &&
                          is_lower_ascii(static_cast<unsigned char>(line[g.pos + 1]));
        out.push_back(
            {ls + g.pos, line_no, kind, attr, p, open ? g.open_local : g.close_local, p, 0.0});
      }
    }
    ++line_no;
    ls = le + 1;
  }
  double mid = 0, start = 0, closes = 0, attrs = 0, paired = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const Decision& d = out[i];
    if ((d.kind == 1 || d.kind == 2) && d.posterior >= 0.9) mid += 1;
    if (d.kind >= 2 && d.posterior >= 0.5) closes += 1, attrs += d.attr;
    if (d.kind == 0 && d.posterior >= 0.5) {
      start += 1;
      for (size_t j = i + 1; j < out.size() && out[j].line == d.line; ++j)
        if (out[j].kind == 2 && out[j].posterior >= 0.9) {
          paired += 1;
          break;
        }
    }
  }
  cues = {rate_bin(mid, static_cast<double>(lines)), rate_bin(start, static_cast<double>(lines)),
          share_bin(attrs, closes), share_bin(paired, start)};
}

void QuoteRestorer::stack_features(const Decision& d, const Cues& cues,
                                   std::array<int, 1 + kCues>& idx) {
  const int base = d.kind * kPerKind;
  idx[0] = base;
  for (int c = 0; c < kCues; ++c) idx[1 + c] = base + 3 + c * kBins + cues[c];
}

void QuoteRestorer::stack(std::vector<Decision>& ds, const Cues& cues) const {
  std::array<int, 1 + kCues> idx;
  for (Decision& d : ds) {
    if (stack_weights.empty()) {
      d.stacked = d.posterior;
    } else {
      stack_features(d, cues, idx);
      double z = stack_weights[d.kind * kPerKind + 1] * logit(d.posterior) +
                 stack_weights[d.kind * kPerKind + 2] * logit(d.local);
      for (int i : idx) z += stack_weights[i];
      d.stacked = 1 / (1 + std::exp(-std::clamp(z, -kMaxLogit, kMaxLogit)));
    }
    d.confidence = calibrate(d.stacked, d.kind);
  }
}

// An opening and the next closing of its line are one quotation: each is no
// surer than the other. A quote left without a likely partner in its line
// leaves the line unbalanced, which reads worse than no quotes. If the line
// holds a less likely partner for it (confidence 0.2 to 0.5), the two are
// paired all the same, at the partner's confidence: neither is applied
// alone. Without one, its confidence is halved, so that at the
// default thresholds it is a suggestion and never applied alone. Except a
// quotation running on into the next paragraph: an opening at a line start,
// unclosed, when the next line also opens with one (fiction's dialogue, long
// quoted statements).
void QuoteRestorer::pair_up(std::vector<Decision>& ds) {
  constexpr double kUnpairedFactor = 0.5;
  constexpr double kMinPartner = 0.2;   // a weaker quote is no partner
  std::vector<uint32_t> opening_lines;  // lines that start with a likely opening
  for (const Decision& d : ds)
    if (d.kind == 0 && d.confidence >= kMinConfidence) opening_lines.push_back(d.line);
  auto runs_on = [&](const Decision& d) {
    return d.kind == 0 &&
           std::binary_search(opening_lines.begin(), opening_lines.end(), d.line + 1);
  };
  auto likely = [](const Decision& d) { return d.confidence >= kMinConfidence; };
  // The likeliest weak partner of ds[i] (an opening looks ahead, a closing
  // back) before the next likely quote of its line; ds.size() if none.
  auto weak_partner = [&](size_t i) {
    const bool opening = ds[i].kind <= 1;
    size_t best = ds.size();
    for (size_t j = i;;) {
      if (opening ? ++j >= ds.size() : j-- == 0) break;
      const Decision& c = ds[j];
      if (c.line != ds[i].line || likely(c)) break;
      if ((c.kind <= 1) != opening && c.confidence >= kMinPartner &&
          (best == ds.size() || c.confidence > ds[best].confidence))
        best = j;
    }
    return best;
  };
  auto unpaired = [&](size_t i) {
    if (ds[i].kind <= 1 && runs_on(ds[i])) return;
    const size_t j = weak_partner(i);
    if (j < ds.size())
      ds[i].confidence = ds[j].confidence;
    else
      ds[i].confidence *= kUnpairedFactor;
  };
  size_t open = ds.size();  // the pending opening of the line
  for (size_t i = 0; i < ds.size(); ++i) {
    Decision& d = ds[i];
    if (!likely(d)) continue;
    if (open < ds.size() && ds[open].line != d.line) {
      unpaired(open);
      open = ds.size();
    }
    if (d.kind <= 1) {
      if (open < ds.size()) unpaired(open);
      open = i;
    } else if (open < ds.size()) {
      const double c = std::min(ds[open].confidence, d.confidence);
      ds[open].confidence = d.confidence = c;
      open = ds.size();
    } else {
      unpaired(i);
    }
  }
  if (open < ds.size()) unpaired(open);
}

// A document none of whose likely quotes sits inside a line ("said, _We",
// "_, he said") shows no sign of quoting anyone: quotes at line edges alone
// (a short paragraph read as a line of dialogue, "They don't know.") are
// halved, so that at the default thresholds they are suggestions only.
void QuoteRestorer::require_inline_evidence(std::vector<Decision>& ds) {
  constexpr double kEdgeOnlyFactor = 0.5;
  for (const Decision& d : ds)
    if ((d.kind == 1 || d.kind == 2) && d.confidence >= kMinConfidence) return;
  for (Decision& d : ds)
    if (d.kind == 0 || d.kind == 3) d.confidence *= kEdgeOnlyFactor;
}

void QuoteRestorer::run(const TextView& view, const std::vector<bool>& protected_tok,
                        std::vector<Insertion>& out, bool pair) const {
  const std::string_view text = view.text;
  // Bytes of protected tokens (URLs, e-mail addresses): no gap next to them.
  std::vector<uint8_t> blocked;
  for (size_t i = 0; i < view.tokens.size() && i < protected_tok.size(); ++i) {
    if (!protected_tok[i]) continue;
    if (blocked.empty()) blocked.assign(text.size() + 1, 0);
    for (uint32_t b = view.tokens[i].begin; b < view.tokens[i].end; ++b) blocked[b] = 1;
  }
  std::vector<Decision> ds;
  Cues cues;
  collect(text, ds, cues);
  stack(ds, cues);
  if (pair) pair_up(ds);
  require_inline_evidence(ds);
  for (const Decision& d : ds) {
    if (d.confidence < kMinConfidence) continue;
    if (!blocked.empty() && (blocked[d.pos] || (d.pos > 0 && blocked[d.pos - 1]))) continue;
    const bool open = d.kind <= 1;
    char buf[112];
    std::snprintf(buf, sizeof buf, "%s quote: posterior %.3f in its line, %.3f in its document",
                  open ? "opening" : "closing", d.posterior, d.stacked);
    out.push_back(
        {d.pos, std::string(open ? kOpen : kClose), std::string(kRule), d.confidence, buf});
  }
}

// --- Trainer -----------------------------------------------------------------

namespace {

// Decodes one code point of a deleted run.
size_t decode(std::string_view s, size_t i, char32_t& cp) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
  if (i + n > s.size()) n = 1;
  cp = n == 1 ? b : (b & (0x7F >> n));
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return n;
}

enum Event : uint8_t { kNoEvent = 0, kOpenEv = 1, kCloseEv = 2 };

// A document kept out of the weights: the document-level model is fitted on
// one half of them, the calibration on the other.
struct HeldDoc {
  std::string text;                                  // stripped
  std::vector<std::pair<uint32_t, uint8_t>> events;  // gap (byte offset), kOpenEv / kCloseEv
  double weight;
  bool calibration;  // in the calibration half
};

class QuoteCounter final : public Counter {
 public:
  void add(std::string_view clean, const StrippedText& stripped, double weight) override {
    (void)clean;
    const std::string& s = stripped.text;
    const uint64_t doc_hash = fnv(std::string_view(s).substr(0, 256));
    const bool held = (doc_hash % 10) == 7 && held_bytes_ < kMaxHeldBytes;
    if (held) {
      held_.push_back({s, {}, weight, (doc_hash / 10) % 2 == 1});
      held_bytes_ += s.size();
    }
    size_t d = 0;  // next deletion
    size_t ls = 0;
    std::vector<std::pair<uint32_t, uint8_t>> events;
    while (ls <= s.size()) {
      size_t le = s.find('\n', ls);
      if (le == std::string::npos) le = s.size();
      std::string_view line(s.data() + ls, le - ls);
      events.clear();
      bool inside = false, top_single = false, nested = false;
      for (; d < stripped.deletions.size() && stripped.deletions[d].at <= le; ++d) {
        const auto& del = stripped.deletions[d];
        if (del.at < ls) continue;
        const size_t p = del.at - ls;
        const bool la = p > 0 && is_alnum(static_cast<unsigned char>(line[p - 1]));
        const bool ra = p < line.size() && is_alnum(static_cast<unsigned char>(line[p]));
        uint8_t ev = kNoEvent;
        for (size_t i = 0; i < del.run.size();) {
          char32_t cp;
          i += decode(del.run, i, cp);
          if (cp == 0x201C || cp == 0xAB) {
            if (!inside) ev = kOpenEv, inside = true, top_single = false, nested = false;
          } else if (cp == 0x201D || cp == 0xBB) {
            if (inside && !top_single) ev = kCloseEv, inside = false, nested = false;
          } else if (cp == 0x2018) {
            if (!la) {
              if (!inside)
                ev = kOpenEv, inside = true, top_single = true;
              else
                nested = true;
            }
          } else if (cp == 0x2019) {
            if (la && ra) continue;
            if (nested && !ra)
              nested = false;
            else if (inside && top_single && !ra)
              ev = kCloseEv, inside = false;
          }
        }
        if (ev != kNoEvent && (events.empty() || events.back().first != p))
          events.push_back({static_cast<uint32_t>(p), ev});
      }
      if (held) {
        for (const auto& [p, ev] : events)
          held_.back().events.push_back({static_cast<uint32_t>(ls + p), ev});
      } else if (!line.empty()) {
        count_line(line, events, weight);
      }
      ls = le + 1;
    }
    docs_++;
  }

  void write(const std::string& dir) const override;

 private:
  static constexpr size_t kMaxHeldBytes = 24u << 20;
  // Share of the lines without a quote kept as training lines (their weight
  // scaled up to match): most lines hold none, and they teach little more
  // than a sample of them.
  static constexpr double kQuietLineRate = 0.25;

  // A candidate gap of a training line: its feature ids in feats_ and what
  // the gold path does there.
  enum Move : uint8_t { kStay = 0, kOpens = 1, kCloses = 2 };
  struct GapExample {
    uint32_t first, count;
    Move move;
  };
  struct LineExample {
    uint32_t first, count;  // gaps in gaps_
    float weight;
    bool ends_inside;
  };

  uint64_t rng() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return rng_;
  }

  uint32_t feature_id(uint64_t h, const std::string& name) {
    auto [it, fresh] = ids_.try_emplace(h, static_cast<uint32_t>(names_.size()));
    if (fresh) {
      names_.push_back(name);
      hashes_.push_back(h);
      freq_.push_back(0);
    }
    freq_[it->second] += 1;
    return it->second;
  }

  void count_line(std::string_view line, const std::vector<std::pair<uint32_t, uint8_t>>& events,
                  double weight) {
    if (events.empty()) {
      if ((rng() % 1000000) >= kQuietLineRate * 1e6) return;
      weight /= kQuietLineRate;
    }
    scan_line(line, line_);
    Cursor cur;
    size_t e = 0;
    bool inside = false;
    GapCtx c;
    std::string name;
    LineExample lx{static_cast<uint32_t>(gaps_.size()), 0, static_cast<float>(weight), false};
    for (size_t p = 0; p <= line.size(); ++p) {
      cur.advance(line_, p);
      uint8_t ev = kNoEvent;
      if (e < events.size() && events[e].first == p) ev = events[e++].second;
      // Quotes at gaps that are no candidates are invisible to the decoder:
      // the gold path follows the candidates only.
      if (!candidate_gap(line, p)) continue;
      gap_ctx(line, line_, cur, p, c);
      GapExample gx{static_cast<uint32_t>(feats_.size()), 0, kStay};
      for_each_feature(c, &name,
                       [&](uint64_t h, std::string* n) { feats_.push_back(feature_id(h, *n)); });
      gx.count = static_cast<uint32_t>(feats_.size() - gx.first);
      // The run-time featurizer must give the same hashes.
      uint32_t j = gx.first;
      for_each_hash(c, [&](uint64_t h) {
        if (j >= feats_.size() || hashes_[feats_[j++]] != h) ++hash_mismatches_;
      });
      if (j != feats_.size()) ++hash_mismatches_;
      if (ev == kOpenEv && !inside) gx.move = kOpens, inside = true;
      if (ev == kCloseEv && inside) gx.move = kCloses, inside = false;
      gaps_.push_back(gx);
    }
    lx.count = static_cast<uint32_t>(gaps_.size() - lx.first);
    lx.ends_inside = inside;
    if (lx.count > 0) lines_.push_back(lx);
    if (!events.empty() || inside) (inside ? ended_inside_ : ended_outside_) += weight;
  }

  LineInfo line_;
  std::unordered_map<uint64_t, uint32_t> ids_;
  std::vector<std::string> names_;
  std::vector<uint64_t> hashes_;
  size_t hash_mismatches_ = 0;
  std::vector<float> freq_;
  std::vector<uint32_t> feats_;
  std::vector<GapExample> gaps_;
  std::vector<LineExample> lines_;
  std::vector<HeldDoc> held_;
  size_t held_bytes_ = 0;
  size_t docs_ = 0;
  double ended_inside_ = 0, ended_outside_ = 0;
  uint64_t rng_ = 0x9E3779B97F4A7C15ULL;
};

// Capacity: the CRF spreads its weight over about twice as many features as
// the per-gap models did at the same cut-offs; features seen at 10 gaps and
// weights of 0.4 keep the table within the folder's 25 MB (6.4 MB) at dev
// recall 0.185 (0.190 with all weights of 0.25: 14.5 MB).
constexpr double kMinFeatureFreq = 10;  // training gaps a feature must occur at
constexpr double kMinWeight = 0.4;      // smaller weights are not written
constexpr int kEpochs = 8;
constexpr double kRate = 0.1;  // AdaGrad step
constexpr double kL2 = 1e-6;
constexpr double kMinStackExamples =
    200;  // held-out decisions needed to fit the document-level model

void QuoteCounter::write(const std::string& dir) const {
  const size_t nf = names_.size();
  auto rounded = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.3g", v);
    return std::strtod(b, nullptr);
  };
  // The weight of ending a line inside a quotation: the share of such lines
  // among the lines with quotes (learning it with the weights did no better).
  const double end_inside =
      rounded(std::clamp(ended_inside_ / std::max(1e-9, ended_outside_), 0.001, 1.0));
  // The chain is trained as a CRF: per line, the gradient of the log
  // likelihood of the gold path is (gold move - posterior of the move) at
  // every gap, for the features of that gap (AdaGrad steps, L2).
  std::vector<double> w(2 * nf, 0.0), g2(2 * nf, 1e-6);
  std::vector<uint32_t> order(lines_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  uint64_t r = 0x2545F4914F6CDD1DULL;
  double mean_w = 0;
  for (const auto& lx : lines_) mean_w += lx.weight;
  mean_w = lines_.empty() ? 1 : mean_w / static_cast<double>(lines_.size());
  std::vector<Scored> scored;
  std::vector<QuoteRestorer::GapPosterior> post;
  for (int epoch = 0; epoch < kEpochs; ++epoch) {
    for (size_t i = order.size(); i > 1; --i) {
      r ^= r << 13, r ^= r >> 7, r ^= r << 17;
      std::swap(order[i - 1], order[r % i]);
    }
    double loss = 0, weight_sum = 0;
    for (uint32_t li : order) {
      const LineExample& lx = lines_[li];
      scored.clear();
      double gold_score = lx.ends_inside ? std::log(end_inside) : 0;
      for (uint32_t t = lx.first; t < lx.first + lx.count; ++t) {
        const GapExample& gx = gaps_[t];
        double lo = 0, lc = 0;
        for (uint32_t j = gx.first; j < gx.first + gx.count; ++j) {
          const uint32_t f = feats_[j];
          if (freq_[f] >= kMinFeatureFreq) lo += w[2 * f], lc += w[2 * f + 1];
        }
        lo = std::clamp(lo, -kMaxLogit, kMaxLogit);
        lc = std::clamp(lc, -kMaxLogit, kMaxLogit);
        gold_score += gx.move == kOpens ? lo : gx.move == kCloses ? lc : 0;
        scored.push_back({t, std::exp(lo), std::exp(lc), 1, 1, 0, 0});
      }
      // log Z by the scaled forward pass (for the reported loss).
      double ao = 1, ai = 0, log_z = 0;
      for (const Scored& g : scored) {
        const double no = ao + ai * g.close_odds, ni = ai + ao * g.open_odds, z = no + ni;
        log_z += std::log(z);
        ao = no / z, ai = ni / z;
      }
      log_z += std::log(ao + ai * end_inside);
      const double sw = lx.weight / mean_w;
      loss += sw * (log_z - gold_score);
      weight_sum += sw;
      posteriors(scored, end_inside, post);
      for (uint32_t k = 0; k < lx.count; ++k) {
        const GapExample& gx = gaps_[lx.first + k];
        const double go = sw * (post[k].open - (gx.move == kOpens ? 1.0 : 0.0));
        const double gc = sw * (post[k].close - (gx.move == kCloses ? 1.0 : 0.0));
        for (int m = 0; m < 2; ++m) {
          const double grad = m == 0 ? go : gc;
          if (std::abs(grad) < 1e-7) continue;  // nothing to learn at this gap
          for (uint32_t j = gx.first; j < gx.first + gx.count; ++j) {
            const uint32_t f = feats_[j];
            if (freq_[f] < kMinFeatureFreq) continue;
            double& wi = w[2 * f + m];
            const double gi = grad + kL2 * wi;
            double& acc = g2[2 * f + m];
            acc += gi * gi;
            wi -= kRate * gi / std::sqrt(acc);
          }
        }
      }
    }
    spdlog::info("quotes: epoch {}, loss {:.4f} per line", epoch + 1,
                 loss / std::max(1.0, weight_sum));
  }
  uint32_t bias = UINT32_MAX;
  for (size_t f = 0; f < nf; ++f)
    if (names_[f] == "T0:") bias = static_cast<uint32_t>(f);
  std::vector<size_t> kept;
  for (size_t f = 0; f < nf; ++f) {
    if (freq_[f] < kMinFeatureFreq) continue;
    if (std::abs(w[2 * f]) < kMinWeight && std::abs(w[2 * f + 1]) < kMinWeight && f != bias)
      continue;
    kept.push_back(f);
  }
  const std::string path = dir + "/" + std::string(kFile);
  std::vector<size_t> sorted = kept;
  std::sort(sorted.begin(), sorted.end(),
            [&](size_t a, size_t b) { return names_[a] < names_[b]; });
  // cal: one table per kind; a single table: every kind.
  using CalTable = std::vector<std::pair<double, double>>;
  auto write_file = [&](const std::vector<CalTable>& cal, const std::vector<double>& stack) {
    std::ofstream out(path, std::ios::binary);
    if (!out) throw ConfigError(path + ": cannot write");
    out << "# quotes.tsv: the quotation-mark model of the restore stage (restore.quote.v1),\n"
           "# written by make_quote_counter() (stages/restore_quotes.cc); see README.md.\n"
           "# Rows:\n"
           "#   @end_inside <weight>          weight of a line that ends inside a quotation\n"
           "#   @stack <kind> <feature> <w>   document-level model: logistic weight of a feature\n"
           "#       (bias, logit of the line posterior, logit of the gap's own probability, a "
           "bucket\n"
           "#       of a document cue) for a kind of quote\n"
           "#   @calibration <kind> <p> <confidence>   document-level probability >= p -> "
           "confidence\n"
           "#       for a kind of quote (without <kind>: every kind)\n"
           "#   <feature> <w_open> <w_close>  weights of a gap feature in the line's chain (a\n"
           "#       linear-chain CRF): w_open for an opening quote at a gap outside a quotation,\n"
           "#       w_close for a closing one inside.\n"
           "# Feature keys: T<template>:<parts>, where parts are the lowercased words near the "
           "gap\n"
           "# (^ / $: none before / after it in the line; 0: a word with a digit), the gap's "
           "shape\n"
           "# (punctuation before it, _ for the gap, punctuation after it; ^ / $ at line edges),\n"
           "# word classes (U capital, l lower, D digit, X other, - none) and bucketed word "
           "counts\n"
           "# to the line start / end. Templates: see for_each_feature() in restore_quotes.cc.\n";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", end_inside);
    out << "@end_inside\t" << buf << "\n";
    for (size_t i = 0; i < stack.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%.4g", stack[i]);
      out << "@stack\t" << kKindNames[i / QuoteRestorer::kPerKind] << "\t"
          << stack_feature_name(static_cast<int>(i % QuoteRestorer::kPerKind)) << "\t" << buf
          << "\n";
    }
    for (size_t k = 0; k < cal.size(); ++k)
      for (const auto& [lo, v] : cal[k]) {
        std::snprintf(buf, sizeof buf, "%.3g\t%.3f", lo, v);
        out << "@calibration\t" << (cal.size() == 1 ? "" : std::string(kKindNames[k]) + "\t") << buf
            << "\n";
      }
    for (size_t f : sorted) {
      std::snprintf(buf, sizeof buf, "\t%.3g\t%.3g", rounded(w[2 * f]), rounded(w[2 * f + 1]));
      out << names_[f] << buf << "\n";
    }
    if (!out) throw ConfigError(path + ": write failed");
  };
  // First the line model alone; the document-level model and the
  // calibration are fitted on the held-out documents decoded with the model
  // as written and loaded.
  write_file({{{0.0, 0.0}}}, {});
  QuoteRestorer q = QuoteRestorer::load(dir);
  struct HeldDecisions {
    std::vector<QuoteRestorer::Decision> ds;
    std::vector<uint8_t> right;
    QuoteRestorer::Cues cues;
    double weight;
    bool calibration;
  };
  std::vector<HeldDecisions> docs;
  double gold[2] = {0, 0};
  for (const HeldDoc& hd : held_) {
    HeldDecisions h;
    q.collect(hd.text, h.ds, h.cues);
    h.weight = hd.weight;
    h.calibration = hd.calibration;
    gold[hd.calibration] += hd.weight * static_cast<double>(hd.events.size());
    size_t e = 0;
    for (const auto& d : h.ds) {
      while (e < hd.events.size() && hd.events[e].first < d.pos) ++e;
      const bool open = d.kind <= 1;
      h.right.push_back(e < hd.events.size() && hd.events[e].first == d.pos &&
                        hd.events[e].second == (open ? kOpenEv : kCloseEv));
    }
    docs.push_back(std::move(h));
  }
  // The document-level model: logistic regression (AdaGrad) on the decisions
  // of the held-out documents of one half (fold 0 or 1; -1: both).
  const size_t ns = QuoteRestorer::kKinds * QuoteRestorer::kPerKind;
  auto fit_stack = [&](int fold) {
    std::vector<double> sw(ns, 0.0), sg(ns, 1e-6);
    double held_w = 0, held_n = 0;
    for (const auto& h : docs)
      if (fold < 0 || h.calibration == (fold == 1))
        held_w += h.weight * h.ds.size(), held_n += h.ds.size();
    const double norm = held_n > 0 ? held_n / held_w : 1;
    std::array<int, 1 + QuoteRestorer::kCues> idx;
    for (int epoch = 0; epoch < 30; ++epoch) {
      double loss = 0;
      for (const auto& h : docs) {
        if (fold >= 0 && h.calibration != (fold == 1)) continue;
        for (size_t i = 0; i < h.ds.size(); ++i) {
          const auto& d = h.ds[i];
          QuoteRestorer::stack_features(d, h.cues, idx);
          const int slope = d.kind * QuoteRestorer::kPerKind + 1;
          const double x = logit(d.posterior), xl = logit(d.local);
          double z = sw[slope] * x + sw[slope + 1] * xl;
          for (int k : idx) z += sw[k];
          const double pr = 1 / (1 + std::exp(-std::clamp(z, -kMaxLogit, kMaxLogit)));
          const double y = h.right[i];
          const double wt = h.weight * norm;
          loss += wt * -std::log(y ? pr + 1e-12 : 1 - pr + 1e-12);
          const double g = wt * (pr - y);
          auto step = [&](int k, double gk) {
            gk += 1e-3 * sw[k];
            sg[k] += gk * gk;
            sw[k] -= 0.3 * gk / std::sqrt(sg[k]);
          };
          step(slope, g * x);
          step(slope + 1, g * xl);
          for (int k : idx) step(k, g);
        }
      }
      if (epoch % 10 == 9)
        spdlog::info("quotes: document model (fold {}) epoch {}, loss {:.4f}", fold, epoch + 1,
                     loss / std::max(1.0, held_n));
    }
    for (double& v : sw) v = std::stod(fmt::format("{:.4g}", v));
    // Too few held-out decisions (a tiny corpus): no document-level model.
    if (held_n < kMinStackExamples) sw.clear();
    return sw;
  };
  // Calibration, one table per kind (a line-start opening and an opening
  // after "said, " at the same stacked probability are not equally often
  // right), from out-of-fold probabilities: the documents of each half are
  // stacked by the model fitted on the other; the shipped model is fitted on
  // both. Stacked probability in bins of 0.01 against the gold, made
  // monotone (pool adjacent violators).
  std::vector<double> edges;
  for (int e = 30; e < 100; ++e) edges.push_back(e / 100.0);
  edges.push_back(0.995);
  constexpr int nk = QuoteRestorer::kKinds;
  std::vector<std::vector<double>> right(nk, std::vector<double>(edges.size(), 0)), total = right;
  for (int fold = 0; fold < 2; ++fold) {
    q.stack_weights = fit_stack(fold);
    for (auto& h : docs) {
      if (h.calibration == (fold == 1)) continue;
      q.stack(h.ds, h.cues);
      for (size_t i = 0; i < h.ds.size(); ++i) {
        auto it = std::upper_bound(edges.begin(), edges.end(), h.ds[i].stacked);
        if (it == edges.begin()) continue;
        const size_t b = (it - edges.begin()) - 1;
        total[h.ds[i].kind][b] += h.weight;
        right[h.ds[i].kind][b] += h.right[i] ? h.weight : 0;
      }
    }
  }
  const std::vector<double> sw = fit_stack(-1);
  struct Block {
    size_t first, last;
    double right, total;
  };
  std::vector<CalTable> cal(nk);
  for (int k = 0; k < nk; ++k) {
    std::vector<Block> blocks;
    for (size_t b = 0; b < edges.size(); ++b) {
      if (total[k][b] <= 0) continue;
      blocks.push_back({b, b, right[k][b], total[k][b]});
      while (blocks.size() >= 2) {
        Block& x = blocks[blocks.size() - 2];
        Block& y = blocks.back();
        if (x.right / x.total < y.right / y.total) break;
        x.last = y.last, x.right += y.right, x.total += y.total;
        blocks.pop_back();
      }
    }
    if (blocks.empty())  // no held-out text (a tiny corpus): the raw probability
      for (double e : edges) cal[k].push_back({e, e});
    // One row per block (its lower edge).
    for (const Block& bl : blocks) cal[k].push_back({edges[bl.first], bl.right / bl.total});
  }
  spdlog::info("quotes: {} documents, {} lines, {} features kept of {}; end_inside {:.3f}", docs_,
               lines_.size(), kept.size(), nf, end_inside);
  if (hash_mismatches_ > 0)
    spdlog::error("quotes: {} run-time feature hashes differ from the keys", hash_mismatches_);
  spdlog::info("quotes: held-out documents {} ({} bytes), gold quotes (weighted) {:.0f} + {:.0f}",
               held_.size(), held_bytes_, gold[0], gold[1]);
  for (int k = 0; k < nk; ++k)
    for (const auto& [lo, v] : cal[k])
      spdlog::info("quotes: {} stacked >= {:.3f}: {:.3f} right", kKindNames[k], lo, v);
  write_file(cal, sw);
}

}  // namespace

std::unique_ptr<Counter> make_quote_counter() { return std::make_unique<QuoteCounter>(); }

}  // namespace copydesk::restore
