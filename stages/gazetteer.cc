#include "stages/gazetteer.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "pipeline/data_files.h"
#include "pipeline/stage.h"

namespace copydesk {

std::string_view place_kind_name(PlaceKind k) {
  switch (k) {
    case PlaceKind::kCountry:
      return "country";
    case PlaceKind::kAlias:
      return "alias";
    case PlaceKind::kCapital:
      return "capital";
    case PlaceKind::kCity:
      return "city";
    case PlaceKind::kDemonym:
      return "demonym";
    case PlaceKind::kRegion:
      return "region";
  }
  return "country";
}

namespace {

std::optional<PlaceKind> parse_kind(std::string_view s) {
  if (s == "country") return PlaceKind::kCountry;
  if (s == "alias") return PlaceKind::kAlias;
  if (s == "capital") return PlaceKind::kCapital;
  if (s == "city") return PlaceKind::kCity;
  if (s == "demonym") return PlaceKind::kDemonym;
  if (s == "region") return PlaceKind::kRegion;
  return std::nullopt;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.emplace_back(s.substr(start, p == s.npos ? s.npos : p - start));
    if (p == s.npos) break;
    start = p + 1;
  }
  return out;
}

bool is_apostrophe(std::string_view t) { return t == "'" || t == "\u2019"; }

}  // namespace

namespace {
// One token of a key: a typographic apostrophe keys like a straight one
// ("People\u2019s Republic of China" is the row "People's Republic of China").
std::string_view key_token(std::string_view t) { return t == "\u2019" ? std::string_view("'") : t; }
}  // namespace

std::string token_key(std::string_view surface) {
  std::string key;
  for (const Token& t : tokenize(surface)) {
    if (t.kind == TokenKind::kSpace || t.kind == TokenKind::kNewline) continue;
    if (!key.empty()) key += ' ';
    key += key_token(t.in(surface));
  }
  return key;
}

bool Gazetteer::borders(uint16_t a, uint16_t b) const {
  const auto& nb = countries_[a].borders;
  return std::find(nb.begin(), nb.end(), b) != nb.end();
}

bool Gazetteer::near(uint16_t a, uint16_t b) const {
  if (a == b) return true;
  const Country& x = countries_[a];
  if (!x.subregion.empty() && x.subregion == countries_[b].subregion) return true;
  return borders(a, b);
}

Gazetteer Gazetteer::load(const std::string& dir) {
  Gazetteer g;
  const std::string cpath = dir + "/countries.tsv";
  const auto crows = read_tsv(cpath, 8);
  std::vector<std::string> border_codes;
  for (const TsvRow& r : crows) {
    if (r.fields[0].size() != 2)
      throw ConfigError(data_error(cpath, r.line, 1, "country code must have 2 letters"));
    if (g.by_code_.count(r.fields[0]))
      throw ConfigError(data_error(cpath, r.line, 1, "duplicate country code"));
    g.by_code_[r.fields[0]] = static_cast<uint16_t>(g.countries_.size());
    Country c;
    c.code = r.fields[0];
    c.name = r.fields[1];
    c.capitals = split(r.fields[3], ';');
    c.region = r.fields[4];
    c.subregion = r.fields[5];
    if (r.fields[7] != "0" && r.fields[7] != "1")
      throw ConfigError(
          data_error(cpath, r.line, 1, "un_member must be 0 or 1, got '" + r.fields[7] + "'"));
    c.un_member = r.fields[7] == "1";
    g.countries_.push_back(std::move(c));
    border_codes.push_back(r.fields[6]);
  }
  for (size_t i = 0; i < g.countries_.size(); ++i) {
    for (const std::string& b : split(border_codes[i], ';')) {
      auto it = g.by_code_.find(b);
      if (it == g.by_code_.end())
        throw ConfigError(data_error(cpath, crows[i].line, 1, "unknown border code '" + b + "'"));
      g.countries_[i].borders.push_back(it->second);
    }
  }
  g.by_country_.resize(g.countries_.size());

  const std::string npath = dir + "/names.tsv";
  for (const TsvRow& r : read_tsv(npath, 4)) {
    auto kind = parse_kind(r.fields[1]);
    if (!kind)
      throw ConfigError(
          data_error(npath, r.line, r.fields[0].size() + 2, "unknown kind '" + r.fields[1] + "'"));
    auto code = g.by_code_.find(r.fields[2]);
    if (code == g.by_code_.end())
      throw ConfigError(data_error(npath, r.line, r.fields[0].size() + r.fields[1].size() + 3,
                                   "unknown country code '" + r.fields[2] + "'"));
    uint32_t pop = 0;
    const std::string& ps = r.fields[3];
    if (std::from_chars(ps.data(), ps.data() + ps.size(), pop).ec != std::errc())
      throw ConfigError(data_error(npath, r.line, 1, "population is not a number: '" + ps + "'"));
    if (r.fields[0].empty()) throw ConfigError(data_error(npath, r.line, 1, "empty surface form"));
    const auto idx = static_cast<uint32_t>(g.names_.size());
    g.names_.push_back({r.fields[0], *kind, code->second, pop});
    g.by_country_[code->second].push_back(idx);
    const std::string key = token_key(r.fields[0]);
    g.by_key_[key].push_back(idx);
    size_t n = 1;
    for (size_t p = key.find(' '); p != std::string::npos; p = key.find(' ', p + 1)) {
      g.key_prefixes_.insert(key.substr(0, p));
      ++n;
    }
    g.max_tokens_ = std::max(g.max_tokens_, n);
  }
  return g;
}

