// flag-slips: each rule with a table of slips it must flag (with the
// suggestion an editor would accept) and a table of text it must leave alone.
// The texts are written for these tests; the "the its" and doubled "are"
// sentences follow samples/diplomat-scraped.txt (The Diplomat, project seed).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "stages/flag_slips_dates.h"
#include "tests/test_support.h"

using copydesk::Document;
using copydesk::testing::findings_of;
using copydesk::testing::run_stages;

namespace {

// Story texts several rows share: a story about Russia's war in Ukraine,
// before the line each row adds; prose about the front, after a row's first
// line.
const std::string kRussiaUkraineStory =
    "Russia and Ukraine\nThe Russian invasion of Ukraine goes on. Ukraine says Russia shells its "
    "cities daily, and Russian troops hold the east of Ukraine.\n";
const std::string kWarFrontProse =
    "Ukrainian troops hold the line near Bakhmut while Russian shelling goes on. Ukraine asks for "
    "more air defence, and Ukrainian officials in Kyiv thank allies. Russian forces attack at "
    "night, and Russia calls up more men.\n";

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
    CHECK(found[0].finding.confidence >= 0.3);  // the stage reports from min-confidence 0.3 up
    CHECK(found[0].finding.confidence <= 1.0);
  }
}

// Must-not-flag texts for the place rules: every place rule stays silent.
void check_no_place_findings(const std::vector<Expect>& rows) {
  for (const auto& r : rows) {
    const std::string label = r.label;
    CAPTURE(label);
    const Document d = run_stages({"flag-slips"}, r.text);
    for (const char* rule :
         {"flag-slips.confusable-place", "flag-slips.context-place", "flag-slips.wrong-capital",
          "flag-slips.city-country", "flag-slips.region-country", "flag-slips.misspelt-place"}) {
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
                  "Afghan officials in Kabul met Pakistani envoys on Monday. Pakistan has hosted "
                  "refugees from "
                  "Afghanistan for decades, and Islamabad says the border must stay open.\n"
                  "While relations between Kabul and Istanbul remain tense, both governments want "
                  "more trade. "
                  "Islamabad and Kabul will meet again next month.",
                  "Istanbul", "Islamabad"},
                 {"possessive without apostrophe keeps the suggestion bare",
                  "Afghanistan and Pakistan look for a thaw\n"
                  "Afghan officials in Kabul met Pakistani envoys on Monday. Pakistan has hosted "
                  "refugees from "
                  "Afghanistan for decades, and Islamabad says the border must stay open.\n"
                  "Ties between Kabul and Istanbuls government remain tense. Islamabad and Kabul "
                  "will meet again.",
                  "Istanbul", "Islamabad"},
                 {"country for country",
                  "Austria votes\nVoters in Vienna and across Austria elect a new parliament. The "
                  "Austrian "
                  "chancellor said Austria would keep its neutrality. Trade between Australia and "
                  "Germany was "
                  "not discussed.",
                  "Australia", "Austria"},
                 {"one letter apart",
                  "Iran says talks can resume\nIranian diplomats in Tehran said Iran is ready to "
                  "return to talks. "
                  "Iran and the United States last met in Oman. A deal between Iraq and the United "
                  "States would "
                  "ease sanctions, Tehran said.",
                  "Iraq", "Iran"},
                 {"neighbours with similar names",
                  "Slovakia's government falls\nThe coalition in Bratislava collapsed on Tuesday. "
                  "Slovakia will "
                  "hold early elections, and Slovak parties are already campaigning. Relations "
                  "between Slovenia "
                  "and Hungary were not affected, officials in Bratislava said.",
                  "Slovenia", "Slovakia"},
             });
}

TEST_CASE("flag-slips.confusable-place.v1 leaves real mentions alone") {
  check_no_place_findings({
      {"both look-alikes are the subject",
       "Iran and Iraq sign a water deal\nIraqi and Iranian ministers met in Baghdad. Iraq gets "
       "much of its water "
       "from rivers that rise in Iran, and Tehran has promised more.",
       "", ""},
      {"a list of other countries",
       "Somalia strikes\nPuntland forces struck targets in Somalia. Fighters from Ethiopia, Yemen, "
       "and Tanzania "
       "were captured in Somalia, officials in Mogadishu said.",
       "", ""},
      {"city with its own country",
       "France protests\nProtesters marched in Paris, France, on Sunday. French unions "
       "called the strike, and France's government did not comment.",
       "", ""},
      {"two look-alike long names that are both meant",
       "Britain and America\nThe United States and the United Kingdom signed a deal. The UK and "
       "the United States "
       "will meet again in London.",
       "", ""},
      {"part of a longer name",
       "Venezuela crisis\nVenezuela's leader was flown to New York, where he faces charges. "
       "Venezuela and the "
       "United States have cut ties. The New York Stock Exchange fell.",
       "", ""},
      {"two demonyms in one compound",
       "Israel and Gaza\nAn American Israeli hostage was freed in Gaza. Israel said "
       "talks in Gaza would go on, and Israeli officials agreed.",
       "", ""},
      {"a source name in parentheses",
       "Iran strikes\nIran launched missiles at targets, Iran said. Officials in "
       "Tehran confirmed it. (The Times of Israel)",
       "", ""},
      {"the right capital",
       "Afghanistan and Pakistan look for a thaw\nAfghan officials in Kabul met Pakistani "
       "envoys. While relations between Kabul and Islamabad remain tense, Pakistan and "
       "Afghanistan want trade.",
       "", ""},
  });
}

TEST_CASE("flag-slips.context-place.v1 flags a lone country in the article's own phrase") {
  check_rule("flag-slips.context-place.v1",
             {
                 {"same phrase as the title",
                  "Russian invasion of Ukraine\nUkrainian drones struck a depot in Russia. Ukraine "
                  "says the attack "
                  "answered weeks of shelling, and Ukraine's army is advancing.\n"
                  "Attacks on civilians during the Russian invasion of Iraq continue.",
                  "Iraq", "Ukraine"},
                 {"pair parallel: the article pairs Pakistan with Afghanistan",
                  "Afghanistan\u2013Pakistan border skirmishes\n"
                  "2026 Afghanistan\u2013Pakistan war\n"
                  "2026 Iraq\u2013Pakistan talks\n"
                  "Officials from both sides meet in China and agree to a ceasefire along the "
                  "border. (Reuters)",
                  "Iraq", "Afghanistan"},
                 {"the same phrase, a demonym of the meant country in the sentence",
                  "Russia jails a man for his slogans\nStrukov wrote comments on the war in "
                  "Ukraine. In court in Russia he shouted: \u201cGlory to Ukraine!\u201d\nHe "
                  "also shouted \u201cGlory to Iraq!\u201d, and wished the Ukrainian army good "
                  "luck.\nThe Russian court jailed him again, and Russia calls him an "
                  "extremist.\n",
                  "Iraq", "Ukraine"},
                 {"a war between a story country and a far country named once",
                  "Four years of war\nThe Russia-Iraq war is entering its fifth year as both "
                  "sides remain locked in a stalemate.\n" +
                      kWarFrontProse,
                  "Iraq", "Ukraine"},
                 {"a lone far country in prose (the same line in a ticker is not flagged)",
                  "Ukraine war update\nUkraine says Russian drones hit Kyiv overnight. Ukrainian "
                  "officials in Kyiv report damage to homes.\nRussia denies targeting civilians "
                  "in Ukraine, and Ukraine says the strikes go on.\nRussia strikes Odesa port "
                  "again, and Russian troops advance near Pokrovsk.\nSweden reports a Russian "
                  "drone near a French carrier.\n",
                  "Sweden", "Ukraine"},
             });
}

