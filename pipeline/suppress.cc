#include "pipeline/suppress.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "pipeline/report.h"

namespace copydesk {
namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// "flag-slips.doubled-word.v1" matches "flag-slips.doubled-word.v1" and "flag-slips.doubled-word".
bool rule_matches(std::string_view rule, std::string_view pattern) {
  if (rule == pattern) return true;
  if (rule.size() > pattern.size() && rule.substr(0, pattern.size()) == pattern) {
    std::string_view rest = rule.substr(pattern.size());
    return rest.size() >= 3 && rest[0] == '.' && rest[1] == 'v' &&
           std::all_of(rest.begin() + 2, rest.end(), [](char c) { return c >= '0' && c <= '9'; });
  }
  return false;
}

}  // namespace

bool inline_ignored(std::string_view text, size_t offset, std::string_view rule) {
  if (offset > text.size()) offset = text.size();
  size_t ls = offset == 0 ? 0 : text.rfind('\n', offset - 1);
  ls = (ls == std::string_view::npos || offset == 0) ? 0 : ls + 1;
  size_t le = text.find('\n', offset);
  if (le == std::string_view::npos) le = text.size();
  std::string_view line = text.substr(ls, le - ls);
  static constexpr std::string_view kMarker = "copydesk: ignore";
  size_t at = line.find(kMarker);
  while (at != std::string_view::npos) {
    std::string_view rest = line.substr(at + kMarker.size());
    if (rest.empty() || rest[0] != '[') return true;  // every rule
    size_t close = rest.find(']');
    if (close != std::string_view::npos) {
      std::string_view list = rest.substr(1, close - 1);
      size_t start = 0;
      while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        if (rule_matches(rule, trim(list.substr(start, comma - start)))) return true;
        start = comma + 1;
      }
    }
    at = line.find(kMarker, at + 1);
  }
  return false;
}

void Suppressions::load_allowlist(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read allowlist '" + path + "'");
  std::string line;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (!t.empty() && t[0] != '#') allowlist_.insert(t);
  }
}

void Suppressions::load_baseline(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read baseline '" + path + "'");
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::string fp = line.substr(0, line.find('\t'));
    if (fp.size() != 32)
      throw std::runtime_error(path + ":" + std::to_string(n) + ": not a baseline line");
    ++baseline_[fp];
  }
}

size_t Suppressions::filter(const Document& doc, std::vector<MappedFinding>& findings) {
  size_t before = findings.size();
  std::erase_if(findings, [&](const MappedFinding& f) {
    if (!allowlist_.empty() && f.orig.end <= doc.original.size() &&
        allowlist_.count(std::string(f.orig.in(doc.original))))
      return true;
    if (inline_ignored(doc.original, f.orig.begin, f.finding.rule)) return true;
    if (!baseline_.empty()) {
      auto it = baseline_.find(finding_fingerprint(doc, f));
      if (it != baseline_.end() && it->second > 0) {
        --it->second;
        return true;
      }
    }
    return false;
  });
  return before - findings.size();
}

void BaselineWriter::add(const Document& doc, const std::vector<MappedFinding>& findings) {
  for (const auto& f : findings) {
    std::string id = doc.id;
    std::replace(id.begin(), id.end(), '\t', ' ');
    std::replace(id.begin(), id.end(), '\n', ' ');
    lines_.push_back(finding_fingerprint(doc, f) + "\t" + f.finding.rule + "\t" + id);
  }
}

void BaselineWriter::write(const std::string& path) const {
  std::vector<std::string> sorted = lines_;
  std::sort(sorted.begin(), sorted.end());
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << "# copydesk baseline v1: fingerprint, rule, document. Findings listed here are not "
           "reported\n"
           "# by 'copydesk check --baseline FILE'. Regenerate with --write-baseline FILE.\n";
    for (const auto& l : sorted) out << l << "\n";
    out.flush();
    if (!out) throw std::runtime_error("cannot write baseline '" + path + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot write baseline '" + path + "'");
}

}  // namespace copydesk
