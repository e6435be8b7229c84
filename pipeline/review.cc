#include "pipeline/review.h"

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "pipeline/exit_status.h"
#include "pipeline/json_writer.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace copydesk {
namespace review {
namespace {

// The page's CSS, JS and HTML skeleton: kReviewCss, kReviewJs, kReviewBody.
#include "pipeline/review_page.inc"

constexpr size_t kMaxMetaFields = 8;
constexpr size_t kMaxMetaBytes = 300;
constexpr size_t kTopDocuments = 15;

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string_view string_of(const element& e) {
  std::string_view sv;
  if (e.get(sv)) return {};
  return sv;
}

std::string_view string_field(const object& o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e)) return {};
  return string_of(e);
}

std::optional<int64_t> int_of(const element& e) {
  int64_t i;
  if (!e.get(i)) return i;
  uint64_t u;
  if (!e.get(u)) return static_cast<int64_t>(std::min<uint64_t>(u, INT64_MAX));
  double d;
  if (!e.get(d)) return static_cast<int64_t>(d);
  return std::nullopt;
}

std::optional<int64_t> int_field(const object& o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e)) return std::nullopt;
  return int_of(e);
}

std::optional<double> double_field(const object& o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e)) return std::nullopt;
  double d;
  if (!e.get(d)) return d;
  if (auto i = int_of(e)) return static_cast<double>(*i);
  return std::nullopt;
}

struct ByteSpan {
  size_t begin = 0;
  size_t end = 0;
};

// A [b, e] pair of non-negative integers; nullopt when absent or malformed.
std::optional<ByteSpan> span_field(const object& o, std::string_view key) {
  array a;
  if (o.at_key(key).get(a) || a.size() != 2) return std::nullopt;
  element eb, ee;
  if (a.at(0).get(eb) || a.at(1).get(ee)) return std::nullopt;
  auto b = int_of(eb);
  auto e = int_of(ee);
  if (!b || !e || *b < 0 || *e < *b) return std::nullopt;
  return ByteSpan{static_cast<size_t>(*b), static_cast<size_t>(*e)};
}

int severity_rank(std::string_view s) {
  if (s == "error") return 2;
  if (s == "warning") return 1;
  if (s == "suggestion") return 0;
  return -1;
}

bool reserved_key(std::string_view k) {
  return k == "id" || k == "text" || k == "footer" || k == "edits" || k == "findings" ||
         k == "error";
}

// Cuts s to at most n bytes at a character boundary.
std::string_view cut_utf8(std::string_view s, size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

struct EditOffsets {
  ByteSpan orig;
  ByteSpan out;
};

// Maps an offset in the original input into the cleaned document through the
// edit log: the shift of the edit that ends last at or before it (out spans
// are final coordinates, so chained edits of later stages are covered too).
size_t orig_to_out(size_t p, const std::vector<EditOffsets>& edits) {
  const EditOffsets* last = nullptr;
  for (const auto& e : edits) {
    if (e.orig.begin < p && p < e.orig.end) return e.out.begin;  // inside a replaced span
    if (e.orig.end > p) continue;
    if (!last || e.orig.end > last->orig.end ||
        (e.orig.end == last->orig.end && e.out.end > last->out.end))
      last = &e;
  }
  if (!last) return p;
  return p - last->orig.end + last->out.end;
}

void write_pairs(JsonWriter& w, const std::map<std::string, size_t>& counts) {
  std::vector<std::pair<std::string, size_t>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  w.begin_array();
  for (const auto& [k, n] : v) {
    w.begin_array().string(k).integer(static_cast<int64_t>(n)).end_array();
  }
  w.end_array();
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string json_for_script(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 64);
  for (char c : json) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Utf16Index::Utf16Index(std::string_view s) : table_(s.size() + 1) {
  uint32_t units = 0;
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c >= 0x80 && c < 0xC0) len = 1;  // stray continuation byte: one unit
    len = std::min(len, s.size() - i);
    for (size_t k = 0; k < len; ++k) table_[i + k] = units;
    units += len == 4 ? 2 : 1;  // a 4-byte character is a surrogate pair
    i += len;
  }
  table_[s.size()] = units;
}

size_t Utf16Index::operator()(size_t byte_offset) const {
  return table_[std::min(byte_offset, table_.size() - 1)];
}