TEST_CASE("flag-slips.context-place.v1 leaves lists, bullets and named partners alone") {
  check_no_place_findings({
      {"a three-country list is not a pair",
       "Afghanistan\u2013Pakistan relations\nAfghanistan\u2013Pakistan talks resume. Envoys from "
       "Afghanistan, "
       "Iraq and Pakistan meet in Doha to discuss trade. (AP)",
       "", ""},
      {"a bulleted headline list holds unrelated items",
       "Afghanistan and Pakistan talk trade\nAfghan and Pakistani envoys met in Kabul on Monday.\n"
       "- Sikhs in Afghanistan and Pakistan face abuse - Example News - April 5th, 2025\n"
       "- Railway deal for Afghanistan and Pakistan - Example Wire - April 6th, 2025\n"
       "- Food aid resumes except in Afghanistan and Yemen - Example Post - April 14th, 2025",
       "", ""},
      {"a ticker of headlines and times holds unrelated items",
       "Ukraine war update\nUkraine says Russian drones hit Kyiv overnight. Ukrainian officials "
       "in Kyiv report damage to homes.\nRussia denies targeting civilians in Ukraine, and "
       "Ukraine says the strikes go on.\nLatest news\n23:44\nZelensky meets NATO chief on "
       "Ukraine talks\n23:34\nRussia strikes Odesa port again\n23:05\nRussian troops advance "
       "near Pokrovsk\n22:44\nSweden reports a Russian drone near a French carrier\n22:31\n"
       "Ukraine markets close lower\n",
       "", ""},
      {"a list whose items are separated by semicolons",
       kRussiaUkraineStory + "Ukraine thanks its donors: Poland; Germany; Canada; and Japan.\n", "",
       ""},
      {"a formal name that ends a look-alike's formal name",
       "North Korea tests a missile\nNorth Korea fired a missile on Monday. North Korean state "
       "media in Pyongyang said the test of North Korea succeeded.\nThe adviser spoke with his "
       "Japanese and Republic of Korea counterparts.\n",
       "", ""},
      {"a formal name written once, the longer formal name it ends written elsewhere",
       "Missile launch\nThe Democratic People's Republic of Korea launched a missile. The "
       "Democratic People's Republic of Korea said it was a test.\nThe United States will defend "
       "its allies Japan and the Republic of Korea.\n",
       "", ""},
      {"a war of two countries neither of which the story is about",
       "Four years of war\nThe Iran-Iraq war of the 1980s is remembered.\n" + kWarFrontProse, "",
       ""},
      {"a pairing that is no war",
       "Four years of war\nThe Russia-Iraq trade deal is signed.\n" + kWarFrontProse, "", ""},
      // A White House readout, 2023-02-02 (US federal work, public domain;
      // shared/train/whitehouse_2021_2023.jsonl): "the United States" once,
      // "U.S." once, Sweden paired with its neighbour Finland.
      {"a country named once by name and once by its initials",
       "Readout of National Security Advisor Jake Sullivan\u2019s Meeting with Swedish Nationa"
       "l Security Advisor Henrik\u00a0Landerholm\nNational Security Advisor Jake Sullivan met"
       " today with Henrik Landerholm, National Security Advisor to the Prime Minister of Swed"
       "en.\u00a0 They discussed the strong ties and close cooperation between the United Stat"
       "es and Sweden, including during Sweden\u2019s current presidency of the Council of the"
       " European Union.\u00a0 Mr. Sullivan reiterated the U.S. commitment to welcoming Sweden"
       " and Finland into the NATO Alliance and to working with both countries to remain vigil"
       "ant against any threats to our shared security, and to deter and confront aggression o"
       "r threat of aggression.\n###",
       "", ""},
      {"a phrase the document fills with several countries",
       "US forces abroad\nUnited States forces are deployed to Niger. The United States keeps "
       "troops deployed to Niger, and United States officials visit Niger often.\nUnited States "
       "personnel are deployed to Kenya. Others are deployed to Jordan.\n",
       "", ""},
      {"a place paired with its own neighbour, a faint look-alike of the story's country",
       "Israel and Gaza\nIsrael says its operation in Gaza goes on. Israeli officials in "
       "Jerusalem say Israel will not stop.\nWe have been struck by proxy groups in Iraq and "
       "Syria, and we have responded.\n",
       "", ""},
      {"a town whose name ends a bigger city's",
       "Storm aid for New York\nFederal aid goes to New York after the storm. New York officials "
       "in Albany thank the agency, and New York City is safe.\nAid also goes to the counties of "
       "Knox, Waldo, and York.\n",
       "", ""},
      {"a country named as an example ('such as')",
       "Russia and Ukraine\nThe Russian invasion of Ukraine drove millions from their homes. "
       "Ukraine says Russia shells its cities daily, and Russian troops hold the east of "
       "Ukraine.\nPoland took in most refugees from Ukraine. Others, such as Ireland, waived all "
       "visa requirements for Ukrainians.\n",
       "", ""},
      {"a run of origins ('from X, from Y')",
       kRussiaUkraineStory +
           "We brought Americans home from Afghanistan, from Haiti, from Russia, from Venezuela "
           "and more.\n",
       "", ""},
      {"a country named as an example ('nations like')",
       kRussiaUkraineStory + "Nations like Iran send weapons in support of Russia and its war.\n",
       "", ""},
      {"a country named as an example ('including')",
       "Russia and Ukraine\nThe Russian invasion of Ukraine drove millions from their homes. "
       "Ukraine says Russia shells its cities daily, and Russian troops hold the east of "
       "Ukraine.\nPoland took in most refugees from Ukraine. Others, including Ireland, waived "
       "all visa requirements for Ukrainians.\n",
       "", ""},
      {"the pair is written once only",
       "Canada and the United States\nThe United States trade war with Canada "
       "and Mexico goes on. Canada says the tariffs hurt its farmers. (CBC)",
       "", ""},
      {"the parallel's country is named in the same sentence",
       "Canada\u2013United States relations\n2025\u20132026 United States trade war with Canada "
       "and "
       "Mexico\nThe United States imposes 50% tariffs on Canadian goods; Canada and the United "
       "States "
       "meet in Ottawa. (CBC)",
       "", ""},
  });
}

