// split-footer: where the trailing boilerplate starts, and what its items say.
//
// Tables: a label, the document, the line its footer starts on (0-based,
// counting '\n'-separated lines; -1 = no footer), and the expected "family".
// A glued marker ("... nations. Enditem") names the text the footer starts
// with instead. Must-not-split cases carry markers inside the body.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace {

using copydesk::Document;
using copydesk::MappedRegion;
using copydesk::testing::run_stages;

const MappedRegion* region_of(const Document& d, const std::string& kind) {
  for (const auto& r : d.regions)
    if (r.stage == "split-footer" && r.region.kind == kind) return &r;
  return nullptr;
}

std::vector<const MappedRegion*> items_of(const Document& d) {
  std::vector<const MappedRegion*> out;
  for (const auto& r : d.regions)
    if (r.stage == "split-footer" && r.region.kind == "footer-item") out.push_back(&r);
  return out;
}

std::string attr(const copydesk::Region& r, const std::string& key) {
  for (const auto& [k, v] : r.attributes)
    if (k == key) return v;
  return "";
}

// Byte offset where 0-based line `line` starts.
size_t line_start(const std::string& text, int line) {
  size_t pos = 0;
  for (int i = 0; i < line; ++i) pos = text.find('\n', pos) + 1;
  return pos;
}

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(COPYDESK_TEST_DIR) + "/fixtures/footers/" + name, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* kBody =
    "The council met on Tuesday to discuss the new budget, which raises spending on schools by "
    "four percent.\n"
    "Officials said the plan would be put to a vote next month, after a period of public comment.\n"
    "Critics argued that the increase was too small to make up for years of cuts, and said they "
    "would keep pressing.\n";

struct Case {
  const char* label;
  std::string text;
  int start_line;           // -1: no footer
  const char* family;       // expected "family" attribute ("" when no footer)
  const char* starts_with;  // for glued markers: the footer's first bytes (else nullptr)
};

}  // namespace

