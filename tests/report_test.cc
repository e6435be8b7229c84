#include "pipeline/report.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace copydesk;

namespace {

Document sample_doc() {
  Document d;
  d.id = "news/a.txt";
  d.source_path = "news/a.txt";
  d.original = "Line one.\nRelations between Kabul and Istanbul, 50% off.\n";
  d.text = d.original;
  MappedFinding f;
  f.stage = "flag-slips";
  f.finding.rule = "flag-slips.confusable-place.v1";
  f.finding.severity = Severity::kWarning;
  f.finding.message = "'Istanbul' (Turkey): did you mean 'Islamabad'?";
  f.finding.suggestion = "Islamabad";
  f.orig = f.out = Span{37, 45};
  d.findings.push_back(f);
  return d;
}

std::string render(ReportFormat fmt) {
  std::ostringstream out;
  auto r = make_reporter(
      fmt, out,
      {{"flag-slips.confusable-place.v1", "A confusable place", "Check it", Severity::kWarning}});
  Document d = sample_doc();
  r->document(d, d.findings);
  r->finish();
  return out.str();
}

}  // namespace

TEST_CASE("report formats") {
  struct Row {
    const char* label;
    ReportFormat format;
    std::vector<std::string> must_contain;
  } rows[] = {
      {"line",
       ReportFormat::kLine,
       {"news/a.txt:2:28: warning flag-slips.confusable-place.v1: 'Istanbul' (Turkey)"}},
      {"json", ReportFormat::kJson, {R"("id":"news/a.txt")", R"("line":2,"column":28)"}},
      {"sarif",
       ReportFormat::kSarif,
       {R"("version":"2.1.0")", R"("ruleId":"flag-slips.confusable-place.v1")",
        R"("startLine":2,"startColumn":28,"endLine":2,"endColumn":36)",
        R"("insertedContent":{"text":"Islamabad"})",
        R"("shortDescription":{"text":"A confusable place"})", R"("name":"ConfusablePlace")"}},
      {"github",
       ReportFormat::kGithub,
       {"::warning "
        "file=news/"
        "a.txt,line=2,col=28,endLine=2,endColumn=36,title=flag-slips.confusable-place.v1::"}},
      {"gitlab",
       ReportFormat::kGitlab,
       {R"("check_name":"flag-slips.confusable-place.v1")", R"("severity":"major")"}},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    const std::string out = render(r.format);
    for (const auto& want : r.must_contain) {
      CAPTURE(want);
      CHECK(out.find(want) != std::string::npos);
    }
  }
}

TEST_CASE("fingerprints ignore position but not content") {
  Document a = sample_doc();
  Document b = sample_doc();
  b.original = "An added first line.\n" + b.original;
  b.findings[0].orig = Span{a.findings[0].orig.begin + 21, a.findings[0].orig.end + 21};
  CHECK(finding_fingerprint(a, a.findings[0]) == finding_fingerprint(b, b.findings[0]));
  Document c = sample_doc();
  c.original.replace(37, 8, "Istanbol");
  CHECK(finding_fingerprint(a, a.findings[0]) != finding_fingerprint(c, c.findings[0]));
}