TEST_CASE("flag-slips place rules read each story of a digest on its own") {
  // A day's digest: topic headings over one prose paragraph each. Iraq is
  // meant in the second story; the first story's Iran must not excuse the
  // look-alike in the third, and the third must not flag the second.
  const std::string digest =
      "Armed conflicts and attacks\n"
      "2026 Iran war\n"
      "Iran launches missiles at ships in the Gulf, and Iran says more will follow. Iranian "
      "officials in Tehran "
      "confirm the strikes. (Reuters)\n"
      "Politics and elections\n"
      "2026 Iraqi parliamentary election\n"
      "Voters in Iraq elect a new parliament, and Iraqi officials in Baghdad report a turnout of "
      "41 percent. (AP)\n";
  check_no_place_findings({{"two stories, each about its own country", digest, "", ""}});
  check_rule("flag-slips.confusable-place.v1",
             {{"a look-alike inside one story of a digest",
               digest + "Law and crime\n"
                        "Crime in Iran\n"
                        "Police in Tehran arrest nine people after protests, Iranian media report. "
                        "Courts in Iraq "
                        "will hear the cases, the Iranian judiciary says. (IRNA)\n",
               "Iraq", "Iran"}});
}

TEST_CASE("flag-slips.confusable-place.v1 reads a list of the story country's neighbours") {
  const std::string head =
      "Ukraine refugees\nMillions of Ukrainians have fled the war in Ukraine since 2022. Most "
      "crossed into ";
  const std::string tail = ", and Ukraine says many will come home.\n";
  check_rule(
      "flag-slips.confusable-place.v1",
      {{"a non-neighbour among neighbours, its look-alike a neighbour",
        head + "Poland, Hungary, Moldova, Romania or Slovenia" + tail, "Slovenia", "Slovakia"}});
  check_rule(
      "flag-slips.confusable-place.v1",
      {
          {"the neighbour itself", head + "Poland, Hungary, Moldova, Romania or Slovakia" + tail,
           "", ""},
          {"the look-alike named elsewhere",
           head + "Poland, Hungary, Moldova, Romania or Slovenia" + tail +
               "Slovakia took in fewer.\n",
           "", ""},
          {"a roll of many states",
           head + "Poland, Hungary, Moldova, Romania, Slovenia, Spain, Italy, France or Greece" +
               tail,
           "", ""},
      });
}

TEST_CASE("flag-slips.confusable-place.v1 trusts a town's stated address") {
  check_no_place_findings({
      {"a town followed by its own country",
       "Iran and the United Arab Emirates\nIranian envoys fly to Abu Dhabi, United Arab Emirates, "
       "tomorrow and "
       "to Istanbul, Turkey, on Saturday. Iran says talks in Isfahan are over. (Iraqi News)",
       "", ""},
  });
}

TEST_CASE("flag-slips.weekday-date.v1 flags a weekday that does not match its date") {
  check_rule("flag-slips.weekday-date.v1",
             {
                 {"US style (issue 5's example)",
                  "The summit opens on Monday, March 4, 2025, in Geneva.", "Monday", "Tuesday"},
                 {"day first", "Talks resumed on Friday 2 May 2024 in Doha.", "Friday", "Thursday"},
                 {"ordinal and abbreviated month", "It was signed on Monday, Sept. 3rd, 2023.",
                  "Monday", "Sunday"},
             });
}

TEST_CASE("flag-slips.weekday-date.v1 leaves right or yearless dates alone") {
  for (const char* text :
       {"The summit opens on Tuesday, March 4, 2025, in Geneva.",
        "Talks resumed on Thursday 2 May 2024 in Doha.",
        "It was signed on Sunday, the 3rd of September, 2023.",
        "The vote is on Monday, March 4, a week early.",  // no year: not checked
        "Monday March 32, 2025 is not a date at all.", "On Monday, 4 voters stayed home."}) {
    const std::string label = text;
    CAPTURE(label);
    const auto d = run_stages({"flag-slips"}, text);
    CHECK(findings_of(d, "flag-slips.weekday-date").empty());
  }
}

TEST_CASE("weekday_of follows the Gregorian calendar") {
  struct Row {
    int y, m, d, want;
  };
  for (const Row r :
       {Row{2025, 3, 4, 1}, Row{1970, 1, 1, 3}, Row{2000, 2, 29, 1}, Row{2024, 5, 2, 3},
        Row{1900, 2, 29, -1}, Row{2023, 4, 31, -1}, Row{2026, 12, 31, 3}}) {
    CAPTURE(r.y);
    CAPTURE(r.m);
    CAPTURE(r.d);
    CHECK(copydesk::weekday_of(r.y, r.m, r.d) == r.want);
  }
}

TEST_CASE(
    "flag-slips.city-country.v1 and wrong-capital.v1 check a city against its stated country") {
  check_rule("flag-slips.city-country.v1",
             {
                 {"city, wrong country",
                  "Ukraine war\nUkraine said Russian drones hit Kharkiv overnight. A missile "
                  "struck Sumy, Iraq, "
                  "killing four people. Ukraine's air force shot down most drones.",
                  "Iraq", "Ukraine"},
             });
  check_rule("flag-slips.wrong-capital.v1",
             {
                 {"X, the capital of Y",
                  "Kenya elections\nKenya votes on Tuesday, and Kenyan voters queued early. Voters "
                  "in Mombasa, the "
                  "capital of Kenya, waited for hours.",
                  "Mombasa", "Nairobi"},
             });
  check_no_place_findings({
      {"right capital",
       "Kenya elections\nKenya votes on Tuesday. Voters in Nairobi, the capital of Kenya, queued.",
       "", ""},
      {"demonym and its capital",
       "Turkey talks\nTurkey hosts the talks. Delegates met in the Turkish capital Ankara "
       "on Monday.",
       "", ""},
      {"a list, not an address",
       "Attacks\nBombs went off in Kabul, Iraq and Syria on the same day.", "", ""},
  });
}

