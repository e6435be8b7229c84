// Document: one input document as it moves through the pipeline.
//
// The original bytes are never modified. Each stage that applies edits adds
// one OffsetMap (a text version step); every edit, finding and region records
// the version it was made in, and the runner maps them to the original input
// and to the final output once the pipeline is done (see runner.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/edit.h"
#include "pipeline/markup.h"
#include "pipeline/offset_map.h"

namespace copydesk {

// An applied edit: the audit record. Replaying all records in order turns the
// input into the output; inverting them in reverse order gives the input back.
struct AppliedEdit {
  std::string stage;
  std::string rule;
  size_t version = 0;  // text version the stage saw; the edit creates version + 1
  Span in;             // in text version `version`
  Span stage_out;      // in text version `version + 1`
  Span orig;           // in the original input
  Span out;            // in the final output
  std::string before;  // exact bytes replaced (may be invalid UTF-8 for decode)
  std::string after;   // exact bytes inserted
  double confidence = 1.0;
  std::string evidence;
};

struct MappedFinding {
  std::string stage;
  Finding finding;  // finding.span is in text version `version`
  size_t version = 0;
  Span orig;
  Span out;
};

struct MappedRegion {
  std::string stage;
  Region region;  // region.span is in text version `version`
  size_t version = 0;
  Span orig;
  Span out;
};

struct DocumentError {
  std::string code;     // stable machine name: "empty", "binary", "invalid-json", ...
  std::string message;  // for people; names the reason
};

struct Document {
  std::string id;
  std::string original;             // bytes as read
  std::string text;                 // current (after the last stage)
  std::vector<OffsetMap> versions;  // versions[k]: text version k -> k+1
  std::vector<AppliedEdit> edits;
  std::vector<MappedFinding> findings;
  std::vector<MappedRegion> regions;
  std::optional<DocumentError> error;
  // Members of a JSON Lines input record other than the text field, as raw
  // JSON ("key": value pairs, comma-joined), written back unchanged.
  std::string passthrough_json;
  std::string source_path;  // file the document came from
  std::string source_name;  // its path relative to the input argument
  // Markdown or HTML: the stages see the text with non-prose parts hidden
  // (same byte length, see markup.h); used by check and fix.
  MarkupKind markup = MarkupKind::kPlain;
  size_t source_line = 0;   // 1-based line in a JSON Lines file; 0 for text
  size_t input_index = 0;   // index of its file in the whole input listing
  size_t record_index = 0;  // 0-based record number within that file

  size_t current_version() const { return versions.size(); }
};

}  // namespace copydesk
