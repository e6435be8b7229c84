// The output record of one document: the JSON Lines contract, and the plain
// views (body text, footer text, finding lines) built from the same data.
//
// JSON Lines record (one line per input document, in input order):
//   {"id", <other input members>, "text", "footer", "edits", "findings", "error"}
// see README.md "Output schema" for every field. Spans are [begin, end) UTF-8
// byte offsets: "orig" into the original input, "out" into the cleaned
// document (body followed by footer; the body is a prefix of it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/document.h"
#include "pipeline/json_writer.h"

namespace copydesk {

struct RecordOptions {
  bool keep_footer = false;  // keep the footer in "text" (it is still reported)
};

// The footer found by split-footer, if any (regions "footer" and "footer-item").
struct FooterView {
  const MappedRegion* footer = nullptr;
  std::vector<const MappedRegion*> items;
};
std::optional<FooterView> find_footer(const Document& doc);

// The cleaned text to emit: the body (everything before the footer), or the
// whole cleaned document when there is no footer or keep_footer is set.
std::string_view output_text(const Document& doc, const RecordOptions& opts);
// The footer's text in the cleaned document ("" when there is none).
std::string_view footer_text(const Document& doc);

std::string record_json(const Document& doc, const RecordOptions& opts);

// A document's error as the records and reports write it: null, or
// {"code": ..., "message": ...}.
void write_error_json(JsonWriter& w, const std::optional<DocumentError>& error);
// One finding as JSON (the element of "findings"), with line:column.
std::string finding_json(const Document& doc, const MappedFinding& f);

// Findings a check reports: every finding, plus applied edits of the stages
// whose changes are content (restore) as suggestions. Sorted by position.
std::vector<MappedFinding> reportable_findings(const Document& doc,
                                               const std::vector<std::string>& edit_stages);

// "path:line:col: severity rule: message [suggestion]" (line/col 1-based, column in characters,
// in the original input).
std::string finding_line(const Document& doc, const MappedFinding& f);

}  // namespace copydesk