TEST_CASE("split-footer finds where trailing boilerplate starts") {
  const std::string body = kBody;  // 3 lines
  const Case cases[] = {
      {"appeared-first then source link",
       body + "\nThe post Budget vote set appeared first on City Times.\n\nSource: "
              "https://citytimes.example.com/budget\n",
       4, "post-appeared-first+source-link", nullptr},
      {"originally posted + dated headline list",
       body + "Originally posted here:\nBudget vote set - City Times\n"
              "- Schools win more money - The Ledger - May 10th, 2025 [May 10th, 2025]\n"
              "- Council delays vote - Metro News - May 9th, 2025 [May 9th, 2025]\n",
       3, "originally-posted-list", nullptr},
      {"wire end marker glued to the last sentence", body.substr(0, body.size() - 1) + " Enditem\n",
       -2, "wire-end-marker", "Enditem"},
      {"reuters credit line, comments widget and menu",
       body + "(Reporting by Jane Roe; Editing by John Doe)\nComments\nLeave a "
              "Reply\nHome\nContact Us\nPrivacy Policy\n",
       3, "credit-line+comments-widget+site-chrome", nullptr},
      {"contributed-by notice",
       body +
           "\nThis article has been contributed by Example Wire. Visit www.example.org for more.\n",
       4, "republication-notice", nullptr},
      {"image credit alone", body + "\nFeatured Image via Getty Images/Jane Roe", 4, "image-credit",
       nullptr},
      {"read-more heading with teaser headlines, then a source",
       body + "\nRead more:\n\nCouncil Approves New Park Plan\n\nWhy School Budgets Keep Rising\n\n"
              "Source: http://news.example.com/x\n",
       4, "related-list+source-link", nullptr},
      {"link lines only",
       body + "\nhttp://example.com/articles/2017/10/budget.html\n\nRead more great articles here: "
              "http://example.com\n",
       4, "url-line+read-more-link", nullptr},
      {"tag list and copyright found by structure",
       body + "(\nA.B.\nBudget\nSchools\nCity council\nNews \u00A9 2026\n", 3, "site-chrome",
       nullptr},
      {"author bio after an about-the-author heading",
       body + "About the author\nJane Roe is a reporter and columnist who writes about city hall "
              "for the Ledger.\n"
              "Follow her on Twitter.\n",
       3, "author-bio+subscribe", nullptr},
      {"contributor credit and copyright notice",
       body + "\nAssociated Press writer Jane Roe in Chicago contributed to this report.\n\n"
              "Copyright 2024 Example Wire. All rights reserved. This material may not be "
              "published, broadcast, "
              "rewritten or redistributed without permission.\n",
       4, "credit-line+site-chrome", nullptr},
      {"share buttons only (two chrome markers side by side anchor)",
       body + "\nPrint\nEmail\nFacebook\nTwitter\n", 4, "share-widget", nullptr},
      {"press-release boilerplate and media contact",
       body + "\nAbout Example Corp\nExample Corp is a leading provider of software for hospitals. "
              "For more "
              "information, visit www.example.com.\n\nMedia Contact:\nJane Roe\njane@example.com\n",
       4, "about-section+contact-line", nullptr},
      {"related teasers in a repeated headline/date template",
       body + "You might also like\nCouncil approves park plan after a long debate over costs and "
              "trees\nMay 2, 2024\n"
              "Schools brace for cuts as the state budget stalls in committee once again\nMay 1, "
              "2024\n"
              "Mayor announces re-election bid at a rally in the old town square\nApril 29, 2024\n",
       3, "related-list", nullptr},
      {"bare source-link line (aggregator sites)", body + "\nSource link\n", 4, "source-link",
       nullptr},
      {"via a site name, no colon", body + "\nvia Example Wire\n", 4, "source-link", nullptr},
      {"source with a dash", body + "Source - Example Wire\n", 3, "source-link", nullptr},
      {"end marker in dashes", body + "- END -\n", 3, "wire-end-marker", nullptr},
      {"follow us, with a lead-in", body + "\nDon't forget to follow us on Twitter and Facebook!\n",
       4, "subscribe", nullptr},
      {"posted with permission", body + "\nArticle posted with permission from Example Wire.\n", 4,
       "republication-notice", nullptr},
      {"contributors' opinions disclaimer",
       body + "\nThe opinions expressed by contributors are their own and do not necessarily "
              "reflect the views of this site.\n",
       4, "fair-use-disclaimer", nullptr},
      {"print and e-mail links, comments closed",
       body + "\nPrint this article\nEmail this article to a friend\nComments are closed.\n", 4,
       "share-widget+comments-widget", nullptr},
      {"previous and next post links with their headlines",
       body + "Previous Post\nParks budget approved\nNext Post\nSchools brace for cuts\n", 3,
       "site-chrome", nullptr},
      {"click here to subscribe", body + "\nClick here to subscribe\n", 4, "subscribe", nullptr},
      {"join the conversation on a network", body + "\nJoin the conversation on Telegram\n", 4,
       "subscribe", nullptr},
      {"one related headline", body + "\nRelated: Parks budget approved after a long debate\n", 4,
       "related-list", nullptr},
      {"publication and update stamps", body + "Published: March 3, 2024\nUpdated: March 4, 2024\n",
       3, "posted-stamp", nullptr},
      {"a line of hashtags", body + "\n#budget #schools #CityCouncil\n", 4, "tags", nullptr},
      // Must not split.
      {"no footer: last line is a real paragraph", body, -1, "", nullptr},
      {"no footer: a sentence that starts with a publication date",
       body + "Published on March 3, 2024, the report found that costs had doubled.\n", -1, "",
       nullptr},
      {"no footer: a sentence with a hashtag",
       body + "#MeToo changed how the council handles complaints, she said.\n", -1, "", nullptr},
      {"no footer: 'next story' in a sentence",
       body + "The next story the paper ran was about the mayor and the park.\n", -1, "", nullptr},
      {"no footer: a sentence that starts with Via",
       body + "Via Rail said the line would reopen on Monday.\n", -1, "", nullptr},
      {"no footer: opinions expressed at a hearing",
       body + "The opinions expressed at the hearing were mixed, and the council will vote in "
              "May.\n",
       -1, "", nullptr},
      {"no footer: a last line that talks about a source",
       body + "The source of the leak was never found.\n", -1, "", nullptr},
      {"no footer: 'the end' in a sentence", body + "That is not the END of it, she said.\n", -1,
       "", nullptr},
      // A line of closing marks only strips to nothing (the fuzzer found a
      // read before the line; ASan in CI catches it again).
      {"no footer: a line that is a lone closing quote", "\u2019\n" + body, -1, "", nullptr},
      {"no footer: body ends with a short sentence", body + "The vote is on May 3.\n", -1, "",
       nullptr},
      {"no footer: originally-published credit in the first paragraph",
       "Originally published at example.org\n\n" + body, -1, "", nullptr},
      {"no footer: inline read more",
       body + "You can read more about the plan on the council website, which also lists the "
              "meeting dates.\n",
       -1, "", nullptr},
      {"no footer: source line near the top",
       "Source: corbettreport\n\nSHOW NOTES: https://example.com/?p=1\n\n" + body, -1, "", nullptr},
      {"no footer: a list introduced by a body sentence, then more body",
       body + "Participants included:\n- Jane Roe, Mayor\n- John Doe, Treasurer\n"
              "The meeting ended after three hours, and a second session was scheduled for June.\n",
       -1, "", nullptr},
      {"no footer: body ends with a quotation",
       body + "\u201CWe will keep pressing until the schools get what they need,\u201D she said.\n",
       -1, "", nullptr},
      {"no footer: 'sources said' is not a source line",
       body + "Sources said the deal could close next week.\n", -1, "", nullptr},
      {"no footer: related marker inside the body",
       "(Related: Council approves park plan.)\n\n" + body, -1, "", nullptr},
      {"end marker: nothing above it is footer",
       body + "Participants:\n- Jane Roe, Mayor\n- John Doe, Treasurer\n###\n", 6,
       "wire-end-marker", nullptr},
  };
  for (const Case& c : cases) {
    const std::string label = c.label;
    CAPTURE(label);
    Document d = run_stages({"split-footer"}, c.text);
    const MappedRegion* footer = region_of(d, "footer");
    const MappedRegion* body_region = region_of(d, "body");
    if (c.start_line == -1) {
      CHECK(footer == nullptr);
      CHECK(d.regions.empty());
      continue;
    }
    REQUIRE(footer != nullptr);
    REQUIRE(body_region != nullptr);
    size_t want = c.starts_with ? c.text.rfind(c.starts_with) : line_start(c.text, c.start_line);
    CHECK(footer->region.span.begin == want);
    CHECK(footer->region.span.end == c.text.size());
    CHECK(body_region->region.span.begin == 0);
    CHECK(body_region->region.span.end == want);
    CHECK(attr(footer->region, "family") == std::string(c.family));
    CHECK(footer->region.rule.rfind("footer.", 0) == 0);
    CHECK(attr(footer->region, "rules").find(footer->region.rule) == 0);
  }
}