std::optional<uint16_t> Gazetteer::country_by_code(std::string_view code) const {
  auto it = by_code_.find(std::string(code));
  if (it == by_code_.end()) return std::nullopt;
  return it->second;
}

const std::vector<uint32_t>* Gazetteer::lookup(std::string_view surface) const {
  auto it = by_key_.find(token_key(surface));
  return it == by_key_.end() ? nullptr : &it->second;
}

std::vector<PlaceMention> Gazetteer::find_mentions(std::string_view text,
                                                   const TokenList& tokens) const {
  std::vector<PlaceMention> out;
  const size_t n = tokens.size();
  std::string key;
  for (size_t i = 0; i < n; ++i) {
    const Token& first = tokens[i];
    if (!first.is_word() || !first.has_upper_initial) continue;
    key.assign(first.in(text));
    // best match: token index past the name, its rows, and whether a glued "s" was cut
    size_t best_end = 0;
    const std::vector<uint32_t>* best_rows = nullptr;
    bool best_glued_s = false;
    size_t j = i;  // last token in key
    size_t count = 1;
    while (true) {
      auto it = by_key_.find(key);
      if (it != by_key_.end()) {
        best_end = j + 1;
        best_rows = &it->second;
        best_glued_s = false;
      } else if (tokens[j].is_word() && key.size() > 4 && key.back() == 's') {
        // "Nairobis" (apostrophe lost): the name without the glued "s".
        auto it2 = by_key_.find(key.substr(0, key.size() - 1));
        if (it2 != by_key_.end()) {
          best_end = j + 1;
          best_rows = &it2->second;
          best_glued_s = true;
        }
      }
      if (count >= max_tokens_) break;
      // Extend by the next non-space token on the same line.
      size_t k = j + 1;
      if (k < n && tokens[k].kind == TokenKind::kSpace) ++k;
      if (k >= n || tokens[k].kind == TokenKind::kSpace || tokens[k].kind == TokenKind::kNewline)
        break;
      // Only continue while the current key is a prefix of some longer key.
      if (!key_prefixes_.count(key)) break;
      key += ' ';
      key += key_token(tokens[k].in(text));
      j = k;
      ++count;
    }
    if (!best_rows) continue;
    PlaceMention m;
    m.first_token = static_cast<uint32_t>(i);
    m.end_token = static_cast<uint32_t>(best_end);
    m.span = {tokens[i].begin, tokens[best_end - 1].end};
    if (best_glued_s) {
      m.span.end -= 1;
      m.possessive = true;
    } else if (best_end + 1 < n && is_apostrophe(tokens[best_end].in(text)) &&
               tokens[best_end + 1].in(text) == "s") {
      m.possessive = true;
    }
    // The name must end at a word boundary: "Kabul" + "-based" is fine,
    // "Niger" inside "Nigeria" cannot happen (tokens are whole words).
    m.readings = *best_rows;
    out.push_back(std::move(m));
    i = best_end - 1;
  }
  return out;
}

// --- similarity ---

std::string similarity_key(std::string_view name) {
  std::string out;
  bool space = false;
  for (unsigned char c : name) {
    if (c >= 0x80) continue;
    if (std::isalpha(c)) {
      if (space && !out.empty()) out += ' ';
      space = false;
      out += static_cast<char>(std::tolower(c));
    } else if (c == ' ' || c == '-') {
      space = true;
    }
  }
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

size_t edit_distance_capped_at_2(std::string_view a, std::string_view b) {
  if (a.size() < b.size()) std::swap(a, b);
  if (a.size() - b.size() > 1) return 2;
  size_t i = 0;
  while (i < b.size() && a[i] == b[i]) ++i;
  if (a.size() != b.size())  // one deletion from a, at i
    return a.compare(i + 1, std::string_view::npos, b.substr(i)) == 0 ? 1 : 2;
  if (i == a.size()) return 0;
  if (a.compare(i + 1, std::string_view::npos, b.substr(i + 1)) == 0) return 1;  // a substitution
  const bool swapped = i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i];
  return swapped && a.compare(i + 2, std::string_view::npos, b.substr(i + 2)) == 0 ? 1 : 2;
}

