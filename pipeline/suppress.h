// Suppressions for `copydesk check`: what an editor or a CI job has decided
// not to see again.
//
//  - allowlist: terms used on purpose (one per line in a file); a finding
//    whose text is exactly such a term is not reported;
//  - inline: a line holding "copydesk: ignore" (every rule) or
//    "copydesk: ignore[rule-a, rule-b]" (rule ids, with or without ".vN")
//    hides findings on that line, e.g. in a Markdown comment
//    "<!-- copydesk: ignore[flag-slips.confusable-place] -->";
//  - baseline: findings recorded by --write-baseline FILE, by fingerprint
//    (rule, document, nearby text; not line numbers), are not reported by
//    --baseline FILE, so only new findings show.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "pipeline/document.h"

namespace copydesk {

class Suppressions {
 public:
  // Throws std::runtime_error naming the file when it cannot be read.
  void load_allowlist(const std::string& path);
  void load_baseline(const std::string& path);
  void allow(std::string term) { allowlist_.insert(std::move(term)); }

  // Removes suppressed findings; returns how many were removed.
  size_t filter(const Document& doc, std::vector<MappedFinding>& findings);

 private:
  std::set<std::string> allowlist_;
  std::map<std::string, size_t> baseline_;  // fingerprint -> findings it still covers
};

// Writes a baseline file: one "fingerprint<TAB>rule<TAB>document" line per finding, sorted.
class BaselineWriter {
 public:
  void add(const Document& doc, const std::vector<MappedFinding>& findings);
  void write(const std::string& path) const;

 private:
  std::vector<std::string> lines_;
};

// True when the line containing `offset` carries an inline ignore for `rule`.
bool inline_ignored(std::string_view text, size_t offset, std::string_view rule);

}  // namespace copydesk