TEST_CASE("split-footer parses footer items") {
  const std::string body = kBody;
  struct ItemCase {
    const char* label;
    std::string text;
    std::vector<std::vector<std::pair<std::string, std::string>>>
        items;  // expected attributes, in order
  } cases[] = {
      {"appeared-first and source url",
       body + "\nThe post Budget vote set appeared first on City Times.\n\nSource: "
              "https://citytimes.example.com/b\n",
       {{{"type", "appeared-first"}, {"title", "Budget vote set"}, {"site", "City Times"}},
        {{"type", "source"}, {"url", "https://citytimes.example.com/b"}}}},
      {"source name and credit",
       body + "\n(Reporting by Jane Roe; Editing by John Doe)\n\nSource: Example Wire\n",
       {{{"type", "credit"}, {"name", "Jane Roe; Editing by John Doe"}},
        {{"type", "source"}, {"name", "Example Wire"}}}},
      {"headline list: source, truncated headline, dates",
       body + "Originally posted here:\n"
              "- Schools win more money - The Ledger - Metro Edition - May 10th, 2025 [May 10th, "
              "2025]\n"
              "- Council delays the vote on the new budget once again as critics,... - 9 May 2025 "
              "[9 May 2025]\n",
       {{{"type", "originally-posted"}},
        {{"type", "headline-list"},
         {"headline", "Schools win more money"},
         {"source", "The Ledger - Metro Edition"},
         {"date", "2025-05-10"}},
        {{"type", "headline-list"},
         {"headline", "Council delays the vote on the new budget once again as critics,"},
         {"truncated", "headline"},
         {"date", "2025-05-09"}}}},
  };
  for (const auto& c : cases) {
    const std::string label = c.label;
    CAPTURE(label);
    Document d = run_stages({"split-footer"}, c.text);
    auto items = items_of(d);
    REQUIRE(items.size() == c.items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      CAPTURE(i);
      CHECK(items[i]->region.attributes == c.items[i]);
      CHECK(items[i]->region.span.end <= c.text.size());
    }
  }
}