bool ReviewBuilder::add_record(std::string_view line, std::string_view where) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return true;
  thread_local simdjson::dom::parser parser;
  Doc doc;
  JsonWriter w;
  element root;
  object rec;
  simdjson::error_code err = parser.parse(line.data(), line.size(), true).get(root);
  if (!err && root.get(rec)) err = simdjson::INCORRECT_TYPE;
  if (err) {
    doc.id = std::string(where);
    doc.failed = true;
    ++bad_records_;
    ++summary_.documents;
    ++summary_.failed;
    w.begin_object().key("id").string(doc.id).key("error").begin_object();
    w.key("code").string("invalid-record").key("message");
    w.string(std::string(where) + ": not a copydesk JSON record: " + simdjson::error_message(err));
    w.end_object().key("text").string("").key("footer").null();
    w.key("edits").begin_array().end_array().key("findings").begin_array().end_array().end_object();
    doc.json = w.take();
    docs_.push_back(std::move(doc));
    return false;
  }

  // Id: a string or a number; else where the record came from.
  element id_el;
  if (!rec.at_key("id").get(id_el)) {
    std::string_view sv;
    if (!id_el.get(sv))
      doc.id = std::string(sv);
    else if (id_el.is_int64() || id_el.is_uint64())
      doc.id = simdjson::minify(id_el);
  }
  if (doc.id.empty()) doc.id = std::string(where);

  // The cleaned document is body + footer raw. With --keep-footer the text
  // holds both: split it at out_start.
  std::string_view text = string_field(rec, "text");
  std::string_view body = text;
  std::string_view raw;
  object footer;
  const bool has_footer = !rec.at_key("footer").get(footer);
  if (has_footer) {
    raw = string_field(footer, "raw");
    auto out_start = int_field(footer, "out_start");
    if (out_start && *out_start >= 0 && static_cast<size_t>(*out_start) < text.size()) {
      body = text.substr(0, static_cast<size_t>(*out_start));
      raw = text.substr(static_cast<size_t>(*out_start));
    }
  }
  std::string full;
  full.reserve(body.size() + raw.size());
  full.append(body).append(raw);
  const Utf16Index u16(full);
  auto write_span = [&](std::optional<ByteSpan> s) {
    if (!s) {
      w.null();
      return;
    }
    size_t b = std::min(s->begin, full.size()), e = std::min(s->end, full.size());
    w.begin_array().integer(static_cast<int64_t>(u16(b))).integer(static_cast<int64_t>(u16(e)));
    w.end_array();
  };

  w.begin_object().key("id").string(doc.id);
  // Other string fields of the input record (title, url, ...), shown as metadata.
  size_t meta = 0;
  for (auto field : rec) {
    if (reserved_key(field.key) || meta >= kMaxMetaFields) continue;
    std::string_view sv;
    if (field.value.get(sv)) continue;
    if (meta++ == 0) w.key("meta").begin_object();
    w.key(field.key).string(cut_utf8(sv, kMaxMetaBytes));
  }
  if (meta > 0) w.end_object();

  object error;
  w.key("error");
  if (!rec.at_key("error").get(error)) {
    doc.failed = true;
    ++summary_.failed;
    w.begin_object().key("code").string(string_field(error, "code"));
    w.key("message").string(string_field(error, "message")).end_object();
  } else {
    w.null();
  }
  w.key("text").string(body);

  // Edits, keeping their original offsets for the footer items.
  std::vector<EditOffsets> edit_offsets;
  w.key("edits").begin_array();
  array edits;
  if (!rec.at_key("edits").get(edits)) {
    for (element e : edits) {
      object o;
      if (e.get(o)) continue;
      auto out = span_field(o, "out");
      auto orig = span_field(o, "orig");
      if (out && orig) edit_offsets.push_back({*orig, *out});
      std::string_view stage = string_field(o, "stage"), rule = string_field(o, "rule");
      w.begin_object().key("s");
      write_span(out);
      w.key("st").string(stage).key("r").string(rule);
      w.key("b").string(string_field(o, "before")).key("a").string(string_field(o, "after"));
      if (auto bh = string_field(o, "before_hex"); !bh.empty()) w.key("bh").string(bh);
      if (auto c = double_field(o, "confidence")) w.key("c").number(*c);
      w.key("ev").string(string_field(o, "evidence")).end_object();
      ++doc.edits;
      ++summary_.edits;
      ++summary_.edits_by_stage[std::string(stage)];
      ++summary_.edits_by_rule[std::string(rule)];
      doc.rules.insert(std::string(rule));
    }
  }
  w.end_array();

  w.key("findings").begin_array();
  array findings;
  if (!rec.at_key("findings").get(findings)) {
    for (element e : findings) {
      object o;
      if (e.get(o)) continue;
      std::string_view rule = string_field(o, "rule"), severity = string_field(o, "severity");
      w.begin_object().key("s");
      write_span(span_field(o, "out"));
      w.key("st")
          .string(string_field(o, "stage"))
          .key("r")
          .string(rule)
          .key("sev")
          .string(severity);
      w.key("m").string(string_field(o, "message")).key("sug");
      element sug;
      std::string_view sug_text;
      if (!o.at_key("suggestion").get(sug) && !sug.get(sug_text))
        w.string(sug_text);
      else
        w.null();
      if (auto c = double_field(o, "confidence")) w.key("c").number(*c);
      if (auto l = int_field(o, "line")) w.key("ln").integer(*l);
      if (auto c = int_field(o, "column")) w.key("col").integer(*c);
      w.end_object();
      ++doc.findings;
      ++summary_.findings;
      ++summary_.findings_by_rule[std::string(rule)];
      ++summary_.findings_by_severity[severity.empty() ? "unknown" : std::string(severity)];
      doc.max_severity = std::max(doc.max_severity, severity_rank(severity));
      doc.rules.insert(std::string(rule));
    }
  }
  w.end_array();

  w.key("footer");
  if (has_footer) {
    w.begin_object().key("raw").string(raw).key("family").string(string_field(footer, "family"));
    w.key("rules").begin_array();
    array rules;
    if (!footer.at_key("rules").get(rules))
      for (element r : rules) w.string(string_of(r));
    w.end_array();
    // Items: their string fields in order, and where they are in the raw text
    // (UTF-16 units from the start of the footer).
    const auto start = int_field(footer, "start");
    w.key("items").begin_array();
    array items;
    if (!footer.at_key("items").get(items)) {
      for (element it : items) {
        object o;
        if (it.get(o)) continue;
        w.begin_object().key("fields").begin_array();
        for (auto field : o) {
          std::string_view sv;
          if (field.value.get(sv)) continue;
          w.begin_array().string(field.key).string(sv).end_array();
        }
        w.end_array().key("at");
        auto orig = span_field(o, "orig");
        if (orig && start) {
          const size_t base = body.size(), limit = full.size();
          size_t b = std::clamp(orig_to_out(orig->begin, edit_offsets), base, limit);
          size_t e = std::clamp(orig_to_out(orig->end, edit_offsets), b, limit);
          w.begin_array().integer(static_cast<int64_t>(u16(b) - u16(base)));
          w.integer(static_cast<int64_t>(u16(e) - u16(base))).end_array();
        } else {
          w.null();
        }
        w.end_object();
      }
    }
    w.end_array().end_object();
  } else {
    w.null();
  }
  w.end_object();
  doc.json = w.take();
  ++summary_.documents;
  docs_.push_back(std::move(doc));
  return true;
}

