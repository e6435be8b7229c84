#include "stages/repair_entities.h"

#include <algorithm>
#include <cstring>

#include "pipeline/data_files.h"
#include "pipeline/stage.h"
#include "pipeline/utf8.h"

namespace copydesk::repair {
namespace {

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr double kNamed = 0.99;
constexpr double kLegacyBare = 0.92;
constexpr double kNumeric = 0.99;
constexpr double kNumericBare = 0.9;

}  // namespace

EntityDecoder::EntityDecoder(const std::string& path, const std::array<char32_t, 32>& c1_map)
    : c1_map_(c1_map) {
  for (const TsvRow& row : read_tsv(path, 3)) {
    const std::string& name = row.fields[0];
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_alnum) || !is_alpha(name[0]))
      throw ConfigError(
          data_error(path, row.line, 1, "entity name must be ASCII letters and digits"));
    Entry e;
    size_t col = name.size() + 2;
    std::string_view cps = row.fields[1];
    while (!cps.empty()) {
      size_t sp = cps.find(' ');
      std::string_view hex = cps.substr(0, sp);
      char32_t cp = 0;
      if (hex.empty() || hex.size() > 6)
        throw ConfigError(data_error(path, row.line, col, "bad code point"));
      for (char c : hex) {
        int v = hex_value(c);
        if (v < 0) throw ConfigError(data_error(path, row.line, col, "bad code point"));
        cp = cp * 16 + static_cast<char32_t>(v);
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        throw ConfigError(data_error(path, row.line, col, "code point out of range"));
      append_utf8(e.value, cp);
      col += hex.size() + 1;
      cps = sp == std::string_view::npos ? std::string_view() : cps.substr(sp + 1);
    }
    if (e.value.empty()) throw ConfigError(data_error(path, row.line, col, "no code point"));
    if (row.fields[2] != "0" && row.fields[2] != "1")
      throw ConfigError(data_error(path, row.line, col, "legacy flag must be 0 or 1"));
    e.legacy = row.fields[2] == "1";
    max_name_ = std::max(max_name_, name.size());
    names_.emplace(name, std::move(e));
  }
  if (names_.empty()) throw ConfigError(path + ": no entities");
}

bool EntityDecoder::parse(std::string_view t, size_t q, Parsed& out) const {
  if (q >= t.size()) return false;
  if (t[q] == '#') {
    size_t p = q + 1;
    bool hex = p < t.size() && (t[p] == 'x' || t[p] == 'X');
    if (hex) ++p;
    size_t digits_begin = p;
    unsigned long long v = 0;
    while (p < t.size() && (hex ? hex_value(t[p]) >= 0 : is_digit(t[p]))) {
      v = v * (hex ? 16 : 10) + static_cast<unsigned>(hex ? hex_value(t[p]) : t[p] - '0');
      if (v > 0x10FFFF) v = 0x110000;  // saturate: out of range either way
      ++p;
    }
    if (p == digits_begin || p - digits_begin > 10) return false;
    if (p < t.size() && t[p] == ';') {
      ++p;
      out.confidence = kNumeric;
    } else {
      if (p < t.size() && is_alnum(t[p])) return false;
      out.confidence = kNumericBare;
    }
    char32_t cp = static_cast<char32_t>(v);
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      cp = 0xFFFD;
    else if (cp >= 0x80 && cp <= 0x9F)
      cp = c1_map_[cp - 0x80];
    out.value.clear();
    append_utf8(out.value, cp);
    out.length = p - q;
    return true;
  }
  if (!is_alpha(t[q])) return false;
  size_t p = q;
  while (p < t.size() && is_alnum(t[p]) && p - q <= max_name_) ++p;
  if (p - q > max_name_) return false;
  auto it = names_.find(std::string(t.substr(q, p - q)));
  if (it == names_.end()) return false;
  if (p < t.size() && t[p] == ';') {
    out.length = p + 1 - q;
    out.confidence = kNamed;
  } else if (it->second.legacy) {
    out.length = p - q;
    out.confidence = kLegacyBare;
  } else {
    return false;
  }
  out.value = it->second.value;
  return true;
}

std::vector<RepairEdit> EntityDecoder::find_edits(std::string_view t) const {
  std::vector<RepairEdit> edits;
  size_t pos = 0;
  while (true) {
    const void* hit = pos < t.size() ? std::memchr(t.data() + pos, '&', t.size() - pos) : nullptr;
    if (!hit) break;
    size_t amp = static_cast<size_t>(static_cast<const char*>(hit) - t.data());
    Parsed p;
    if (!parse(t, amp + 1, p)) {
      pos = amp + 1;
      continue;
    }
    size_t end = amp + 1 + p.length;
    double conf = p.confidence;
    std::string value = std::move(p.value);
    int layers = 1;
    // Double escaping: "&amp;" whose '&' starts another entity body.
    while (value == "&") {
      Parsed inner;
      if (!parse(t, end, inner)) break;
      end += inner.length;
      conf = std::min(conf, inner.confidence);
      value = std::move(inner.value);
      ++layers;
    }
    std::string evidence = "HTML character reference " + std::string(t.substr(amp, end - amp));
    if (layers > 1) evidence += " (escaped " + std::to_string(layers) + " times)";
    edits.push_back({{amp, end}, std::move(value), "repair.entity.v1", conf, std::move(evidence)});
    pos = end;
  }
  return edits;
}

}  // namespace copydesk::repair