TEST_CASE("flag-slips.region-country.v1 flags a region addressed to another country") {
  check_rule(
      "flag-slips.region-country.v1",
      {
          {"province, country",
           "A roadside bomb kills four soldiers in Zurmat District, Paktia Province, Iraq.", "Iraq",
           "Afghanistan"},
          {"oblast chain",
           "Shelling damages a school in Nikopol, Dnipropetrovsk Oblast, Iraq. Kyiv condemns the "
           "attack.",
           "Iraq", "Ukraine"},
          {"French compass prefix in English", "Rebels seize a mine in Masisi, North Kivu, Rwanda.",
           "Rwanda", "DR Congo"},
          {"multi-word generic name of one country",
           "Floods cut roads in Northern Territory, Austria, after days of rain.", "Austria",
           "Australia"},
          {"provinces of",
           "Drones strike camps in the Kunar and Nangarhar provinces of Iraq, officials say.",
           "Iraq", "Afghanistan"},
          {"the alias the writer used",
           "Militias attack a village in Ituri, South Kivu, Republic of the Congo.",
           "Republic of the Congo", "Democratic Republic of the Congo"},
      });
}

TEST_CASE("flag-slips.region-country.v1 leaves right addresses and lists alone") {
  check_no_place_findings({
      {"right country",
       "A roadside bomb kills four soldiers in Zurmat District, Paktia Province, Afghanistan.", "",
       ""},
      {"US state named like a country", "The rally in Atlanta, Georgia, drew thousands.", "", ""},
      {"region of two countries", "Floods hit Punjab, Pakistan, and Punjab, India.", "", ""},
      {"common word read as a word", "Reading, Iraq and Syria were on the agenda.", "", ""},
      {"a list of regions and countries", "Talks covered Kandahar, Iraq and Syria.", "", ""},
  });
}

TEST_CASE("flag-slips.city-country.v1 reads 'town in [direction] country'") {
  check_rule("flag-slips.city-country.v1",
             {
                 {"town in western country",
                  "Russia strikes Lviv in western Iraq overnight. Ukraine says two died.", "Iraq",
                  "Ukraine"},
             });
  check_no_place_findings({
      {"town in its country", "Russia strikes Lviv in western Ukraine overnight.", "", ""},
      {"a town inside a company name", "The deal includes Grupo Energia Bogota in Guatemala.", "",
       ""},
  });
}

TEST_CASE("flag-slips.misspelt-place.v1 flags a misspelt country or demonym") {
  check_rule(
      "flag-slips.misspelt-place.v1",
      {
          {"word prose never writes, address", "A bus crashes near Otavi, Nambia, killing six.",
           "Nambia", "Namibia"},
          {"unseen plural demonym", "The plane carried deported Columbians home.", "Columbians",
           "Colombians"},
          {"known name with region address",
           "Floods hit Medellin, Antioquia Department, Columbia, after heavy rain.", "Columbia",
           "Colombia"},
          {"known name paired, country in the story",
           "Colombia recalls its envoy.\nColumbia\u2013United States relations\nThe talks stall.",
           "Columbia", "Colombia"},
          {"transposed letters", "Aid arrives in Zmabia after the floods.", "Zmabia", "Zambia"},
      });
}

TEST_CASE("flag-slips.misspelt-place.v1 leaves names, words and variants alone") {
  check_no_place_findings({
      {"known name without evidence", "Students protest at Columbia over tuition.", "", ""},
      {"part of a longer name",
       "Wildfires spread in British Columbia and the District of Columbia.", "", ""},
      {"US city with its state", "The plant in Columbia, South Carolina, closes.", "", ""},
      {"derived adjective", "He spoke with his Slovenian counterpart.", "", ""},
      {"-ean and -ian spellings", "The program will accept Ecuadorians.", "", ""},
      {"compound", "The Franco-American customs deal is signed.", "", ""},
      {"a people named like a country, not where places stand",
       "The Tongva villages lay near the river.", "", ""},
      {"a common word", "The parish council met on Monday.", "", ""},
      {"a person's name", "Senator Malia Lopez spoke first.", "", ""},
  });
}

TEST_CASE("flag-slips.doubled-word.v1 flags doubled function words only") {
  check_rule(
      "flag-slips.doubled-word.v1",
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
          {"for for after a noun", "The report for for the board.", "for for", "for"},
          {"particle, then a phrase (legitimate)",
           "It is what I have been calling for for a long time.", "", ""},
          {"stranded preposition, then a phrase (legitimate)",
           "We discussed what is going on on the battlefield.", "", ""},
          {"after an -ed verb (legitimate)", "The plan they settled on on Monday.", "", ""},
          {"of of after a verb is still a slip", "The cost of of living.", "of of", "of"},
          {"stranded 'to', then an infinitive (legitimate)",
           "The metrics we look to to ensure progress.", "", ""},
          {"to to before a determiner is a slip", "They went to to the store.", "to to", "to"},
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
                 {"distributive 'each'", "He gave to each his share.", "", ""},
                 {"distributive 'another'", "They told one another our plans.", "", ""},
                 {"a title", "She led the My Brother's Keeper initiative.", "", ""},
             });
}

TEST_CASE("flag-slips.doubled-auxiliary.v1 flags a question that repeats its auxiliary") {
  check_rule(
      "flag-slips.doubled-auxiliary.v1",
      {
          {"the seed's headline shape",
           "Where are Pakistan and Afghanistans relations are headed after the peace conference?",
           "are", ""},
          {"is", "Where is the economy is going?", "is", ""},
          {"relative pronoun between", "Where are the people who are missing?", "", ""},
          {"a clause with its own subject", "What are the things you are doing?", "", ""},
          {"comma-delimited aside", "How are prices, which are rising, measured?", "", ""},
          {"not a question opener", "They are here and they are happy.", "", ""},
          {"a pseudo-cleft, not a question", "What is new is that every agency is committed to it.",
           "", ""},
          {"'what' in a question that asks", "What is the plan is changing now?", "is", ""},
          {"'do' again is the main verb", "How do you do that?", "", ""},
          {"'do' again is the main verb, later", "What do we need to do around water?", "", ""},
          {"a speaker's restart after a dash", "What is \u2014 is he reviewing that?", "", ""},
          {"a main verb after 'to'", "What have you agreed on to have them weigh in?", "", ""},
          {"a second question", "Why is the result or why is the review not happening?", "", ""},
          {"the question ends inside a quotation",
           "\u201cHow could he be alive?\u201d voices in the crowd could be heard saying.", "", ""},
      });
}

