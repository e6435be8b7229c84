#include "pipeline/report.h"

#include <algorithm>
#include <map>

#include "pipeline/json_writer.h"
#include "pipeline/record.h"
#include "pipeline/utf8.h"

namespace copydesk {
namespace {

// Position of a finding for people: for a text file, in the file; for a JSON
// Lines record, the record's line, column 1.
struct Where {
  size_t line = 1, column = 1, end_line = 1, end_column = 1;
};

Where where(const Document& doc, const MappedFinding& f) {
  Where w;
  if (doc.source_line > 0) {
    w.line = w.end_line = doc.source_line;
    return w;
  }
  LineCol b = line_col(doc.original, f.orig.begin);
  LineCol e = line_col(doc.original, f.orig.end);
  w.line = b.line;
  w.column = b.column;
  w.end_line = e.line;
  w.end_column = e.column;
  return w;
}

std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

class LineReporter final : public Reporter {
 public:
  LineReporter(std::ostream& out, bool colour) : out_(out), colour_(colour) {}
  void document(const Document& doc, const std::vector<MappedFinding>& findings) override {
    for (const auto& f : findings) {
      if (!colour_) {
        out_ << finding_line(doc, f) << "\n";
        continue;
      }
      const LineCol w = line_col(doc.original, f.orig.begin);
      const char* sev_colour = f.finding.severity == Severity::kError     ? "\033[1;31m"
                               : f.finding.severity == Severity::kWarning ? "\033[1;33m"
                                                                          : "\033[1;36m";
      out_ << "\033[1m" << doc.id << ":" << w.line << ":" << w.column << ":\033[0m " << sev_colour
           << severity_name(f.finding.severity) << "\033[0m "
           << "\033[2m" << f.finding.rule << "\033[0m " << one_line(f.finding.message) << "\n";
      underline(doc, f);
    }
    if (doc.error) {
      out_ << doc.id << ":1:1: error input." << doc.error->code << ": " << doc.error->message
           << "\n";
    }
  }

 private:
  // Prints the source line with the finding's span marked.
  void underline(const Document& doc, const MappedFinding& f) {
    std::string_view text = doc.original;
    size_t ls = text.rfind('\n', f.orig.begin == 0 ? 0 : f.orig.begin - 1);
    ls = (ls == std::string_view::npos || f.orig.begin == 0) ? 0 : ls + 1;
    size_t le = text.find('\n', f.orig.begin);
    if (le == std::string_view::npos) le = text.size();
    // Show at most 60 bytes either side, on character boundaries.
    size_t from = f.orig.begin > ls + 60 ? f.orig.begin - 60 : ls;
    while (from > ls && !is_char_boundary(text, from)) --from;
    size_t to = std::min(le, std::max(f.orig.end, f.orig.begin) + 60);
    while (to < le && !is_char_boundary(text, to)) ++to;
    size_t span_end = std::min(std::max(f.orig.end, f.orig.begin), to);
    out_ << "    " << (from > ls ? "..." : "") << text.substr(from, f.orig.begin - from)
         << "\033[4;1m" << text.substr(f.orig.begin, span_end - f.orig.begin) << "\033[0m"
         << text.substr(span_end, to - span_end) << (to < le ? "..." : "") << "\n";
    if (!f.finding.suggestion.empty())
      out_ << "    \033[32msuggestion:\033[0m " << one_line(f.finding.suggestion) << "\n";
  }
  std::ostream& out_;
  bool colour_;
};

class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(std::ostream& out) : out_(out) {}
  void document(const Document& doc, const std::vector<MappedFinding>& findings) override {
    std::string s = "{\"id\":";
    append_json_string(s, doc.id);
    s += ",\"path\":";
    append_json_string(s, report_path(doc));
    s += ",\"findings\":[";
    for (size_t i = 0; i < findings.size(); ++i) {
      if (i) s += ',';
      s += finding_json(doc, findings[i]);
    }
    s += "],\"error\":";
    JsonWriter w;
    write_error_json(w, doc.error);
    s += w.str();
    s += "}\n";
    out_ << s;
  }

