#include "pipeline/review.h"

#include <doctest/doctest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace fs = std::filesystem;
using namespace copydesk;
using namespace copydesk::review;

namespace {

size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The JSON inside <script type="application/json" id="ID">...</script>.
std::string script_json(const std::string& html, const std::string& id) {
  const std::string open = "<script type=\"application/json\" id=\"" + id + "\">";
  size_t b = html.find(open);
  REQUIRE(b != std::string::npos);
  b += open.size();
  size_t e = html.find("</script>", b);
  REQUIRE(e != std::string::npos);
  return html.substr(b, e - b);
}

// A record as `copydesk clean --format jsonl` writes it: "the countrys day"
// restored to "the country\u2019s day" (3 bytes inserted at byte 11), a
// warning on "day", and a two-line footer with one item.
const char* kRecordWithFooter =
    R"({"id":"a","url":"https://example.org/a","text":"the country\u2019s day\n",)"
    R"("footer":{"start":17,"out_start":20,"raw":"Source: Wire\n","family":"source-credit",)"
    R"("items":[{"type":"source","source":"Wire","orig":[17,29]}],"rules":["footer.source.v1"]},)"
    R"("edits":[{"stage":"restore","rule":"restore.apostrophe.v1","orig":[11,11],"out":[11,14],)"
    R"("before":"","after":"\u2019","confidence":0.99,"evidence":"lexicon"}],)"
    R"("findings":[{"stage":"flag-slips","rule":"flag-slips.test.v1","severity":"warning",)"
    R"("orig":[13,16],"out":[16,19],"line":1,"column":14,"message":"odd day","suggestion":"night",)"
    R"("confidence":0.8}],"error":null})";

// A record whose text tries to break out of the data element.
const char* kHostileRecord =
    R"({"id":"b</script><script>alert(1)</script>","text":"x </script><!-- <script> & y",)"
    R"("footer":null,"edits":[],"findings":[],"error":null})";

}  // namespace

TEST_CASE("review: html_escape escapes the five special characters") {
  struct Row {
    const char* label;
    const char* in;
    const char* out;
  } rows[] = {
      {"plain", "copydesk review", "copydesk review"},
      {"all five", "<a href=\"x\">'&'</a>",
       "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"},
      {"already escaped stays literal", "&amp;", "&amp;amp;"},
      {"UTF-8 untouched", "caf\u00e9 \u2019", "caf\u00e9 \u2019"},
      {"empty", "", ""},
  };
  for (const auto& r : rows) {
    CAPTURE(r.label);
    CHECK(html_escape(r.in) == r.out);
  }
}

TEST_CASE("review: json_for_script keeps </script> and <!-- from ending the element") {
  struct Row {
    const char* label;
    const char* text;
  } rows[] = {
      {"closing tag", "a </script> b"},
      {"upper case closing tag", "a </SCRIPT > b"},
      {"comment opener then script", "<!-- <script> x"},
      {"ampersand entity", "&lt;/script&gt;"},
      {"plain", "no markup"},
  };
  simdjson::dom::parser parser;
  for (const auto& r : rows) {
    CAPTURE(r.label);
    std::string json = std::string("{\"t\":\"") + r.text + "\"}";
    std::string safe = json_for_script(json);
    CHECK(safe.find('<') == std::string::npos);
    CHECK(safe.find('>') == std::string::npos);
    CHECK(safe.find('&') == std::string::npos);
    // JSON.parse (here simdjson) gives the same value back.
    std::string_view t;
    REQUIRE_FALSE(parser.parse(safe)["t"].get(t));
    CHECK(t == r.text);
  }
}

TEST_CASE("review: Utf16Index maps UTF-8 byte offsets to UTF-16 units") {
  // "a" (1 byte), U+2019 (3 bytes, 1 unit), U+1F600 (4 bytes, 2 units), "b".
  const std::string s = "a\u2019\U0001F600b";
  Utf16Index u(s);
  struct Row {
    const char* label;
    size_t byte;
    size_t unit;
  } rows[] = {
      {"start", 0, 0},
      {"after ascii", 1, 1},
      {"inside 3-byte char", 2, 1},
      {"after 3-byte char", 4, 2},
      {"inside 4-byte char", 6, 2},
      {"after 4-byte char", 8, 4},
      {"end", 9, 5},
      {"past the end", 99, 5},
  };
  for (const auto& r : rows) {
    CAPTURE(r.label);
    CHECK(u(r.byte) == r.unit);
  }
  CHECK(u.size() == 5);
}

