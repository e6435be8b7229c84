#include "stages/repair_mojibake.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <cstring>

#include "pipeline/data_files.h"
#include "pipeline/stage.h"
#include "pipeline/utf8.h"

namespace copydesk::repair {
namespace {

// Character classes for the weirdness measure (letters as in ftfy's design):
//   L/l Latin capital/small letter     A/a other cased letter (Greek, Cyrillic)
//   C   uncased letter (CJK, Arabic)   i   IPA / phonetic letter
//   m   modifier letter                M   combining mark
//   d   digit   N other number         s   space
//   p   punctuation (and ASCII symbols) 1 math or currency symbol
//   2   modifier symbol (spacing diacritic)   3 other symbol
//   X   control (C1 ...)               f   format character
//   _   unassigned or private use
char classify(char32_t c) {
  if (c < 0x80) {
    if (c >= 'A' && c <= 'Z') return 'L';
    if (c >= 'a' && c <= 'z') return 'l';
    if (c >= '0' && c <= '9') return 'd';
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return 's';
    if (c < 0x20 || c == 0x7F) return 'X';
    return 'p';
  }
  if (c == 0xAA || c == 0xBA) return '3';  // ordinal indicators behave as symbols
  if (c == 0xB5 || c == 0x3BC)
    return '3';  // micro sign / mu: a unit prefix in Latin text ("10 \u03BCg")
  UChar32 u = static_cast<UChar32>(c);
  switch (u_charType(u)) {
    case U_UPPERCASE_LETTER:
    case U_TITLECASE_LETTER: {
      UErrorCode err = U_ZERO_ERROR;
      return uscript_getScript(u, &err) == USCRIPT_LATIN ? 'L' : 'A';
    }
    case U_LOWERCASE_LETTER: {
      if ((c >= 0x250 && c <= 0x2AF) || (c >= 0x1D00 && c <= 0x1DBF)) return 'i';
      UErrorCode err = U_ZERO_ERROR;
      return uscript_getScript(u, &err) == USCRIPT_LATIN ? 'l' : 'a';
    }
    case U_MODIFIER_LETTER:
      return 'm';
    case U_OTHER_LETTER:
      return 'C';
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
      return 'M';
    case U_DECIMAL_DIGIT_NUMBER:
      return 'd';
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
      return 'N';
    case U_SPACE_SEPARATOR:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
      return 's';
    case U_CONTROL_CHAR:
      return 'X';
    case U_FORMAT_CHAR:
      return 'f';
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE:
    case U_UNASSIGNED:
      return '_';
    case U_MATH_SYMBOL:
    case U_CURRENCY_SYMBOL:
      return '1';
    case U_MODIFIER_SYMBOL:
      return '2';
    case U_OTHER_SYMBOL:
      return '3';
    default:
      return 'p';
  }
}

bool is_letter_class(char k) {
  return k == 'L' || k == 'l' || k == 'A' || k == 'a' || k == 'C' || k == 'i' || k == 'm';
}
bool in(char k, const char* set) { return k != 0 && std::strchr(set, k) != nullptr; }

double confidence_of(int delta) {
  if (delta >= 5) return 0.99;
  if (delta == 4) return 0.97;
  if (delta == 3) return 0.93;
  if (delta == 2) return 0.75;
  return 0.0;
}

int hex_field(const std::string& path, const TsvRow& row, size_t field) {
  const std::string& f = row.fields[field];
  if (f == "-") return -1;
  if (f.empty() || f.size() > 6)
    throw ConfigError(data_error(path, row.line, 1, "bad hex value '" + f + "'"));
  int v = 0;
  for (char c : f) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0) throw ConfigError(data_error(path, row.line, 1, "bad hex value '" + f + "'"));
    v = v * 16 + d;
  }
  return v;
}

size_t decode_one(std::string_view s, size_t i, char32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (n == 1 || i + n > s.size()) {
    cp = 0xFFFD;
    return 1;
  }
  cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (b(i + k) & 0x3F);
  return n;
}

std::string to_utf8(const std::vector<char32_t>& s, size_t b, size_t e) {
  std::string out;
  for (size_t k = b; k < e; ++k) append_utf8(out, s[k]);
  return out;
}

}  // namespace