std::string ReviewBuilder::index_json(const PageOptions& options) const {
  // Every rule that occurs, sorted; documents name theirs by index.
  std::map<std::string, size_t> rule_index;
  for (const auto& d : docs_)
    for (const auto& r : d.rules) rule_index.emplace(r, 0);
  size_t n = 0;
  for (auto& [r, i] : rule_index) i = n++;

  JsonWriter w;
  w.begin_object().key("title").string(options.title);
  w.key("generator").string("copydesk " COPYDESK_VERSION);
  w.key("inputs").begin_array();
  for (const auto& in : options.inputs) w.string(in);
  w.end_array();

  w.key("summary").begin_object();
  w.key("documents").integer(static_cast<int64_t>(summary_.documents));
  w.key("failed").integer(static_cast<int64_t>(summary_.failed));
  w.key("edits").integer(static_cast<int64_t>(summary_.edits));
  w.key("findings").integer(static_cast<int64_t>(summary_.findings));
  w.key("findings_by_rule");
  write_pairs(w, summary_.findings_by_rule);
  w.key("findings_by_severity");
  write_pairs(w, summary_.findings_by_severity);
  w.key("edits_by_stage");
  write_pairs(w, summary_.edits_by_stage);
  w.key("edits_by_rule");
  write_pairs(w, summary_.edits_by_rule);
  // Documents with the most findings: [document index, findings].
  std::vector<size_t> order(docs_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return docs_[a].findings > docs_[b].findings; });
  w.key("top").begin_array();
  for (size_t k = 0; k < order.size() && k < kTopDocuments && docs_[order[k]].findings > 0; ++k)
    w.begin_array()
        .integer(static_cast<int64_t>(order[k]))
        .integer(static_cast<int64_t>(docs_[order[k]].findings))
        .end_array();
  w.end_array().end_object();

  w.key("rules").begin_array();
  for (const auto& [r, i] : rule_index) w.string(r);
  w.end_array();
  // One entry per document: [id, findings, edits, max severity, failed, [rule indices]].
  w.key("docs").begin_array();
  for (const auto& d : docs_) {
    w.begin_array().string(d.id).integer(static_cast<int64_t>(d.findings));
    w.integer(static_cast<int64_t>(d.edits)).integer(d.max_severity).integer(d.failed ? 1 : 0);
    w.begin_array();
    for (const auto& r : d.rules) w.integer(static_cast<int64_t>(rule_index[r]));
    w.end_array().end_array();
  }
  w.end_array().end_object();
  return w.take();
}

