// flag-slips: each rule with a table of slips it must flag (with the
// suggestion an editor would accept) and a table of text it must leave alone.
// The texts are written for these tests; the "the its" and doubled "are"
// sentences follow samples/diplomat-scraped.txt (The Diplomat, project seed).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/test_support.h"

using copydesk::Document;
using copydesk::testing::findings_of;
using copydesk::testing::run_stages;

namespace {

struct Expect {
  const char* label;
  std::string text;
  std::string flagged;     // exact text of the finding's span; "" = nothing flagged
  std::string suggestion;  // expected suggestion
};

void check_rule(const std::string& rule, const std::vector<Expect>& rows) {
  for (const auto& r : rows) {
    const std::string label = r.label;
    CAPTURE(label);
    const Document d = run_stages({"flag-slips"}, r.text);
    const auto found = findings_of(d, rule);
    if (r.flagged.empty()) {
      for (const auto& f : found) CAPTURE(f.finding.message);
      CHECK(found.empty());
      continue;
    }
    REQUIRE(found.size() == 1);
    CAPTURE(found[0].finding.message);
    CHECK(std::string(found[0].orig.in(d.original)) == r.flagged);
    CHECK(found[0].finding.suggestion == r.suggestion);
    CHECK(found[0].finding.confidence >= 0.5);
    CHECK(found[0].finding.confidence <= 1.0);
  }
}

// Must-not-flag texts for the place rules: every place rule stays silent.
void check_no_place_findings(const std::vector<Expect>& rows) {
  for (const auto& r : rows) {
    const std::string label = r.label;
    CAPTURE(label);
    const Document d = run_stages({"flag-slips"}, r.text);
    for (const char* rule : {"flag-slips.confusable-place", "flag-slips.context-place", "flag-slips.wrong-capital",
                             "flag-slips.city-country"}) {
      CAPTURE(rule);
      const auto found = findings_of(d, rule);
      for (const auto& f : found) CAPTURE(f.finding.message);
      CHECK(found.empty());
    }
  }
}

}  // namespace

TEST_CASE("flag-slips.confusable-place.v1 flags a look-alike of the article's place") {
  check_rule("flag-slips.confusable-place.v1",
             {
                 {"capital paired with the neighbour's capital",
                  "Afghanistan and Pakistan look for a thaw\n"
                  "Afghan officials in Kabul met Pakistani envoys on Monday. Pakistan has hosted refugees from "
                  "Afghanistan for decades, and Islamabad says the border must stay open.\n"
                  "While relations between Kabul and Istanbul remain tense, both governments want more trade. "
                  "Islamabad and Kabul will meet again next month.",
                  "Istanbul", "Islamabad"},
                 {"possessive without apostrophe keeps the suggestion bare",
                  "Afghanistan and Pakistan look for a thaw\n"
                  "Afghan officials in Kabul met Pakistani envoys on Monday. Pakistan has hosted refugees from "
                  "Afghanistan for decades, and Islamabad says the border must stay open.\n"
                  "Ties between Kabul and Istanbuls government remain tense. Islamabad and Kabul will meet again.",
                  "Istanbul", "Islamabad"},
                 {"country for country",
                  "Austria votes\nVoters in Vienna and across Austria elect a new parliament. The Austrian "
                  "chancellor said Austria would keep its neutrality. Trade between Australia and Germany was "
                  "not discussed.",
                  "Australia", "Austria"},
                 {"one letter apart",
                  "Iran says talks can resume\nIranian diplomats in Tehran said Iran is ready to return to talks. "
                  "Iran and the United States last met in Oman. A deal between Iraq and the United States would "
                  "ease sanctions, Tehran said.",
                  "Iraq", "Iran"},
                 {"neighbours with similar names",
                  "Slovakia's government falls\nThe coalition in Bratislava collapsed on Tuesday. Slovakia will "
                  "hold early elections, and Slovak parties are already campaigning. Relations between Slovenia "
                  "and Hungary were not affected, officials in Bratislava said.",
                  "Slovenia", "Slovakia"},
             });
}

TEST_CASE("flag-slips.confusable-place.v1 leaves real mentions alone") {
  check_no_place_findings({
      {"both look-alikes are the subject",
       "Iran and Iraq sign a water deal\nIraqi and Iranian ministers met in Baghdad. Iraq gets much of its water "
       "from rivers that rise in Iran, and Tehran has promised more.",
       "", ""},
      {"a list of other countries",
       "Somalia strikes\nPuntland forces struck targets in Somalia. Fighters from Ethiopia, Yemen, and Tanzania "
       "were captured in Somalia, officials in Mogadishu said.",
       "", ""},
      {"city with its own country", "France protests\nProtesters marched in Paris, France, on Sunday. French unions "
                                    "called the strike, and France's government did not comment.",
       "", ""},
      {"two look-alike long names that are both meant",
       "Britain and America\nThe United States and the United Kingdom signed a deal. The UK and the United States "
       "will meet again in London.",
       "", ""},
      {"part of a longer name",
       "Venezuela crisis\nVenezuela's leader was flown to New York, where he faces charges. Venezuela and the "
       "United States have cut ties. The New York Stock Exchange fell.",
       "", ""},
      {"two demonyms in one compound", "Israel and Gaza\nAn American Israeli hostage was freed in Gaza. Israel said "
                                       "talks in Gaza would go on, and Israeli officials agreed.",
       "", ""},
      {"a source name in parentheses", "Iran strikes\nIran launched missiles at targets, Iran said. Officials in "
                                       "Tehran confirmed it. (The Times of Israel)",
       "", ""},
      {"the right capital", "Afghanistan and Pakistan look for a thaw\nAfghan officials in Kabul met Pakistani "
                            "envoys. While relations between Kabul and Islamabad remain tense, Pakistan and "
                            "Afghanistan want trade.",
       "", ""},
  });
}

