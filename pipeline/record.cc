#include "pipeline/record.h"

#include <algorithm>

#include "pipeline/json_writer.h"
#include "pipeline/utf8.h"

namespace copydesk {
namespace {

void write_span(JsonWriter& w, Span s) {
  w.begin_array()
      .integer(static_cast<int64_t>(s.begin))
      .integer(static_cast<int64_t>(s.end))
      .end_array();
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else
      out += c;
  }
  return out;
}

// line_col over one text for offsets that mostly rise (a record's findings
// are sorted by orig.begin): each call scans on from the previous offset
// instead of from the text's start, which made records with many findings
// quadratic in the text's length. Same results as line_col.
class LineColCursor {
 public:
  explicit LineColCursor(std::string_view text) : text_(text) {}
  LineCol at(size_t offset) {
    offset = std::min(offset, text_.size());
    if (offset < pos_) pos_ = 0, line_ = 1, line_start_ = 0;
    for (size_t i = pos_; i < offset; ++i)
      if (text_[i] == '\n') ++line_, line_start_ = i + 1;
    pos_ = offset;
    LineCol lc;
    lc.line = line_;
    lc.column = count_chars(text_.substr(line_start_, offset - line_start_)) + 1;
    return lc;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0, line_ = 1, line_start_ = 0;
};

void write_finding(JsonWriter& w, const MappedFinding& f, LineColCursor& where) {
  const LineCol lc = where.at(f.orig.begin);
  w.begin_object();
  w.key("stage").string(f.stage);
  w.key("rule").string(f.finding.rule);
  w.key("severity").string(severity_name(f.finding.severity));
  w.key("orig");
  write_span(w, f.orig);
  w.key("out");
  write_span(w, f.out);
  w.key("line").integer(static_cast<int64_t>(lc.line));
  w.key("column").integer(static_cast<int64_t>(lc.column));
  w.key("message").string(f.finding.message);
  if (f.finding.suggestion.empty())
    w.key("suggestion").null();
  else
    w.key("suggestion").string(f.finding.suggestion);
  w.key("confidence").number(f.finding.confidence);
  w.end_object();
}

}  // namespace

std::optional<FooterView> find_footer(const Document& doc) {
  FooterView v;
  for (const auto& r : doc.regions) {
    if (r.region.kind == "footer" && !v.footer)
      v.footer = &r;
    else if (r.region.kind == "footer-item")
      v.items.push_back(&r);
  }
  if (!v.footer) return std::nullopt;
  return v;
}

std::string_view output_text(const Document& doc, const RecordOptions& opts) {
  if (doc.error) return doc.original;  // nothing was changed: keep every byte
  auto footer = find_footer(doc);
  if (!footer || opts.keep_footer) return doc.text;
  return std::string_view(doc.text).substr(0, std::min(footer->footer->out.begin, doc.text.size()));
}

std::string_view footer_text(const Document& doc) {
  auto footer = find_footer(doc);
  if (!footer || doc.error) return {};
  return std::string_view(doc.text).substr(std::min(footer->footer->out.begin, doc.text.size()));
}

std::string finding_json(const Document& doc, const MappedFinding& f) {
  JsonWriter w;
  LineColCursor where(doc.original);
  write_finding(w, f, where);
  return w.take();
}

void write_error_json(JsonWriter& w, const std::optional<DocumentError>& error) {
  if (!error) {
    w.null();
    return;
  }
  w.begin_object()
      .key("code")
      .string(error->code)
      .key("message")
      .string(error->message)
      .end_object();
}

std::string record_json(const Document& doc, const RecordOptions& opts) {
  JsonWriter w;
  w.begin_object();
  w.key("id").string(doc.id);
  w.raw_members(doc.passthrough_json);
  // An error record keeps the input text unchanged (when it could be read as
  // text), so nothing is lost.
  std::string_view text = output_text(doc, opts);
  if (doc.error && !is_valid_utf8(text)) {
    w.key("text").null();
  } else {
    w.key("text").string(text);
  }

  auto footer = doc.error ? std::nullopt : find_footer(doc);
  w.key("footer");
  if (!footer) {
    w.null();
  } else {
    const MappedRegion& fr = *footer->footer;
    w.begin_object();
    w.key("start").integer(static_cast<int64_t>(fr.orig.begin));
    w.key("out_start").integer(static_cast<int64_t>(fr.out.begin));
    w.key("raw").string(footer_text(doc));
    std::string rules;
    std::string family;
    for (const auto& [k, v] : fr.region.attributes) {
      if (k == "rules") rules = v;
      if (k == "family") family = v;
    }
    w.key("family").string(family);
    w.key("items").begin_array();
    for (const MappedRegion* item : footer->items) {
      w.begin_object();
      for (const auto& [k, v] : item->region.attributes) w.key(k).string(v);
      w.key("orig");
      write_span(w, item->orig);
      w.end_object();
    }
    w.end_array();
    w.key("rules").begin_array();
    size_t start = 0;
    while (start < rules.size()) {
      size_t comma = rules.find(',', start);
      if (comma == std::string::npos) comma = rules.size();
      if (comma > start) w.string(std::string_view(rules).substr(start, comma - start));
      start = comma + 1;
    }
    if (rules.empty() && !fr.region.rule.empty()) w.string(fr.region.rule);
    w.end_array();
    w.end_object();
  }

  w.key("edits").begin_array();
  for (const AppliedEdit& e : doc.edits) {
    w.begin_object();
    w.key("stage").string(e.stage);
    w.key("rule").string(e.rule);
    w.key("orig");
    write_span(w, e.orig);
    w.key("out");
    write_span(w, e.out);
    w.key("before").string(e.before);
    if (!is_valid_utf8(e.before)) w.key("before_hex").string(hex(e.before));
    w.key("after").string(e.after);
    w.key("confidence").number(e.confidence);
    w.key("evidence").string(e.evidence);
    w.end_object();
  }
  w.end_array();

  w.key("findings").begin_array();
  LineColCursor where(doc.original);
  for (const MappedFinding& f : doc.findings) write_finding(w, f, where);
  w.end_array();

  w.key("error");
  write_error_json(w, doc.error);
  w.end_object();
  return w.take();
}

std::vector<MappedFinding> reportable_findings(const Document& doc,
                                               const std::vector<std::string>& edit_stages) {
  std::vector<MappedFinding> out = doc.findings;
  for (const AppliedEdit& e : doc.edits) {
    if (std::find(edit_stages.begin(), edit_stages.end(), e.stage) == edit_stages.end()) continue;
    MappedFinding f;
    f.stage = e.stage;
    f.finding.rule = e.rule;
    f.finding.severity = Severity::kSuggestion;
    f.finding.suggestion = e.after;
    f.finding.confidence = e.confidence;
    std::string context = e.before.empty() ? "insert '" + printable(e.after) + "'"
                                           : "replace '" + printable(e.before) + "' with '" +
                                                 printable(e.after) + "'";
    f.finding.message =
        "restoration: " + context + (e.evidence.empty() ? "" : " (" + e.evidence + ")");
    f.orig = e.orig;
    f.out = e.out;
    f.version = e.version;
    out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(), [](const MappedFinding& a, const MappedFinding& b) {
    return a.orig.begin != b.orig.begin ? a.orig.begin < b.orig.begin : a.orig.end < b.orig.end;
  });
  return out;
}

std::string finding_line(const Document& doc, const MappedFinding& f) {
  const LineCol lc = line_col(doc.original, f.orig.begin);
  std::string s = doc.id + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": " +
                  std::string(severity_name(f.finding.severity)) + " " + f.finding.rule + ": " +
                  printable(f.finding.message);
  return s;
}

}  // namespace copydesk