MojibakeFixer::MojibakeFixer(const std::string& path) {
  pages_[0].name = "windows-1252";
  pages_[1].name = "MacRoman";
  std::array<bool, 128> seen{};
  for (const TsvRow& row : read_tsv(path, 3)) {
    int byte = hex_field(path, row, 0);
    if (byte < 0x80 || byte > 0xFF)
      throw ConfigError(data_error(path, row.line, 1, "byte must be 80..FF"));
    seen[byte - 0x80] = true;
    for (int k = 0; k < 2; ++k) {
      int cp = hex_field(path, row, 1 + k);
      // Sloppy windows-1252: an undefined byte is the Latin-1 code point.
      if (cp < 0) {
        if (k == 1) throw ConfigError(data_error(path, row.line, 3, "MacRoman defines every byte"));
        cp = byte;
      }
      pages_[k].high[byte - 0x80] = static_cast<char32_t>(cp);
      pages_[k].to_byte[static_cast<char32_t>(cp)] = static_cast<uint8_t>(byte);
    }
  }
  if (!std::all_of(seen.begin(), seen.end(), [](bool b) { return b; }))
    throw ConfigError(path + ": every byte 80..FF needs a row");
  // Latin-1 decoding shows bytes 0x80..0x9F as C1 controls: same bytes.
  for (char32_t c = 0x80; c <= 0x9F; ++c) pages_[0].to_byte.emplace(c, static_cast<uint8_t>(c));
}

std::array<char32_t, 32> MojibakeFixer::c1_map() const {
  std::array<char32_t, 32> m{};
  for (size_t i = 0; i < 32; ++i) m[i] = pages_[0].high[i];
  return m;
}

bool MojibakeFixer::is_lead_then_cont(char32_t a, char32_t b) const {
  for (const auto& pg : pages_) {
    int x = pg.byte_of(a);
    if (x < 0xC2 || x > 0xF4) continue;
    int y = pg.byte_of(b);
    if (y >= 0x80 && y <= 0xBF) return true;
  }
  return false;
}

bool MojibakeFixer::clean(std::string_view s) const {
  size_t i = 0, n = s.size();
  char32_t prev = 0;
  while (i < n) {
    // Skip ASCII eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
      prev = 0;
    }
    if (i >= n) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      prev = 0;
      continue;
    }
    char32_t cp;
    i += decode_one(s, i, cp);
    if (cp >= 0x80 && cp <= 0x9F) return false;
    if (prev != 0 && is_lead_then_cont(prev, cp)) return false;
    prev = cp;
  }
  return true;
}

bool MojibakeFixer::unit_at(const Codepage& pg, const std::vector<char32_t>& s, size_t i,
                            Unit& u) const {
  int b0 = pg.byte_of(s[i]);
  if (b0 < 0xC2 || b0 > 0xF4) return false;
  size_t n = b0 < 0xE0 ? 1 : b0 < 0xF0 ? 2 : 3;
  if (i + n >= s.size()) return false;
  char32_t cp = static_cast<char32_t>(b0 & (n == 1 ? 0x1F : n == 2 ? 0x0F : 0x07));
  for (size_t k = 1; k <= n; ++k) {
    int b = pg.byte_of(s[i + k]);
    if (b < 0x80 || b > 0xBF) return false;
    if (k == 1) {
      if ((b0 == 0xE0 && b < 0xA0) || (b0 == 0xED && b > 0x9F) || (b0 == 0xF0 && b < 0x90) ||
          (b0 == 0xF4 && b > 0x8F))
        return false;
    }
    cp = (cp << 6) | static_cast<char32_t>(b & 0x3F);
  }
  u = {i, i + n + 1, cp};
  return true;
}