TEST_CASE("flag-slips.context-place.v1 flags a lone country in the article's own phrase") {
  check_rule("flag-slips.context-place.v1",
             {
                 {"same phrase as the title",
                  "Russian invasion of Ukraine\nUkrainian drones struck a depot in Russia. Ukraine says the attack "
                  "answered weeks of shelling, and Ukraine's army is advancing.\n"
                  "Attacks on civilians during the Russian invasion of Iraq continue.",
                  "Iraq", "Ukraine"},
             });
}

TEST_CASE("flag-slips.city-country.v1 and wrong-capital.v1 check a city against its stated country") {
  check_rule("flag-slips.city-country.v1",
             {
                 {"city, wrong country",
                  "Ukraine war\nUkraine said Russian drones hit Kharkiv overnight. A missile struck Sumy, Iraq, "
                  "killing four people. Ukraine's air force shot down most drones.",
                  "Iraq", "Ukraine"},
             });
  check_rule("flag-slips.wrong-capital.v1",
             {
                 {"X, the capital of Y",
                  "Kenya elections\nKenya votes on Tuesday, and Kenyan voters queued early. Voters in Mombasa, the "
                  "capital of Kenya, waited for hours.",
                  "Mombasa", "Nairobi"},
             });
  check_no_place_findings({
      {"right capital", "Kenya elections\nKenya votes on Tuesday. Voters in Nairobi, the capital of Kenya, queued.",
       "", ""},
      {"demonym and its capital", "Turkey talks\nTurkey hosts the talks. Delegates met in the Turkish capital Ankara "
                                  "on Monday.",
       "", ""},
      {"a list, not an address", "Attacks\nBombs went off in Kabul, Iraq and Syria on the same day.", "", ""},
  });
}

TEST_CASE("flag-slips.doubled-word.v1 flags doubled function words only") {
  check_rule("flag-slips.doubled-word.v1",
             {
                 {"the the", "He went to the the store.", "the the", "the"},
                 {"sentence-initial The the", "The the rule is old.", "The the", "The"},
                 {"of of", "A sign of of change.", "of of", "of"},
                 {"and and", "Bread and and butter.", "and and", "and"},
                 {"had had (legitimate)", "She had had enough.", "", ""},
                 {"that that (legitimate)", "He said that that was wrong.", "", ""},
                 {"her her (legitimate)", "She gave her her coat.", "", ""},
                 {"is is (legitimate)", "What it is is a mess.", "", ""},
                 {"a band name", "They saw The The in concert.", "", ""},
                 {"across a line break", "the\nthe", "", ""},
                 {"content words are left alone", "Bora Bora and Walla Walla.", "", ""},
             });
}

TEST_CASE("flag-slips.determiner-possessive.v1 flags an article before a possessive") {
  check_rule("flag-slips.determiner-possessive.v1",
             {
                 {"the its", "he also highlighted the its legitimate interests", "the its", "its"},
                 {"a their", "It was a their first win.", "a their", "their"},
                 {"every his", "He checked every his step.", "every his", "his"},
                 {"that its", "He said that its army was ready.", "", ""},
                 {"all its", "All its members agreed.", "", ""},
                 {"not a possessive", "the itsy bitsy spider", "", ""},
                 {"compound", "the his-and-hers towels", "", ""},
             });
}

TEST_CASE("flag-slips.doubled-auxiliary.v1 flags a question that repeats its auxiliary") {
  check_rule("flag-slips.doubled-auxiliary.v1",
             {
                 {"the seed's headline shape",
                  "Where are Pakistan and Afghanistans relations are headed after the peace conference?", "are", ""},
                 {"is", "Where is the economy is going?", "is", ""},
                 {"relative pronoun between", "Where are the people who are missing?", "", ""},
                 {"a clause with its own subject", "What are the things you are doing?", "", ""},
                 {"comma-delimited aside", "How are prices, which are rising, measured?", "", ""},
                 {"not a question opener", "They are here and they are happy.", "", ""},
             });
}

TEST_CASE("flag-slips rules can be switched off and given a severity") {
  copydesk::PipelineSettings s = copydesk::testing::test_settings(
      {{"flag-slips.doubled-word.enabled", "false"}, {"flag-slips.determiner-possessive.severity", "error"}});
  const copydesk::Pipeline p = copydesk::Pipeline::build({"flag-slips"}, s);
  Document d;
  d.id = "t";
  d.original = "He went to the the store and highlighted the its interests.";
  p.run(d);
  CHECK(findings_of(d, "flag-slips.doubled-word").empty());
  const auto dp = findings_of(d, "flag-slips.determiner-possessive");
  REQUIRE(dp.size() == 1);
  CHECK(dp[0].finding.severity == copydesk::Severity::kError);

  copydesk::PipelineSettings bad = copydesk::testing::test_settings({{"flag-slips.doubled-word.severity", "loud"}});
  CHECK_THROWS_AS(copydesk::Pipeline::build({"flag-slips"}, bad), copydesk::ConfigError);
}

TEST_CASE("flag-slips never edits the text") {
  const Document d = run_stages({"flag-slips"}, "He went to the the store in Kabul and Istanbul.");
  CHECK(d.edits.empty());
  CHECK(d.text == d.original);
}