double jaro_winkler(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const size_t window = std::max<size_t>(std::max(a.size(), b.size()) / 2, 1) - 1;
  std::vector<bool> am(a.size()), bm(b.size());
  size_t matches = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t lo = i > window ? i - window : 0;
    const size_t hi = std::min(b.size(), i + window + 1);
    for (size_t j = lo; j < hi; ++j) {
      if (bm[j] || a[i] != b[j]) continue;
      am[i] = bm[j] = true;
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0.0;
  size_t t = 0, k = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!am[i]) continue;
    while (!bm[k]) ++k;
    if (a[i] != b[k]) ++t;
    ++k;
  }
  const double m = static_cast<double>(matches);
  const double jaro = (m / a.size() + m / b.size() + (m - t / 2.0) / m) / 3.0;
  size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  return jaro + prefix * 0.1 * (1.0 - jaro);
}

std::string sound_key(std::string_view key) {
  auto cls = [](char c) -> char {
    switch (c) {
      case 'b':
      case 'f':
      case 'p':
      case 'v':
        return '1';
      case 'c':
      case 'g':
      case 'j':
      case 'k':
      case 'q':
      case 's':
      case 'x':
      case 'z':
        return '2';
      case 'd':
      case 't':
        return '3';
      case 'l':
        return '4';
      case 'm':
      case 'n':
        return '5';
      case 'r':
        return '6';
      default:
        return '0';  // vowels, h, w, y
    }
  };
  std::string out;
  char last = 0;
  for (char c : key) {
    if (c == ' ') continue;
    if (out.empty()) {
      out += c;
      last = cls(c);
      continue;
    }
    const char k = cls(c);
    if (k != '0' && k != last) out += k;
    if (c != 'h' && c != 'w') last = k;
  }
  return out;
}

namespace {

std::vector<std::string_view> words_of(std::string_view s) {
  std::vector<std::string_view> w;
  size_t start = 0;
  while (start <= s.size()) {
    size_t p = s.find(' ', start);
    if (p == s.npos) p = s.size();
    if (p > start) w.push_back(s.substr(start, p - start));
    start = p + 1;
  }
  return w;
}

}  // namespace

double name_similarity(std::string_view a_name, std::string_view b_name) {
  const std::string a = similarity_key(a_name), b = similarity_key(b_name);
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  const size_t longer = std::max(a.size(), b.size());
  const size_t dist = edit_distance(a, b);
  const double edit = 1.0 - static_cast<double>(dist) / static_cast<double>(longer);
  double best = std::max(edit, jaro_winkler(a, b) - 0.1);
  // Names that start differently resemble each other only when one letter
  // apart ("Zambia" / "Gambia"): "France" does not look like "Iran".
  if (a[0] != b[0] && dist > 1) best = std::min(best, 0.4);
  // Nor do names of very different length ("Russia" / "Republica Moldova").
  const double ratio =
      static_cast<double>(longer) / static_cast<double>(std::min(a.size(), b.size()));
  if (ratio > 1.6) best = std::min(best, 0.4);
  // Sound-alike: same sound key (which keeps the first letter).
  const std::string sa = sound_key(a), sb = sound_key(b);
  if (sa.size() >= 3 && sa == sb) best = std::max(best, 0.85);
  // Word structure: one name's words all inside the other's ("Sudan" / "South
  // Sudan"), or equal word counts differing in one word ("North Korea" / "South Korea").
  const auto wa = words_of(a), wb = words_of(b);
  // A shared first word before different heads ("United Arab Emirates" /
  // "United States", "South Africa" / "South Korea") says nothing: the names
  // resemble each other as much as their remainders do.
  if (wa.size() > 1 && wb.size() > 1 && wa[0] == wb[0] && wa.back() != wb.back()) {
    const size_t ra = a.find(' ') + 1, rb = b.find(' ') + 1;
    best = std::min(best, name_similarity(a.substr(ra), b.substr(rb)));
  }
  if (wa.size() != wb.size()) {
    const auto& small = wa.size() < wb.size() ? wa : wb;
    const auto& big = wa.size() < wb.size() ? wb : wa;
    bool all = true;
    for (auto w : small) all = all && std::find(big.begin(), big.end(), w) != big.end();
    if (all && small.back() == big.back())
      best = std::max(best, 0.85);
    else if (all)
      best = std::max(best, 0.75);
  } else if (wa.size() > 1) {
    // Same head noun, one modifier changed for a look-alike ("North Korea" /
    // "South Korea"); not "United States" / "United Kingdom", whose heads
    // differ, nor "Mexico City" / "Oklahoma City", whose modifiers do not
    // look alike.
    size_t differ = 0, at = 0;
    for (size_t i = 0; i < wa.size(); ++i)
      if (wa[i] != wb[i]) ++differ, at = i;
    if (differ == 1 && wa.back() == wb.back()) {
      const std::string_view x = wa[at], y = wb[at];
      const double modifier = 1.0 - static_cast<double>(edit_distance(x, y)) /
                                        static_cast<double>(std::max(x.size(), y.size()));
      if (modifier >= 0.5) best = std::max(best, 0.85);
    }
  }
  return std::clamp(best, 0.0, 1.0);
}

}  // namespace copydesk