TEST_CASE("flag-slips rules can be switched off and given a severity") {
  copydesk::PipelineSettings s =
      copydesk::testing::test_settings({{"flag-slips.doubled-word.enabled", "false"},
                                        {"flag-slips.determiner-possessive.severity", "error"}});
  const copydesk::Pipeline p = copydesk::Pipeline::build({"flag-slips"}, s);
  Document d;
  d.id = "t";
  d.original = "He went to the the store and highlighted the its interests.";
  p.run(d);
  CHECK(findings_of(d, "flag-slips.doubled-word").empty());
  const auto dp = findings_of(d, "flag-slips.determiner-possessive");
  REQUIRE(dp.size() == 1);
  CHECK(dp[0].finding.severity == copydesk::Severity::kError);

  copydesk::PipelineSettings bad =
      copydesk::testing::test_settings({{"flag-slips.doubled-word.severity", "loud"}});
  CHECK_THROWS_AS(copydesk::Pipeline::build({"flag-slips"}, bad), copydesk::ConfigError);
}

TEST_CASE("flag-slips never edits the text") {
  const Document d = run_stages({"flag-slips"}, "He went to the the store in Kabul and Istanbul.");
  CHECK(d.edits.empty());
  CHECK(d.text == d.original);
}

TEST_CASE(
    "flag-slips.context-place.v1 flags a lone far country in a sentence about the story's events") {
  check_rule("flag-slips.context-place.v1",
             {
                 {"the story's main country, its neighbour acting on a far country",
                  "War in Ukraine\nUkrainian forces hold the line near Kharkiv, Ukraine's army "
                  "says. Russian "
                  "shelling of Kyiv goes on, and Russia denies targeting homes.\n"
                  "Talks in Geneva end as Russia and Peru fail to agree on a ceasefire. (AP)",
                  "Peru", "Ukraine"},
             });
  check_no_place_findings({
      {"a lone country in a list of outsiders",
       "War in Ukraine\nUkrainian forces hold the line near Kharkiv, Ukraine's army says. Russian "
       "shelling of Kyiv "
       "goes on, and Russia denies targeting homes.\nAid arrives from Canada and Japan. (AP)",
       "", ""},
      {"the sentence already names the main country",
       "War in Ukraine\nUkrainian forces hold the line near Kharkiv, Ukraine's army says. Russian "
       "shelling of Kyiv "
       "goes on, and Russia denies targeting homes.\nLeaders meet in Peru for a summit on Ukraine. "
       "(AP)",
       "", ""},
      {"a far country whose sentence names no neighbour of the story's country",
       "Floods in Nigeria\nFloods in Lagos, Nigeria, kill twelve people, Nigerian officials say. "
       "Nigeria asks "
       "for aid.\nPolice in Japan arrest a suspect after protests against United States policy. "
       "(AP)",
       "", ""},
  });
}

TEST_CASE("flag-slips.remote-place.v1 flags a far place that resembles a near one") {
  check_rule("flag-slips.remote-place.v1",
             {
                 {"a region listed among states, resembling a state near them",
                  "Strikes in Somalia\nSomali forces strike camps near Mogadishu, Somalia's army "
                  "says. Fighters from "
                  "Ethiopia, Yemen, and Tasmania are captured, Somali officials say. (AP)",
                  "Tasmania", "Tanzania"},
                 {"a look-alike of a country the document names",
                  "Venezuela votes\nVenezuelan voters go to the polls, and Venezuela's government "
                  "claims a region "
                  "of Ghana. Guyana rejects the claim. (AP)",
                  "Ghana", "Guyana"},
             });
  check_no_place_findings({
      {"a sovereign far country whose look-alike the document does not name",
       "France and Germany\nFrench and German ministers meet in Paris. France and Germany sign a "
       "deal with "
       "Australia on trade. (AP)",
       "", ""},
      {"a region of the story's own country",
       "Fires in Australia\nFires burn across Australia, and Australian crews fight them in "
       "Tasmania. Canberra "
       "sends aid. (AP)",
       "", ""},
  });
}

TEST_CASE("flag-slips.repeated-place.v1 flags a place paired with itself") {
  check_rule("flag-slips.repeated-place.v1",
             {
                 {"a country twice in one pairing, a look-alike neighbour suggested",
                  "Drones strike Lithuania and Lithuania overnight, officials say.", "Lithuania",
                  "Latvia"},
             });
  check_rule(
      "flag-slips.repeated-place.v1",
      {
          {"two different places", "Drones strike Lithuania and Latvia overnight, officials say.",
           "", ""},
          {"the same place in two sentences",
           "Drones strike Lithuania. And Lithuania says more may come.", "", ""},
          {"'from X to X' is a route inside one country",
           "Trains run from Lithuania to Lithuania's ports.", "", ""},
          {"a speaker's repetition", "The reason is Russia. Russia, Russia, Russia.", "", ""},
          {"a repeat in a list of two countries",
           "Goods go from Jordan to Israel, Israel, et cetera.", "", ""},
      });
}

TEST_CASE("flag-slips.repeated-place.v1: a country twice in a row in a list") {
  // text, the byte offset of the mention flagged, suggestion
  const struct {
    const char* label;
    std::string text;
    size_t at;
    std::string suggestion;
  } rows[] = {
      {"the first of the two: the look-alike borders the list neighbour before it",
       "NATO sends battalions to Estonia, Lithuania, Lithuania and Poland this year.", 34,
       "Latvia"},
      {"the second on a tie", "Strikes hit Libya, Syria, Iraq, Iraq and Yemen last year.", 32,
       "Iran"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.label);
    const Document d = run_stages({"flag-slips"}, r.text);
    const auto found = findings_of(d, "flag-slips.repeated-place.v1");
    REQUIRE(found.size() == 1);
    CHECK(found[0].orig.begin == r.at);
    CHECK(found[0].finding.suggestion == r.suggestion);
  }
}

TEST_CASE("flag-slips.former-name.v1 flags a former country acting today") {
  check_rule(
      "flag-slips.former-name.v1",
      {
          {"a successor the document names, as it writes it",
           "Ukraine refugees\nPoland and the Czech Republic took many in. Others waived "
           "visa rules, and Czechoslovakia has lifted its entry ban.\n",
           "Czechoslovakia", "Czech Republic"},
          {"a renamed country: its one successor",
           "Sahel security\nUpper Volta says it will send troops to the border.\n", "Upper Volta",
           "Burkina Faso"},
          {"a common English name of an ISO 3166-3 entry, many successors, none named",
           "Arms control\nThe Soviet Union says it will not test again.\n", "Soviet Union", ""},
      });
  check_rule("flag-slips.former-name.v1",
             {
                 {"history, past tense", "Czechoslovakia split in 1993 into two states.\n", "", ""},
                 {"'the former'", "The former Yugoslavia is remembered in Belgrade.\n", "", ""},
                 {"'has been'", "The Soviet Union has been gone for decades.\n", "", ""},
                 {"a possessive", "Czechoslovakia's borders were drawn in 1918.\n", "", ""},
                 {"a name still in use (an alias of the gazetteer)",
                  "Burma has closed its border, officials say.\n", "", ""},
             });
}