TEST_CASE("split-footer on copied documents (tests/fixtures/footers)") {
  struct FixtureCase {
    const char* file;
    const char* footer_starts_with;  // nullptr: no footer
    const char* family;
  } cases[] = {
      {"diplomat-scraped.txt", "Originally posted here:", "originally-posted-list"},
      {"fnc-026.txt", "The post A Black Hole", "post-appeared-first+source-link"},
      {"fnc-072.txt", "read more", "read-more-link+source-link"},
      {"ua-vijesti.txt", "(\nA.", "site-chrome"},
  };
  for (const auto& c : cases) {
    const std::string file = c.file;
    CAPTURE(file);
    std::string text = read_fixture(c.file);
    Document d = run_stages({"split-footer"}, text);
    const MappedRegion* footer = region_of(d, "footer");
    REQUIRE(footer != nullptr);
    size_t want = text.rfind(c.footer_starts_with);
    REQUIRE(want != std::string::npos);
    CHECK(footer->region.span.begin == want);
    CHECK(attr(footer->region, "family") == std::string(c.family));
  }
}

TEST_CASE("split-footer parses every item of the seed's headline list") {
  std::string text = read_fixture("diplomat-scraped.txt");
  Document d = run_stages({"split-footer"}, text);
  auto items = items_of(d);
  size_t list_lines = 0;
  for (size_t pos = text.find("\n- "); pos != std::string::npos; pos = text.find("\n- ", pos + 1))
    ++list_lines;
  size_t parsed = 0;
  for (const auto* it : items) {
    const auto& r = it->region;
    if (attr(r, "type") != "headline-list") continue;
    ++parsed;
    CAPTURE(std::string(r.span.in(text)));
    CHECK(!attr(r, "headline").empty());
    CHECK(attr(r, "date").size() == 10);  // ISO 8601
    // A headline cut with "..." has no source; every other item has one.
    CHECK((attr(r, "truncated") == "headline") == attr(r, "source").empty());
  }
  CHECK(parsed == list_lines);
  // The example the brief gives.
  bool found = false;
  for (const auto* it : items) {
    const auto& r = it->region;
    if (attr(r, "headline") != "FIFA sanctions creation of Afghanistan womens refugee team")
      continue;
    found = true;
    CHECK(attr(r, "source") == "The Athletic - The New York Times");
    CHECK(attr(r, "date") == "2025-05-10");
  }
  CHECK(found);
}

TEST_CASE("split-footer rejects bad marker data with file:line") {
  const std::string path =
      (std::filesystem::temp_directory_path() / "copydesk_bad_markers.tsv").string();
  {
    std::ofstream out(path);
    out << "URL\t-\t-\t0\tdefine\t0\thttps?://\\S+\n"
        << "DATE\t-\t-\t0\tdefine\t0\t\\d{4}\n"
        << "footer.x.v1\tx\tx\t5\tsideways\t10\tx\n";
  }
  try {
    copydesk::Pipeline::build({"split-footer"},
                              copydesk::testing::test_settings({{"split-footer.markers", path}}));
    FAIL("expected a ConfigError");
  } catch (const copydesk::ConfigError& e) {
    CHECK(std::string(e.what()).find("copydesk_bad_markers.tsv:3:") != std::string::npos);
  }
  std::remove(path.c_str());
}