int MojibakeFixer::weirdness(const std::vector<char32_t>& w, size_t ib, size_t ie) const {
  std::vector<char> k(w.size());
  for (size_t x = 0; x < w.size(); ++x) k[x] = classify(w[x]);
  auto at = [&](size_t x) -> char { return x < k.size() ? k[x] : 0; };
  auto ch = [&](size_t x) -> char32_t { return x < w.size() ? w[x] : 0; };
  const Codepage& win = pages_[0];
  const Codepage& mac = pages_[1];
  auto win_cont = [&](char32_t c) {
    int b = win.byte_of(c);
    return b >= 0x80 && b <= 0xBF;
  };
  auto mac_cont = [&](char32_t c) {
    int b = mac.byte_of(c);
    return b >= 0x80 && b <= 0xBF;
  };
  int cost = static_cast<int>(ie - ib);  // length of the inner part
  for (size_t x = 0; x < w.size(); ++x) {
    char a = k[x], b = at(x + 1);
    char32_t c = w[x], d = ch(x + 1), e = ch(x + 2);
    // Single characters.
    if (a == 'X' && c >= 0x80) cost += 3;
    if (a == '_') cost += 3;
    if (a == '2') cost += 1;
    if (a == 'M' && (x == 0 || !(is_letter_class(k[x - 1]) || k[x - 1] == 'M'))) cost += 2;
    if (a == 'M' && x > 0 && in(k[x - 1], "Ll")) {
      // A mark of another script (Arabic, Hebrew ...) on a Latin letter.
      UErrorCode err = U_ZERO_ERROR;
      UScriptCode sc = uscript_getScript(static_cast<UChar32>(c), &err);
      if (sc != USCRIPT_INHERITED && sc != USCRIPT_LATIN && sc != USCRIPT_COMMON) cost += 2;
    }
    if (b == 0) continue;
    // Pairs of classes.
    if ((in(a, "Ll") && in(b, "AaC")) || (in(a, "AaC") && in(b, "Ll"))) cost += 2;
    if ((in(a, "LA") && b == 'i') || (a == 'i' && in(b, "LA"))) cost += 1;
    if (in(a, "la") && in(b, "LA") && d >= 0x80) cost += 1;
    if (a == 'L' && c >= 0x80 && d >= 0x80 && in(b, "p123NXf")) cost += 1;
    if (a != b && in(a, "MmN13") && in(b, "MmN13")) cost += 1;
    // A non-ASCII symbol inside a word.
    if (in(b, "123N") && d >= 0x80 && is_letter_class(a) && is_letter_class(at(x + 2))) cost += 1;
    // Non-ASCII punctuation inside a word, other than the marks words do
    // hold (apostrophes, hyphens, dashes, ellipsis, middle dot): "Opri\u00BB\u00F4or".
    if (b == 'p' && d >= 0x80 && is_letter_class(a) && is_letter_class(at(x + 2)) && d != 0x2019 &&
        d != 0x2018 && d != 0x2010 && d != 0x2011 && d != 0x2013 && d != 0x2014 && d != 0x2026 &&
        d != 0xB7 && d != 0x2027 && d != 0x2032)
      cost += 1;
    // Two non-letters inside a word ("Nguy\u00E1\u00BB\u2026n"), one non-ASCII.
    if (is_letter_class(a) && b != 0 && !is_letter_class(b) && b != 's' && b != 'd' &&
        at(x + 2) != 0 && !is_letter_class(at(x + 2)) && at(x + 2) != 's' && at(x + 2) != 'd' &&
        is_letter_class(at(x + 3)) && (d >= 0x80 || e >= 0x80))
      cost += 1;
    // A Latin-1 letter followed by one of windows-1252's letters (\u0160
    // \u0152 \u017D \u0178 \u0161 \u0153 \u017E \u0192): "\u00C4\u0178", "\u00D8\u0152".
    if (c >= 0xC0 && c <= 0xFF && c != 0xD7 && c != 0xF7 &&
        (d == 0x160 || d == 0x152 || d == 0x17D || d == 0x178 || d == 0x161 || d == 0x153 ||
         d == 0x17E || d == 0x192))
      cost += 1;
    // Mojibake pairs of windows-1252 / Latin-1.
    if (c >= 0xC2 && c <= 0xC5 && win_cont(d)) {
      // Closing punctuation after a word-final capital is also correct text
      // ("\u201CIRM\u00C3\u201D"): evidence only inside a word.
      bool ambiguous = d == 0x203A || d == 0xBB || d == 0x2018 || d == 0x201D || d == 0xB4;
      if (!ambiguous || is_letter_class(at(x + 2))) cost += 2;
    }
    // E2 80..8F: general punctuation, currency, letterlike, arrows, maths.
    if (c == 0xE2 && d != 0x2026 && win_cont(d) && win.byte_of(d) <= 0x8F) cost += 2;
    if ((c == 0xF0 || c == 0xF1) && (d == 0x178 || d == 0x9F)) cost += 2;
    if (c >= 0xE0 && c <= 0xEF && win_cont(d) && win_cont(e) && !is_letter_class(b) &&
        !is_letter_class(at(x + 2)))
      cost += 1;
    // Mojibake pairs of MacRoman.
    if (c == 0x221A && mac_cont(d)) cost += 2;                            // sqrt
    if (c == 0x201A && mac_cont(d) && mac.byte_of(d) <= 0x8F) cost += 2;  // E2 80..8F
    if (c == 0xAC && mac_cont(d)) cost += 2;                              // C2
    if ((c == 0x192 || c == 0x2248) && mac_cont(d)) cost += 2;            // C4 C5
    // CA (a no-break space in MacRoman) + a symbol, inside a word: "Hawai\u00A0\u00AAi".
    if (c == 0xA0 && mac_cont(d) && !is_letter_class(b) && is_letter_class(at(x + 2))) cost += 1;
  }
  return cost;
}