TEST_CASE("flag-slips.part-for-whole.v1 flags a constituent part named among states") {
  check_rule(
      "flag-slips.part-for-whole.v1",
      {
          {"diplomatic pairing",
           "Israel\u2013Scotland relations\nThe envoy met officials in Jerusalem.", "Scotland",
           "United Kingdom"},
          {"a list of three states",
           "Sanctions return after France, Germany, and England trigger the snapback clause.",
           "England", "United Kingdom"},
      });
  check_rule(
      "flag-slips.part-for-whole.v1",
      {
          {"a sports fixture of two", "England and France drew 1\u20131 at Wembley on Saturday.",
           "", ""},
          {"the parts of one state", "Voters in England, Scotland and Wales go to the polls.", "",
           ""},
          {"the whole is in the list", "The United Kingdom, France and England sign the deal.", "",
           ""},
          {"a pairing that is no relation", "The Wales\u2013France match ends in a draw.", "", ""},
      });
}

TEST_CASE("flag-slips allowlist: names a publication uses on purpose are never flagged") {
  const std::string text =
      "Afghanistan and Pakistan look for a thaw\n"
      "Afghan officials in Kabul met Pakistani envoys on Monday. Pakistan has hosted refugees from "
      "Afghanistan for decades, and Islamabad says the border must stay open.\n"
      "While relations between Kabul and Istanbul remain tense, both governments want more trade. "
      "Islamabad and Kabul will meet again next month.";
  auto run_with = [&](std::map<std::string, std::string> values) {
    const copydesk::Pipeline p =
        copydesk::Pipeline::build({"flag-slips"}, copydesk::testing::test_settings(values));
    Document d;
    d.id = "t";
    d.original = text;
    p.run(d);
    return d;
  };
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "copydesk_flag_slips_allowlist_test";
  std::filesystem::create_directories(dir);
  const std::string good = (dir / "allow.tsv").string(), bad = (dir / "bad.tsv").string();
  std::ofstream(good) << "# house names\nIstanbul\tour correspondent's base\n";
  std::ofstream(bad) << "Istanbul\n\tnote without a name\n";

  CHECK(findings_of(run_with({}), "flag-slips.confusable-place").size() ==
        1);  // the default list is empty
  CHECK(findings_of(run_with({{"flag-slips.allowlist", good}}), "flag-slips.confusable-place")
            .empty());
  CHECK(
      findings_of(run_with({{"flag-slips.allowlist", ""}}), "flag-slips.confusable-place").size() ==
      1);
  CHECK_THROWS_AS(run_with({{"flag-slips.allowlist", bad}}), copydesk::ConfigError);
  CHECK_THROWS_AS(run_with({{"flag-slips.allowlist", (dir / "missing.tsv").string()}}),
                  copydesk::ConfigError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("flag-slips place rules leave lists of states and namesakes of dependencies alone") {
  check_no_place_findings({
      {"a look-alike inside a list of three or more states",
       "Jordan and Syria\nJordanian and Syrian envoys met in Amman. Jordan says the talks, backed "
       "by the US, UK, "
       "Japan, France and Germany, went well. Jordan will host the next round.",
       "", ""},
      {"a dependency's region that shares its name with a town of the stated state",
       "Spain and the United States\nMarines in Rota, Spain, await orders. Spain and the United "
       "States agree.",
       "", ""},
  });
}

// Digest-style texts below (topic headings over one prose line each) are
// written for these tests in the manner of a day's news summary.
TEST_CASE(
    "flag-slips.context-place.v1 flags a far country beside an actor whose neighbour the document "
    "pairs it with") {
  const std::string ukraine =
      "Russian invasion of Ukraine\nUkrainian drones strike a depot, and Ukraine says more will "
      "follow. (AP)\n";
  check_rule(
      "flag-slips.context-place.v1",
      {
          {"the actor's neighbour, paired with it in a heading, is meant (the speaker is not "
           "flagged)",
           ukraine + "Business and economy\nMarkets in Europe fall.\nInternational relations\n"
                     "The United States says that Russia and Iraq agree to stop attacks at sea. "
                     "(Reuters)\n",
           "Iraq", "Ukraine"},
      });
  check_no_place_findings({
      {"the sentence names the neighbour itself",
       ukraine + "International relations\nRussia and Iraq agree to stop attacks at sea, and "
                 "Ukraine welcomes the "
                 "deal. (Reuters)\n",
       "", ""},
      {"the actor is more than eight words away",
       "Trade\nOfficials from Russia said on Monday that exports of grain, fertiliser and oil "
       "would keep growing "
       "over the next year despite sanctions on Iraq. (AP)\n" +
           ukraine,
       "", ""},
      {"no neighbour of the actor is paired with it anywhere",
       "Energy\nRussia and Iraq sign an oil deal in Moscow, Russian officials say. "
       "(AP)\nSports\nBrazil beats "
       "Argentina.\n",
       "", ""},
      {"a neighbour of the written country in the sentence: a regional story",
       ukraine + "Middle East\nRussia and Iraq agree to more oil exports through Syria, officials "
                 "in Baghdad say. "
                 "(Reuters)\n",
       "", ""},
  });
}

TEST_CASE(
    "flag-slips.confusable-place.v1 flags a look-alike in a frame the document fills with "
    "another") {
  check_rule(
      "flag-slips.confusable-place.v1",
      {
          {"the 2026 Iraq war beside the 2026 Iran war, three times",
           "Economic impact of the 2026 Iran war\nOil prices rise during the 2026 Iran war, "
           "analysts say. "
           "Shipping through the Gulf slows because of the 2026 Iran war. Iraqi exports fall.\n"
           "Airlines cancel flights because of the 2026 Iraq war. (AP)\n",
           "Iraq", "Iran"},
      });
  check_no_place_findings({
      {"countries in their own frames, one of each",
       "Iraq in the 2026 Iran war, Syria in the 2026 Iran war, Jordan in the 2026 Iran war\nIraq "
       "closes its "
       "airspace. (AP)\n",
       "", ""},
  });
}

TEST_CASE(
    "flag-slips.confusable-place.v1 flags a name written for the longer name that ends in it") {
  check_rule("flag-slips.confusable-place.v1",
             {
                 {"an address in a digest that names the longer country elsewhere",
                  "Kivu conflict\nRebels enter a village in North Kivu, Democratic Republic of the "
                  "Congo, and kill "
                  "70 people. (AP)\nM23 campaign\nM23 rebels capture Ihusi, Republic of the Congo, "
                  "and residents "
                  "flee. (BBC)\n",
                  "Republic of the Congo", "Democratic Republic of the Congo"},
             });
  check_no_place_findings({
      {"both names in one sentence",
       "Oil talks\nSudan and South Sudan agree to reopen the oil pipeline, officials in Juba say. "
       "(AP)\n",
       "", ""},
      {"a longer official name with a typographic apostrophe",
       "Trade\nThe People\u2019s Republic of China said on Monday that trade would grow. China and "
       "Japan will meet "
       "in Tokyo. (AP)\n",
       "", ""},
  });
}

TEST_CASE(
    "flag-slips.region-country.v1 flags a country written as a region of the story's country") {
  check_rule("flag-slips.region-country.v1",
             {
                 {"a look-alike state of the addressed country",
                  "Nigerian bandit conflict\nGunmen attack three army bases in Kaduna and Nigeria "
                  "States in Nigeria. "
                  "The army says 20 attackers are killed. (AP)\n",
                  "Nigeria", "Niger"},
             });
  check_no_place_findings({
      {"a region named like a country",
       "Floods\nFloods in Niger State, Nigeria, kill 30 people, Nigerian officials "
       "say. (AP)\n",
       "", ""},
      {"a US town addressed to its state, in a document about the United States",
       "Jobs in the United States\nThe United States will add jobs, and the United States "
       "economy grows, officials in Washington said.\nThe company will build a factory near "
       "Savannah, Georgia, next year.\n",
       "", ""},
      {"a country's native name that is an English word",
       "Japan and the United States\nJapan and the United States will work with Pacific Island "
       "States on fisheries. Japan says the United States agrees.\n",
       "", ""},
      {"a lowercase 'state' is no region's name",
       "Kenya and the United States\nPresident Ruto said during the Kenya state visit that Kenya "
       "and the United "
       "States would work together. (AP)\n",
       "", ""},
  });
}

TEST_CASE(
    "flag-slips.confusable-place.v1 reads a demonym before a capitalised name as a modifier") {
  check_rule("flag-slips.confusable-place.v1",
             {
                 {"'Swiss Coast Guard' in a story about Sweden (Swiss is singular, not a plural of "
                  "'Swis')",
                  "Russia\u2013Sweden relations\nThe Swiss Coast Guard boards a Russian tanker off "
                  "the coast of "
                  "Gotland. (AP)\n",
                  "Swiss", "Swedish"},
             });
  check_no_place_findings({
      {"both countries of the story named",
       "Switzerland and Sweden\nThe Swiss Army and the Swedish Navy train together near Geneva, "
       "Swiss officials "
       "say. (AP)\n",
       "", ""},
  });
}

TEST_CASE(
    "flag-slips place rules read an amount in a country's own currency as evidence of that "
    "country") {
  // config/gazetteer/currencies.tsv: "A$" and "AUD" are Australia's.
  check_rule("flag-slips.remote-place.v1",
             {
                 {"a look-alike country beside amounts in the meant country's dollars",
                  "Welfare scheme\nAustria agrees to pay an additional A$400 million to victims of "
                  "the unlawful "
                  "debt scheme, bringing the total to A$1.8 billion. (Reuters)\n",
                  "Austria", "Australia"},
                 {"a symbol counts before any amount ('A$40')",
                  "Welfare\nAustria agrees to pay A$40 to each victim of the scheme, and A$12 more "
                  "to their "
                  "families. (Reuters)\n",
                  "Austria", "Australia"},
                 {"the currency's code before an amount",
                  "Welfare scheme\nAustria agrees to pay an additional AUD 400 million to victims "
                  "of the unlawful "
                  "debt scheme, bringing the total to AUD 1,800 million. (Reuters)\n",
                  "Austria", "Australia"},
             });
  for (const char* rule : {"flag-slips.remote-place.v1", "flag-slips.confusable-place.v1"})
    check_rule(
        rule,
        {
            {"the written country is the story's own; the amount is a conversion",
             "Gas deal\nAustria's OMV buys a gas field for A$900 million. Officials in Vienna say "
             "Austria needs the gas. (Reuters)\n",
             "", ""},
            {"a code that is an English word before a small number is the word ('ALL 5')",
             "Markets\nShares in Algeria rose on Monday, and ALL 5 banks and ALL 3 insurers "
             "gained. "
             "(AP)\n",
             "", ""},
        });
}

TEST_CASE(
    "flag-slips place rules leave a sovereign state in a list or a run of destinations alone") {
  for (const char* rule : {"flag-slips.remote-place.v1", "flag-slips.confusable-place.v1",
                           "flag-slips.context-place.v1"})
    check_rule(
        rule,
        {
            {"a look-alike of a near state inside a list of states",
             "Aid\nThe programme trains nurses in Uganda, Kenya, South Africa, and Rwanda, "
             "officials "
             "in Juba say. South Sudan and Uganda welcome it. (AP)\n",
             "", ""},
            {"'to X, to Y, to \u2014 to Z': destinations are a list",
             "Drug prices\nThe President said: I can fly you to Toronto, to Berlin, to \u2014 to "
             "Rome, "
             "and the same pill costs less. Families in Chicago, Brooklyn and The Bronx pay more. "
             "New York and Chicago hospitals agree.\n",
             "", ""},
            {"'from X to Y to Z'",
             "AI safety\nWe are building institutes around the world, from Canada to Singapore to "
             "Japan. The United States and America's partners agree. The United States leads.\n",
             "", ""},
        });
  // A region listed among states is still a slip ("Ethiopia, Yemen, and Tasmania": see
  // remote-place).
}

TEST_CASE(
    "flag-slips place rules need a pairing for a faint look-alike and read neighbours and "
    "compounds") {
  for (const char* rule : {"flag-slips.confusable-place.v1", "flag-slips.remote-place.v1",
                           "flag-slips.repeated-place.v1"})
    check_rule(
        rule,
        {
            {"a faint look-alike named once, not paired ('Iran' in an article about Israel)",
             "Israel and its neighbours\nIsrael says its air defences work. Israeli officials in "
             "Jerusalem thank allies for support against all threats, including Iran. Israel will "
             "respond. Israel and Egypt meet in Cairo.\n",
             "", ""},
            {"a place paired with its own neighbour ('Finland and Sweden' beside Sudan)",
             "NATO grows\nNATO has two new members, Finland and Sweden. Sudan and South Sudan "
             "talks "
             "resume in Khartoum, Sudanese officials say. Sudan hopes for peace. Sudan signs.\n",
             "", ""},
            {"a neighbour pairing in a story about a look-alike ('Mexico and Canada', China)",
             "Trade\nThe governments of Mexico and Canada join the committee. Chinese officials in "
             "Beijing say China will also help. China agrees.\n",
             "", ""},
            {"a compound modifier is not a repetition ('Iran and Iran-backed groups')",
             "Strikes\nTroops guard against hostile action by Iran and Iran-backed groups in Syria "
             "and "
             "Iraq, Iraqi officials in Baghdad say. Iraq and Syria agree.\n",
             "", ""},
        });
  check_rule(
      "flag-slips.confusable-place.v1",
      {
          {"a faint look-alike paired with a partner that is no neighbour of the meant place",
           "Israel talks\nIsrael and Egypt meet in Cairo. Israeli officials in Jerusalem say that "
           "a deal "
           "between the United States and Iran is within reach. Israel agrees.\n",
           "", ""},
      });
  // The pairing that lets a faint look-alike through: "Kabul and Istanbul" (see
  // the first confusable-place table; "Istanbul" and "Islamabad" resemble each other at 0.62).
}

TEST_CASE(
    "flag-slips.confusable-place.v1 reads a sentence's place or money as evidence for a look-alike "
    "country") {
  check_rule(
      "flag-slips.confusable-place.v1",
      {
          {"a country named once, its event located in a region of the look-alike",
           "Ebola\nThe Republic of the Congo declares a new Ebola outbreak in Kasa\u00ef Province "
           "with 28 "
           "suspected cases. (Reuters)\n",
           "Republic of the Congo", "Democratic Republic of the Congo"},
          {"'North X' with a city of 'South X' after 'in'",
           "Floods\nHeavy rain in Busan floods subway stations, North Korea's weather agency says. "
           "(Yonhap)\n",
           "North Korea", "South Korea"},
      });
  check_rule("flag-slips.confusable-place.v1",
             {
                 {"the look-alike is named too",
                  "Ebola\nThe Democratic Republic of the Congo declares a new Ebola "
                  "outbreak in Kasa\u00ef Province. (Reuters)\n",
                  "", ""},
                 {"a place of the written country in the sentence",
                  "Ebola\nThe Republic of the Congo sends doctors "
                  "from Brazzaville to work in Kasa\u00ef "
                  "Province. (Reuters)\n",
                  "", ""},
                 {"an act across a border ('sends aid to Juba')",
                  "Aid\nSudan sends aid to Juba after floods in the south. (Reuters)\n", "", ""},
                 {"a missile 'near' a city",
                  "Korea\nNorth Korea fires a missile that lands near Busan, officials "
                  "say. (Yonhap)\n",
                  "", ""},
                 {"the written country is named elsewhere",
                  "Niger\nNiger's army says its troops fought in Kano. "
                  "Niger and its allies agree. (Reuters)\n",
                  "", ""},
             });
}

TEST_CASE("flag-slips.context-place.v1 flags a heading's country that its story never mentions") {
  check_rule("flag-slips.context-place.v1",
             {
                 {"the heading's only country is absent from prose about another",
                  "Disasters and accidents\n2025 Iraq earthquake\nHundreds of people are found "
                  "under the rubble "
                  "after the earthquake in Nangarhar Province, Afghanistan, bringing the death "
                  "toll to 2,205. "
                  "(AP)\n",
                  "Iraq", "Afghanistan"},
             });
  check_rule("flag-slips.context-place.v1",
             {
                 {"the heading names a wider context with another country",
                  "Armed conflicts\nRussian invasion of Ukraine\nA Russian drone breaches Romanian "
                  "airspace, and "
                  "Romania scrambles jets over Tulcea. (AP)\n",
                  "", ""},
                 {"the prose names the heading's country",
                  "Disasters and accidents\n2025 Afghanistan earthquake\nRescuers from Pakistan "
                  "reach Nangarhar "
                  "Province in eastern Afghanistan; Pakistani teams stay in Kabul. (AP)\n",
                  "", ""},
                 {"the prose names another country once, no look-alike of the heading's",
                  "Disasters\nMarch 2025 Chile wildfires\nA wildfire in Uiseong County, South "
                  "Korea, spreads "
                  "to the north. (AP)\n",
                  "", ""},
                 {"heading and prose name look-alikes, the prose's also elsewhere",
                  "Disasters\nMarch 2025 North Korea wildfires\nA wildfire in Uiseong County, "
                  "South Korea, spreads "
                  "to the north. (AP)\nSports\nSouth Korea beats Japan 2-1 in Seoul. (AP)\n",
                  "", ""},
             });
}

TEST_CASE(
    "flag-slips.context-place.v1 flags both sides when a heading and its prose name look-alikes "
    "once") {
  // Either side may be the slip: each finding suggests the other name.
  struct Row {
    const char* label;
    const char* text;
  };
  for (const Row& r : {Row{"the heading slipped",
                           "Disasters\nMarch 2025 North Korea wildfires\nA wildfire in Uiseong "
                           "County, South Korea, "
                           "spreads to the north. (AP)\n"},
                       Row{"the prose slipped",
                           "Disasters\nMarch 2025 South Korea wildfires\nA wildfire in Uiseong "
                           "County, North Korea, spreads to the north. (AP)\n"}}) {
    const std::string label = r.label;
    CAPTURE(label);
    const Document d = run_stages({"flag-slips"}, r.text);
    const auto found = findings_of(d, "flag-slips.context-place.v1");
    REQUIRE(found.size() == 2);
    std::set<std::pair<std::string, std::string>> got;
    for (const auto& f : found)
      got.insert({std::string(f.orig.in(d.original)), f.finding.suggestion});
    CHECK(got == std::set<std::pair<std::string, std::string>>{{"North Korea", "South Korea"},
                                                               {"South Korea", "North Korea"}});
  }
}

TEST_CASE(
    "flag-slips.confusable-place.v1 takes a look-alike named once in its story and more "
    "elsewhere") {
  // The story's support for Iran: 1 in the story plus a fifth of the 2 elsewhere = 1.4 (from 1.2
  // up).
  check_rule("flag-slips.confusable-place.v1",
             {
                 {"the look-alike once in the story, twice in another",
                  "Diplomacy\nIran talks\nIran and Oman meet in Muscat. Iran says the talks go "
                  "well. (AP)\n"
                  "Armed conflicts\nPrelude to the 2026 Iraq war\nThe U.S. sends ships to the Gulf "
                  "as fears grow "
                  "of strikes against Iran. (AP)\n",
                  "Iraq", "Iran"},
             });
  check_rule("flag-slips.confusable-place.v1",
             {
                 {"the look-alike only in another story (0.4)",
                  "Diplomacy\nIran talks\nIran and Oman meet in Muscat. Iran says the talks go "
                  "well. (AP)\n"
                  "Armed conflicts\nPrelude to the 2026 Iraq war\nThe U.S. sends ships to the Gulf "
                  "as fears of "
                  "strikes grow. (AP)\n",
                  "", ""},
             });
}