 private:
  std::ostream& out_;
};

const char* sarif_level(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kSuggestion:
      return "note";
  }
  return "warning";
}

class SarifReporter final : public Reporter {
 public:
  SarifReporter(std::ostream& out, std::vector<RuleInfo> rules) : out_(out) {
    for (auto& r : rules) add_rule(std::move(r));
  }
  void document(const Document& doc, const std::vector<MappedFinding>& findings) override {
    for (const auto& f : findings) {
      size_t rule_index = add_rule({f.finding.rule, f.finding.rule, "", f.finding.severity});
      const Where w = where(doc, f);
      JsonWriter r;
      r.begin_object();
      r.key("ruleId").string(f.finding.rule);
      r.key("ruleIndex").integer(static_cast<int64_t>(rule_index));
      r.key("level").string(sarif_level(f.finding.severity));
      r.key("message").begin_object().key("text").string(f.finding.message).end_object();
      r.key("locations").begin_array().begin_object();
      location(r, doc, w, f);
      if (doc.source_line > 0) {
        r.key("logicalLocations")
            .begin_array()
            .begin_object()
            .key("name")
            .string(doc.id)
            .key("kind")
            .string("object")
            .end_object()
            .end_array();
      }
      r.end_object().end_array();
      r.key("partialFingerprints")
          .begin_object()
          .key("copydesk/v1")
          .string(finding_fingerprint(doc, f))
          .end_object();
      if (!f.finding.suggestion.empty() && doc.source_line == 0) {
        r.key("fixes").begin_array().begin_object();
        r.key("description")
            .begin_object()
            .key("text")
            .string("replace with '" + f.finding.suggestion + "'")
            .end_object();
        r.key("artifactChanges").begin_array().begin_object();
        r.key("artifactLocation").begin_object().key("uri").string(uri(doc)).end_object();
        r.key("replacements").begin_array().begin_object();
        r.key("deletedRegion")
            .begin_object()
            .key("byteOffset")
            .integer(static_cast<int64_t>(f.orig.begin))
            .key("byteLength")
            .integer(static_cast<int64_t>(f.orig.size()))
            .end_object();
        r.key("insertedContent")
            .begin_object()
            .key("text")
            .string(f.finding.suggestion)
            .end_object();
        r.end_object().end_array();
        r.end_object().end_array();
        r.end_object().end_array();
      }
      r.end_object();
      results_.push_back(r.take());
    }
  }
  void finish() override {
    JsonWriter w;
    w.begin_object();
    w.key("$schema").string("https://json.schemastore.org/sarif-2.1.0.json");
    w.key("version").string("2.1.0");
    w.key("runs").begin_array().begin_object();
    w.key("tool").begin_object().key("driver").begin_object();
    w.key("name").string("copydesk");
    w.key("version").string(COPYDESK_VERSION);
    w.key("semanticVersion").string(COPYDESK_VERSION);
    w.key("rules").begin_array();
    for (const auto& r : rules_) {
      w.begin_object();
      w.key("id").string(r.id);
      w.key("name").string(rule_name(r.id));
      w.key("shortDescription")
          .begin_object()
          .key("text")
          .string(r.summary.empty() ? r.id : r.summary)
          .end_object();
      w.key("fullDescription")
          .begin_object()
          .key("text")
          .string(r.summary.empty() ? r.id : r.summary)
          .end_object();
      w.key("help")
          .begin_object()
          .key("text")
          .string(r.help.empty() ? "Review the finding and apply the suggestion if it is right."
                                 : r.help)
          .end_object();
      w.key("defaultConfiguration")
          .begin_object()
          .key("level")
          .string(sarif_level(r.default_severity))
          .end_object();
      w.end_object();
    }
    w.end_array();
    w.end_object().end_object();
    w.key("columnKind").string("unicodeCodePoints");
    w.key("results").begin_array();
    for (const auto& r : results_) w.raw(r);
    w.end_array();
    w.end_object().end_array();
    w.end_object();
    out_ << w.str() << "\n";
  }