std::string ReviewBuilder::html(const PageOptions& options) const {
  std::string out;
  size_t total = 0;
  for (const auto& d : docs_) total += d.json.size() + 64;
  out.reserve(total + 64 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"copydesk " COPYDESK_VERSION "\">\n";
  out += "<title>" + html_escape(options.title) + "</title>\n<style>\n";
  out += kReviewCss;
  out += "</style>\n</head>\n<body>\n";
  out += kReviewBody;
  out += "<script type=\"application/json\" id=\"review-index\">";
  out += json_for_script(index_json(options));
  out += "</script>\n";
  for (size_t i = 0; i < docs_.size(); ++i) {
    out += "<script type=\"application/json\" id=\"doc-" + std::to_string(i) + "\">";
    out += json_for_script(docs_[i].json);
    out += "</script>\n";
  }
  out += "<script>\n";
  out += kReviewJs;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace review

namespace {

// Reads a whole file (gzip-aware; "-" is stdin) into out; false with a reason.
bool read_input(const std::string& path, std::string& out, std::string& error) {
  int fd = path == "-" ? dup(0) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  gzFile gz = gzdopen(fd, "rb");
  if (!gz) {
    close(fd);
    error = "cannot open stream";
    return false;
  }
  gzbuffer(gz, 1 << 17);
  char buf[1 << 16];
  int got;
  while ((got = gzread(gz, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(got));
  int err = Z_OK;
  const char* msg = gzerror(gz, &err);
  const bool ok = got == 0 && (err == Z_OK || err == Z_STREAM_END);
  if (!ok) error = err == Z_ERRNO ? std::strerror(errno) : (msg && *msg ? msg : "read error");
  gzclose(gz);
  return ok;
}

}  // namespace

int run_review_command(const std::vector<std::string>& args) {
  std::vector<std::string> inputs;
  std::string output, title;
  po::options_description visible("Options");
  visible.add_options()("help,h", "show this help and exit")(
      "output,o", po::value(&output)->value_name("FILE"),
      "write the page here (one self-contained HTML file; no network needed to view it)")(
      "title", po::value(&title)->value_name("T"),
      "the page title (default: 'copydesk review: ' and the first input's name)");
  po::options_description all;
  all.add(visible).add_options()("input", po::value(&inputs)->composing());
  po::positional_options_description pos;
  pos.add("input", -1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << "Usage: copydesk review RUN.jsonl... -o review.html [--title T]\n\n"
                   "Builds an HTML page for reviewing a run of `copydesk clean --format jsonl`:\n"
                   "a summary with charts, then each document's cleaned text with every\n"
                   "restoration highlighted (the original on hover), the findings inline\n"
                   "and the footer apart with its parsed items. Keys: j/k or arrows move\n"
                   "between documents, n/p between findings. Inputs may be .gz, or - for stdin.\n\n"
                << visible;
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "copydesk: error: " << e.what() << "\n";
    return kExitError;
  }
  if (inputs.empty()) {
    std::cerr << "copydesk: error: review needs at least one JSON Lines run (try copydesk review "
                 "--help)\n";
    return kExitError;
  }
  if (output.empty()) {
    std::cerr << "copydesk: error: review needs -o FILE for the page\n";
    return kExitError;
  }
  int status = kExitOk;
  review::ReviewBuilder builder;
  for (const auto& path : inputs) {
    std::string content, error;
    if (!read_input(path, content, error)) {
      std::cerr << "copydesk: error: cannot read '" << path << "': " << error << "\n";
      status = kExitError;
      if (content.empty()) continue;
    }
    size_t line_no = 0, pos = 0;
    while (pos < content.size()) {
      size_t nl = content.find('\n', pos);
      if (nl == std::string::npos) nl = content.size();
      ++line_no;
      const std::string where = path + ":" + std::to_string(line_no);
      if (!builder.add_record(std::string_view(content).substr(pos, nl - pos), where)) {
        std::cerr << "copydesk: error: " << where << ": not a copydesk JSON record\n";
        status = kExitError;
      }
      pos = nl + 1;
    }
  }
  review::PageOptions options;
  options.inputs = inputs;
  options.title =
      title.empty() ? "copydesk review: " + fs::path(inputs.front()).filename().string() : title;
  const std::string page = builder.html(options);
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out << page;
  out.flush();
  if (!out) {
    std::cerr << "copydesk: error: cannot write '" << output << "'\n";
    return kExitError;
  }
  const auto& s = builder.summary();
  std::cerr << "copydesk: review: " << s.documents << " document(s), " << s.findings
            << " finding(s), " << s.edits << " edit(s) -> " << output << "\n";
  return status;
}

}  // namespace copydesk
