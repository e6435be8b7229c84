// Edits and findings: what a stage proposes about the text it was given.
//
// A stage never rewrites text. It returns Edits (replace span by bytes, with a
// confidence) and Findings (something a reviewer should see). The runner
// applies edits at or above the apply threshold, turns edits between the
// review and apply thresholds into findings carrying the replacement, and
// drops the rest (see runner.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "pipeline/severity.h"
#include "pipeline/span.h"

namespace copydesk {

struct Edit {
  Span span;                // in the text the stage saw (UTF-8 bytes)
  std::string replacement;  // the bytes that replace span (may be empty: a deletion)
  std::string rule;         // versioned rule id, e.g. "restore.apostrophe.v1"
  double confidence = 1.0;  // probability that the edit is right, in [0, 1]
  std::string evidence;     // short reason a reviewer can read
};

struct Finding {
  Span span;  // in the text the stage saw (UTF-8 bytes)
  std::string rule;
  Severity severity = Severity::kWarning;
  std::string message;
  std::string suggestion;  // replacement for span; empty when there is none
  double confidence = 1.0;
};

// A labelled part of the text ("body", "footer", "footer-item"), with optional
// key/value attributes (a parsed footer item carries headline, source, date).
struct Region {
  Span span;
  std::string kind;
  std::string rule;
  std::vector<std::pair<std::string, std::string>> attributes;
};

}  // namespace copydesk