 private:
  static std::string rule_name(const std::string& id) {
    // "flag-slips.confusable-place.v1" -> "ConfusablePlace"
    std::string part = id;
    size_t a = part.find('.');
    if (a != std::string::npos) part = part.substr(a + 1);
    size_t b = part.rfind(".v");
    if (b != std::string::npos) part = part.substr(0, b);
    std::string out;
    bool up = true;
    for (char c : part) {
      if (c == '-' || c == '.' || c == '_') {
        up = true;
        continue;
      }
      out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      up = false;
    }
    return out.empty() ? "Rule" : out;
  }
  // A relative path stays a relative reference; an absolute one becomes a file:// URI.
  static std::string uri(const Document& doc) {
    std::string p = report_path(doc);
    std::string out = !p.empty() && p[0] == '/' ? "file://" : "";
    for (unsigned char c : p) {
      if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~')
        out += static_cast<char>(c);
      else {
        static const char* hex = "0123456789ABCDEF";
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
    return out;
  }
  void location(JsonWriter& r, const Document& doc, const Where& w, const MappedFinding& f) {
    r.key("physicalLocation").begin_object();
    r.key("artifactLocation").begin_object().key("uri").string(uri(doc)).end_object();
    r.key("region").begin_object();
    r.key("startLine").integer(static_cast<int64_t>(w.line));
    if (doc.source_line == 0) {
      r.key("startColumn").integer(static_cast<int64_t>(w.column));
      r.key("endLine").integer(static_cast<int64_t>(w.end_line));
      r.key("endColumn").integer(static_cast<int64_t>(w.end_column));
      r.key("byteOffset").integer(static_cast<int64_t>(f.orig.begin));
      r.key("byteLength").integer(static_cast<int64_t>(f.orig.size()));
    }
    r.end_object();
    r.end_object();
  }
  size_t add_rule(RuleInfo r) {
    auto it = index_.find(r.id);
    if (it != index_.end()) return it->second;
    index_[r.id] = rules_.size();
    rules_.push_back(std::move(r));
    return rules_.size() - 1;
  }
  std::ostream& out_;
  std::vector<RuleInfo> rules_;
  std::map<std::string, size_t> index_;
  std::vector<std::string> results_;
};

// GitHub workflow command escaping: data escapes % CR LF; properties also : and ,.
std::string gh_escape(std::string_view s, bool property) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else if (property && c == ':')
      out += "%3A";
    else if (property && c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

class GithubReporter final : public Reporter {
 public:
  explicit GithubReporter(std::ostream& out) : out_(out) {}
  void document(const Document& doc, const std::vector<MappedFinding>& findings) override {
    for (const auto& f : findings) {
      const Where w = where(doc, f);
      const char* cmd = f.finding.severity == Severity::kError     ? "error"
                        : f.finding.severity == Severity::kWarning ? "warning"
                                                                   : "notice";
      out_ << "::" << cmd << " file=" << gh_escape(report_path(doc), true) << ",line=" << w.line
           << ",col=" << w.column << ",endLine=" << w.end_line << ",endColumn=" << w.end_column
           << ",title=" << gh_escape(f.finding.rule, true) << "::"
           << gh_escape(f.finding.message + (doc.source_line ? " [" + doc.id + "]" : ""), false)
           << "\n";
    }
    if (doc.error)
      out_ << "::error file=" << gh_escape(report_path(doc), true) << ",title=input."
           << doc.error->code << "::" << gh_escape(doc.error->message, false) << "\n";
  }

 private:
  std::ostream& out_;
};

class GitlabReporter final : public Reporter {
 public:
  explicit GitlabReporter(std::ostream& out) : out_(out) {}
  void document(const Document& doc, const std::vector<MappedFinding>& findings) override {
    for (const auto& f : findings) {
      const Where w = where(doc, f);
      const char* sev = f.finding.severity == Severity::kError     ? "critical"
                        : f.finding.severity == Severity::kWarning ? "major"
                                                                   : "info";
      JsonWriter j;
      j.begin_object();
      j.key("description").string(f.finding.message);
      j.key("check_name").string(f.finding.rule);
      j.key("fingerprint").string(finding_fingerprint(doc, f));
      j.key("severity").string(sev);
      j.key("location").begin_object().key("path").string(report_path(doc));
      j.key("lines").begin_object().key("begin").integer(static_cast<int64_t>(w.line)).end_object();
      j.end_object();
      j.end_object();
      items_.push_back(j.take());
    }
  }
  void finish() override {
    out_ << "[";
    for (size_t i = 0; i < items_.size(); ++i) out_ << (i ? ",\n" : "\n") << items_[i];
    out_ << "\n]\n";
  }

 private:
  std::ostream& out_;
  std::vector<std::string> items_;
};

// 128-bit FNV-1a, hex: stable across runs and platforms.
std::string fnv128_hex(std::string_view s) {
  uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
  for (unsigned char c : s) {
    h1 = (h1 ^ c) * 0x100000001b3ULL;
    h2 = (h2 ^ c) * 0x100000001b3ULL + 0x9e3779b97f4a7c15ULL;
  }
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h1),
                static_cast<unsigned long long>(h2));
  return buf;
}

}  // namespace

