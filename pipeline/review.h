// The review page: one self-contained HTML file for reading a copydesk run.
//
//   copydesk clean --format jsonl articles/ > run.jsonl
//   copydesk review run.jsonl -o review.html --title "Batch of 10 May"
//
// or from code:
//
//   review::ReviewBuilder b;
//   b.add_record(line, "run.jsonl:1");   // one `clean --format jsonl` record
//   std::string page = b.html({.title = "Batch of 10 May"});
//
// The page needs no network: its CSS and JS are inline (pipeline/review_page.inc)
// and the run is embedded as JSON inside <script type="application/json">
// elements, one small index for the summary and the document list, and one
// element per document that the page parses only when that document is shown.
// So a run of thousands of documents opens fast: only one document's text is
// ever in the DOM.
//
// Offsets: records carry UTF-8 byte spans into the cleaned document (the body
// followed by the footer's raw text). The page works in JavaScript strings, so
// the builder converts every span to UTF-16 code units of that same document
// ("s": [begin, end), half-open) before embedding it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace copydesk {

namespace review {

// Escapes text for HTML element content and attribute values: & < > " '.
std::string html_escape(std::string_view s);

// Makes serialised JSON safe as the content of a <script> element: every
// '<', '>' and '&' (they can only occur inside JSON strings) becomes a \u00XX
// escape, so "</script>" or "<!--" in a document cannot end the element.
// JSON.parse gives the same value back.
std::string json_for_script(std::string_view json);

// UTF-8 byte offsets to UTF-16 code unit offsets of one string. An offset
// inside a character maps to that character's start; past the end, to the end.
class Utf16Index {
 public:
  explicit Utf16Index(std::string_view utf8);
  size_t operator()(size_t byte_offset) const;
  size_t size() const { return table_.back(); }  // length in UTF-16 code units

 private:
  std::vector<uint32_t> table_;  // one entry per byte offset, 0..size
};

struct PageOptions {
  std::string title = "copydesk review";
  std::vector<std::string> inputs;  // shown in the page header
};

// Counts over the whole run, as shown in the page's summary.
struct RunSummary {
  size_t documents = 0;
  size_t failed = 0;  // records with an "error"
  size_t edits = 0;
  size_t findings = 0;
  std::map<std::string, size_t> findings_by_rule;
  std::map<std::string, size_t> findings_by_severity;
  std::map<std::string, size_t> edits_by_stage;
  std::map<std::string, size_t> edits_by_rule;
};

class ReviewBuilder {
 public:
  // Adds one JSON Lines record of `copydesk clean --format jsonl` (README:
  // Output schema). Every field is optional. A line that is not a JSON object
  // still becomes a document, with an "invalid-record" error naming `where`,
  // and the call returns false. Blank lines are ignored (true).
  bool add_record(std::string_view json_line, std::string_view where);

  size_t documents() const { return docs_.size(); }
  size_t bad_records() const { return bad_records_; }
  const RunSummary& summary() const { return summary_; }

  // The index blob (summary, rule list, one entry per document), as JSON.
  std::string index_json(const PageOptions& options) const;
  // Document i's blob, as JSON.
  const std::string& document_json(size_t i) const { return docs_[i].json; }
  // The whole page.
  std::string html(const PageOptions& options) const;

 private:
  struct Doc {
    std::string id;
    std::string json;  // the per-document blob
    size_t findings = 0;
    size_t edits = 0;
    int max_severity = -1;  // 0 suggestion, 1 warning, 2 error; -1 none
    bool failed = false;
    std::set<std::string> rules;
  };
  std::vector<Doc> docs_;
  size_t bad_records_ = 0;
  RunSummary summary_;
};

}  // namespace review

// `copydesk review RUN.jsonl... -o review.html [--title T]`. `args` are the
// arguments after the word "review". Inputs may be .gz, or "-" for stdin.
// Returns 0 when the page was written from well-formed records, 2 on a usage
// error, an unreadable input, a malformed record (the page is still written,
// the record shown as an error) or a failed write.
int run_review_command(const std::vector<std::string>& args);

}  // namespace copydesk