TEST_CASE("review: one page from a two-record input") {
  ReviewBuilder b;
  CHECK(b.add_record(kRecordWithFooter, "run.jsonl:1"));
  CHECK(b.add_record("", "run.jsonl:2"));  // blank lines are not records
  CHECK(b.add_record(kHostileRecord, "run.jsonl:3"));
  REQUIRE(b.documents() == 2);
  CHECK(b.bad_records() == 0);
  CHECK(b.summary().edits == 1);
  CHECK(b.summary().findings == 1);
  CHECK(b.summary().findings_by_rule.at("flag-slips.test.v1") == 1);
  CHECK(b.summary().edits_by_stage.at("restore") == 1);

  const std::string html = b.html({.title = "Run <1> & \"2\"", .inputs = {"run.jsonl"}});
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<title>Run &lt;1&gt; &amp; &quot;2&quot;</title>") != std::string::npos);
  // Self-contained: no external resource.
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("http://") == std::string::npos);
  // Exactly the index, two documents and the page's script: the hostile text
  // and id did not open or close any element.
  CHECK(count_of(lower(html), "<script") == 4);
  CHECK(count_of(lower(html), "</script") == 4);
  CHECK(count_of(html, "<!--") == 0);

  simdjson::dom::parser parser;
  // Document 0: spans in UTF-16 units of text + footer raw.
  const std::string d0 = script_json(html, "doc-0");
  simdjson::dom::element doc;
  REQUIRE_FALSE(parser.parse(d0).get(doc));
  CHECK(std::string_view(doc["text"]) == "the country\u2019s day\n");
  CHECK(std::string_view(doc["meta"]["url"]) == "https://example.org/a");
  CHECK(int64_t(doc["edits"].at(0)["s"].at(0)) == 11);
  CHECK(int64_t(doc["edits"].at(0)["s"].at(1)) == 12);  // 3 bytes, one UTF-16 unit
  CHECK(std::string_view(doc["edits"].at(0)["a"]) == "\u2019");
  CHECK(int64_t(doc["findings"].at(0)["s"].at(0)) == 14);
  CHECK(int64_t(doc["findings"].at(0)["s"].at(1)) == 17);
  CHECK(std::string_view(doc["findings"].at(0)["sug"]) == "night");
  CHECK(std::string_view(doc["footer"]["raw"]) == "Source: Wire\n");
  // The item at original [17, 29] is at [0, 12] of the footer text (orig 17 maps to out 20).
  CHECK(int64_t(doc["footer"]["items"].at(0)["at"].at(0)) == 0);
  CHECK(int64_t(doc["footer"]["items"].at(0)["at"].at(1)) == 12);

  // Document 1: the hostile text comes back intact.
  const std::string d1 = script_json(html, "doc-1");
  REQUIRE_FALSE(parser.parse(d1).get(doc));
  CHECK(std::string_view(doc["text"]) == "x </script><!-- <script> & y");
  CHECK(std::string_view(doc["id"]) == "b</script><script>alert(1)</script>");

  // The index: counts per document and the rules they contain.
  const std::string idx = script_json(html, "review-index");
  simdjson::dom::element index;
  REQUIRE_FALSE(parser.parse(idx).get(index));
  CHECK(int64_t(index["summary"]["documents"]) == 2);
  CHECK(simdjson::dom::array(index["rules"]).size() == 2);
  CHECK(int64_t(index["docs"].at(0).at(1)) == 1);   // findings
  CHECK(int64_t(index["docs"].at(0).at(3)) == 1);   // max severity: warning
  CHECK(int64_t(index["docs"].at(1).at(3)) == -1);  // none
}

TEST_CASE("review: keep-footer records are split at out_start") {
  ReviewBuilder b;
  REQUIRE(b.add_record(
      R"({"id":"k","text":"body\nFoot","footer":{"start":5,"out_start":5,"raw":"Foot","items":[]},)"
      R"("edits":[],"findings":[]})",
      "k:1"));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE_FALSE(parser.parse(b.document_json(0)).get(doc));
  CHECK(std::string_view(doc["text"]) == "body\n");
  CHECK(std::string_view(doc["footer"]["raw"]) == "Foot");
}

TEST_CASE("review: a malformed line becomes an error document") {
  ReviewBuilder b;
  struct Row {
    const char* label;
    const char* line;
  } rows[] = {{"not JSON", "not json"}, {"not an object", "[1,2]"}, {"truncated", "{\"id\":\"x\""}};
  for (const auto& r : rows) {
    CAPTURE(r.label);
    CHECK_FALSE(b.add_record(r.line, "bad.jsonl:1"));
  }
  CHECK(b.documents() == 3);
  CHECK(b.bad_records() == 3);
  CHECK(b.summary().failed == 3);
  CHECK(b.document_json(0).find("\"invalid-record\"") != std::string::npos);
}

TEST_CASE("review: the command writes the page and returns 0 or 2") {
  const fs::path dir =
      fs::temp_directory_path() / ("copydesk-review-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string run = (dir / "run.jsonl").string(), bad = (dir / "bad.jsonl").string();
  const std::string page = (dir / "review.html").string();
  std::ofstream(run) << kRecordWithFooter << "\n" << kHostileRecord << "\n";
  std::ofstream(bad) << kRecordWithFooter << "\nnot json\n";
  struct Row {
    const char* label;
    std::vector<std::string> args;
    int status;
    bool writes;
  } rows[] = {
      {"help", {"--help"}, 0, false},
      {"no input", {"-o", page}, 2, false},
      {"no output", {run}, 2, false},
      {"unknown option", {run, "-o", page, "--colour"}, 2, false},
      {"good run", {run, "-o", page, "--title", "T"}, 0, true},
      {"missing input file", {(dir / "missing.jsonl").string(), "-o", page}, 2, true},
      {"malformed record: page written, status 2", {bad, "-o", page}, 2, true},
  };
  for (const auto& r : rows) {
    CAPTURE(r.label);
    fs::remove(page);
    std::streambuf* old_out = std::cout.rdbuf();
    std::streambuf* old_err = std::cerr.rdbuf();
    std::ostringstream sink;
    std::cout.rdbuf(sink.rdbuf());
    std::cerr.rdbuf(sink.rdbuf());
    const int status = run_review_command(r.args);
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    CHECK(status == r.status);
    CHECK(fs::exists(page) == r.writes);
  }
  fs::remove_all(dir);
}