std::optional<ReportFormat> parse_report_format(std::string_view name) {
  if (name == "line") return ReportFormat::kLine;
  if (name == "pretty") return ReportFormat::kPretty;
  if (name == "json") return ReportFormat::kJson;
  if (name == "sarif") return ReportFormat::kSarif;
  if (name == "github") return ReportFormat::kGithub;
  if (name == "gitlab") return ReportFormat::kGitlab;
  return std::nullopt;
}

std::unique_ptr<Reporter> make_reporter(ReportFormat format, std::ostream& out,
                                        std::vector<RuleInfo> rules, bool colour) {
  switch (format) {
    case ReportFormat::kLine:
      return std::make_unique<LineReporter>(out, false);
    case ReportFormat::kPretty:
      return std::make_unique<LineReporter>(out, colour);
    case ReportFormat::kJson:
      return std::make_unique<JsonReporter>(out);
    case ReportFormat::kSarif:
      return std::make_unique<SarifReporter>(out, std::move(rules));
    case ReportFormat::kGithub:
      return std::make_unique<GithubReporter>(out);
    case ReportFormat::kGitlab:
      return std::make_unique<GitlabReporter>(out);
  }
  return std::make_unique<LineReporter>(out, false);
}

std::string report_path(const Document& doc) {
  if (doc.source_path.empty() || doc.source_path == "-") return doc.id;
  return doc.source_path;
}

std::string finding_fingerprint(const Document& doc, const MappedFinding& f) {
  // Context: up to 24 bytes either side of the span, on character boundaries,
  // whitespace runs folded to one space.
  std::string_view text = doc.original;
  size_t from = f.orig.begin > 24 ? f.orig.begin - 24 : 0;
  while (from > 0 && !is_char_boundary(text, from)) --from;
  size_t to = std::min(text.size(), f.orig.end + 24);
  while (to < text.size() && !is_char_boundary(text, to)) ++to;
  std::string key = f.finding.rule;
  key += '\0';
  key += doc.id;
  key += '\0';
  bool space = false;
  for (char c : text.substr(from, to - from)) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && key.back() != '\0') key += ' ';
    space = false;
    key += c;
  }
  key += '\0';
  key += f.finding.suggestion;
  return fnv128_hex(key);
}

}  // namespace copydesk