std::vector<RepairEdit> MojibakeFixer::find_layer(std::string_view text, Prior& prior) const {
  std::vector<RepairEdit> edits;
  if (clean(text)) return edits;
  std::vector<char32_t> s;
  std::vector<size_t> off;
  s.reserve(text.size());
  off.reserve(text.size() + 1);
  for (size_t i = 0; i < text.size();) {
    char32_t cp;
    off.push_back(i);
    i += decode_one(text, i, cp);
    s.push_back(cp);
  }
  off.push_back(text.size());

  struct Cluster {
    size_t begin, end;  // character indexes
    std::vector<char32_t> result;
    int delta;
    int page;
  };
  // Candidate clusters of both codepages, each with its delta.
  std::vector<Cluster> candidates;
  for (int page = 0; page < 2; ++page) {
    std::vector<Cluster> clusters;
    for (size_t i = 0; i < s.size();) {
      Unit u;
      if (s[i] < 0x80 || !unit_at(pages_[page], s, i, u)) {
        ++i;
        continue;
      }
      if (!clusters.empty() && clusters.back().end == u.begin) {
        clusters.back().end = u.end;
        clusters.back().result.push_back(u.result);
      } else {
        clusters.push_back({u.begin, u.end, {u.result}, 0, page});
      }
      i = u.end;
    }
    for (auto& c : clusters) {
      size_t lo = c.begin > 0 ? c.begin - 1 : c.begin;
      size_t hi = std::min(s.size(), c.end + 1);
      std::vector<char32_t> before(s.begin() + static_cast<long>(lo),
                                   s.begin() + static_cast<long>(hi));
      // Judge the reading by where it leads: a result that is itself made
      // of units of the same codepage (double encoding) is decoded on.
      std::vector<char32_t> deepest = c.result;
      for (int layer = 1; layer < 4; ++layer) {
        std::vector<char32_t> next;
        Unit v;
        size_t k = 0;
        while (k < deepest.size() && unit_at(pages_[page], deepest, k, v)) {
          next.push_back(v.result);
          k = v.end;
        }
        if (k != deepest.size() || next.empty()) break;
        deepest = std::move(next);
      }
      std::vector<char32_t> after(s.begin() + static_cast<long>(lo),
                                  s.begin() + static_cast<long>(c.begin));
      after.insert(after.end(), deepest.begin(), deepest.end());
      after.insert(after.end(), s.begin() + static_cast<long>(c.end),
                   s.begin() + static_cast<long>(hi));
      size_t pre = c.begin - lo;
      c.delta = weirdness(before, pre, pre + (c.end - c.begin)) -
                weirdness(after, pre, pre + deepest.size());
      if (c.delta >= 1) candidates.push_back(std::move(c));
    }
  }
  // Where the codepages' readings overlap, the one that removes more
  // weirdness wins (ties: windows-1252, the commoner).
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Cluster& a, const Cluster& b) { return a.delta > b.delta; });
  std::vector<Cluster> found;
  std::vector<bool> taken(s.size(), false);
  for (auto& c : candidates) {
    if (std::any_of(taken.begin() + static_cast<long>(c.begin),
                    taken.begin() + static_cast<long>(c.end), [](bool t) { return t; }))
      continue;
    for (size_t k = c.begin; k < c.end; ++k) taken[k] = true;
    found.push_back(std::move(c));
  }
  std::array<int, 2> strong{0, 0};
  for (const auto& c : found)
    if (c.delta >= 4) ++strong[c.page];
  for (int page = 0; page < 2; ++page) prior.strong[page] += strong[page];
  for (auto& c : found)
    if (prior.strong[c.page] >= 2) c.delta += 1;
  found.erase(std::remove_if(found.begin(), found.end(),
                             [](const Cluster& c) { return confidence_of(c.delta) < 0.5; }),
              found.end());
  std::sort(found.begin(), found.end(),
            [](const Cluster& a, const Cluster& b) { return a.begin < b.begin; });

  size_t next = 0;  // first character not yet covered
  auto c1_edits_until = [&](size_t limit) {
    for (size_t k = next; k < limit; ++k) {
      if (s[k] < 0x80 || s[k] > 0x9F) continue;
      char32_t to = pages_[0].high[s[k] - 0x80];
      bool undefined = to == s[k];
      std::string rep;
      if (!undefined) append_utf8(rep, to);
      char buf[64];
      std::snprintf(buf, sizeof buf, "C1 control U+%04X is windows-1252 byte %02X%s",
                    static_cast<unsigned>(s[k]), static_cast<unsigned>(s[k]),
                    undefined ? " (undefined there)" : "");
      edits.push_back({{off[k], off[k + 1]},
                       std::move(rep),
                       "repair.c1-control.v1",
                       undefined ? 0.6 : 0.95,
                       buf});
    }
  };
  for (const auto& c : found) {
    c1_edits_until(c.begin);
    std::string rep = to_utf8(c.result, 0, c.result.size());
    std::string evidence = pages_[c.page].name + " mojibake of UTF-8 " + rep + " (weirdness -" +
                           std::to_string(c.delta) + ")";
    edits.push_back({{off[c.begin], off[c.end]},
                     std::move(rep),
                     "repair.mojibake.v1",
                     confidence_of(c.delta),
                     std::move(evidence)});
    next = c.end;
  }
  c1_edits_until(s.size());
  return edits;
}

}  // namespace copydesk::repair
