// Reporters: how `copydesk check` prints findings.
//
//   auto r = make_reporter(ReportFormat::kSarif, std::cout, pipeline.rules());
//   r->document(doc, findings);   // per document, in input order
//   r->finish();                  // formats that are one JSON document write here
//
// line    path:line:col: severity rule: message          (1-based; column in characters)
// pretty  the same with colour and the source line underlined (a terminal's default)
// json    one object per document: {"id", "path", "findings": [...], "error"}
// sarif   SARIF 2.1.0, one run; rules with descriptions; fixes for suggestions
// github  GitHub Actions workflow commands (::error file=...,line=...,col=...::message)
// gitlab  GitLab Code Quality report (a JSON array)
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "pipeline/document.h"
#include "pipeline/stage.h"

namespace copydesk {

enum class ReportFormat { kLine, kPretty, kJson, kSarif, kGithub, kGitlab };

std::optional<ReportFormat> parse_report_format(std::string_view name);

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void document(const Document& doc, const std::vector<MappedFinding>& findings) = 0;
  virtual void finish() {}
};

std::unique_ptr<Reporter> make_reporter(ReportFormat format, std::ostream& out,
                                        std::vector<RuleInfo> rules, bool colour = false);

// A stable identity for a finding that survives edits elsewhere in the file:
// rule, document, and the finding's text with a little context, whitespace
// folded (no line numbers). Used by baselines and GitLab reports.
std::string finding_fingerprint(const Document& doc, const MappedFinding& f);

// The path a report names for a document: its file, or its id for stdin.
std::string report_path(const Document& doc);

}  // namespace copydesk
