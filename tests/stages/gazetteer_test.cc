// Gazetteer: loading config/gazetteer/, matching names over tokens, and the
// name-similarity measures flag-slips derives confusable places from.
#include "stages/gazetteer.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pipeline/tokens.h"

using copydesk::Gazetteer;
using copydesk::PlaceKind;

namespace {

const Gazetteer& gaz() {
  static const Gazetteer g =
      Gazetteer::load(std::string(COPYDESK_SOURCE_CONFIG_DIR) + "/gazetteer");
  return g;
}

std::vector<std::string> mention_texts(const std::string& text,
                                       std::vector<bool>* possessive = nullptr) {
  const copydesk::TokenList toks = copydesk::tokenize(text);
  std::vector<std::string> out;
  for (const auto& m : gaz().find_mentions(text, toks)) {
    out.emplace_back(m.span.in(text));
    if (possessive) possessive->push_back(m.possessive);
  }
  return out;
}

}  // namespace

TEST_CASE("Gazetteer loads countries, capitals, cities and demonyms") {
  const auto af = gaz().country_by_code("AF");
  REQUIRE(af);
  CHECK(gaz().countries()[*af].name == "Afghanistan");
  CHECK(gaz().countries()[*af].capitals == std::vector<std::string>{"Kabul"});
  struct Row {
    const char* label;
    const char* surface;
    PlaceKind kind;
    const char* code;
  } rows[] = {
      {"country", "Pakistan", PlaceKind::kCountry, "PK"},
      {"capital", "Islamabad", PlaceKind::kCapital, "PK"},
      {"multi-word capital", "New Delhi", PlaceKind::kCapital, "IN"},
      {"city", "Karachi", PlaceKind::kCity, "PK"},
      {"demonym", "Afghan", PlaceKind::kDemonym, "AF"},
      {"plural demonym", "Pakistanis", PlaceKind::kDemonym, "PK"},
      {"alias", "UK", PlaceKind::kAlias, "GB"},
      {"accent-folded capital", "Brasilia", PlaceKind::kCapital, "BR"},
      {"city without 'City'", "New York", PlaceKind::kCity, "US"},
      {"region", "Paktia", PlaceKind::kRegion, "AF"},
      {"region without its generic word", "Dnipropetrovsk", PlaceKind::kRegion, "UA"},
      {"region with an English compass word", "North Kivu", PlaceKind::kRegion, "CD"},
      {"stem of two compass-suffixed regions (Kasa\u00ef-Occidental, -Oriental)", "Kasa\u00ef",
       PlaceKind::kRegion, "CD"},
      {"the same stem without its accent", "Kasai", PlaceKind::kRegion, "CD"},
      {"multi-word generic region of one country", "Northern Territory", PlaceKind::kRegion, "AU"},
      {"region named like a country", "Georgia", PlaceKind::kRegion, "US"},
  };
  for (const auto& r : rows) {
    const std::string label = r.label;
    CAPTURE(label);
    const auto* found = gaz().lookup(r.surface);
    REQUIRE(found);
    bool ok = false;
    for (uint32_t i : *found) {
      const auto& n = gaz().names()[i];
      ok = ok || (n.kind == r.kind && gaz().countries()[n.country].code == r.code);
    }
    CHECK(ok);
  }
  CHECK(gaz().lookup("kabul") == nullptr);  // matching is case-sensitive
}

TEST_CASE("Gazetteer finds names, multi-word names and possessives in text") {
  struct Row {
    const char* label;
    const char* text;
    std::vector<std::string> names;
    std::vector<bool> possessive;
  } rows[] = {
      {"pair", "relations between Kabul and Islamabad", {"Kabul", "Islamabad"}, {false, false}},
      {"multi-word",
       "flights from New Delhi to Dar es Salaam",
       {"New Delhi", "Dar es Salaam"},
       {false, false}},
      {"possessive with apostrophe", "Kabul's allegations", {"Kabul"}, {true}},
      {"possessive, curly apostrophe", "Kabul\u2019s allegations", {"Kabul"}, {true}},
      {"possessive, apostrophe lost",
       "Kabuls allegations and Pakistans army",
       {"Kabul", "Pakistan"},
       {true, true}},
      {"plural demonym is not a possessive",
       "Afghans and Pakistanis",
       {"Afghans", "Pakistanis"},
       {false, false}},
      {"hyphenated pair",
       "Pakistan-Afghanistan dealings",
       {"Pakistan", "Afghanistan"},
       {false, false}},
      {"hyphenated country", "Guinea-Bissau votes", {"Guinea-Bissau"}, {false}},
      {"demonym", "the Afghan Taliban", {"Afghan"}, {false}},
      {"lowercase is not a name", "a turkey and a china plate", {}, {}},
      {"no match across a line break", "New\nZealand", {}, {}},
      {"curly apostrophe inside a name",
       "the People\u2019s Republic of China",
       {"People\u2019s Republic of China"},
       {false}},
  };
  for (const auto& r : rows) {
    const std::string label = r.label;
    CAPTURE(label);
    std::vector<bool> poss;
    CHECK(mention_texts(r.text, &poss) == r.names);
    CHECK(poss == r.possessive);
  }
}

TEST_CASE("Name similarity separates look-alike places from unrelated ones") {
  CHECK(copydesk::edit_distance("iran", "iraq") == 1);
  CHECK(copydesk::edit_distance("ab", "ba") == 1);  // adjacent transposition
  {
    // The capped distance agrees with the full one wherever that is below 2.
    const char* const words[] = {"",        "a",       "ab",    "ba",     "abc",    "acb",
                                 "abd",     "abcd",    "iran",  "iraq",   "irna",   "nambia",
                                 "namibia", "nigeria", "niger", "nigera", "naimbia"};
    for (const char* a : words)
      for (const char* b : words) {
        CAPTURE(a);
        CAPTURE(b);
        CHECK(copydesk::edit_distance_capped_at_2(a, b) ==
              std::min<size_t>(copydesk::edit_distance(a, b), 2));
      }
  }
  CHECK(copydesk::jaro_winkler("martha", "marhta") == doctest::Approx(0.961).epsilon(0.01));
  CHECK(copydesk::similarity_key("Bras\u00edlia") == "braslia");
  CHECK(copydesk::similarity_key("Guinea-Bissau") == "guinea bissau");
  struct Row {
    const char* a;
    const char* b;
    bool alike;
  } rows[] = {
      {"Iran", "Iraq", true},
      {"Austria", "Australia", true},
      {"Slovenia", "Slovakia", true},
      {"Niger", "Nigeria", true},
      {"North Korea", "South Korea", true},
      {"Sudan", "South Sudan", true},
      {"Republic of the Congo", "Democratic Republic of the Congo", true},
      {"Zambia", "Gambia", true},
      {"Istanbul", "Islamabad", true},
      {"Columbia", "Colombia", true},
      {"France", "Iran", false},
      {"Germany", "Iran", false},
      {"Russia", "Republica Moldova", false},
      {"Kabul", "Istanbul", false},
      {"Ukraine", "Iraq", false},
      {"Poland", "Pakistan", false},
      // a shared first word before different heads says nothing
      {"United Arab Emirates", "United States", false},
      {"South Africa", "South Korea", false},
      {"New Zealand", "New Caledonia", false},
      // a shared head with modifiers that do not look alike says nothing
      {"Dominican Republic", "Czech Republic", false},
      {"Mexico City", "Oklahoma City", false},
      {"East Timor", "West Timor", true},  // same head, a look-alike modifier
  };
  for (const auto& r : rows) {
    const std::string pair = std::string(r.a) + " / " + r.b;
    CAPTURE(pair);
    const double s = copydesk::name_similarity(r.a, r.b);
    if (r.alike)
      CHECK(s >= 0.6);
    else
      CHECK(s < 0.6);
    CHECK(s == doctest::Approx(copydesk::name_similarity(r.b, r.a)).epsilon(0.05));
  }
}

TEST_CASE("gazetteer keeps common English names a country dropped (Turkey for T\u00fcrkiye)") {
  const auto* rows = gaz().lookup("Turkey");
  REQUIRE(rows != nullptr);
  const auto tr = gaz().country_by_code("TR");
  REQUIRE(tr.has_value());
  bool found = false;
  for (uint32_t r : *rows) found = found || gaz().names()[r].country == *tr;
  CHECK(found);
}

TEST_CASE("Gazetteer knows UN membership, neighbours and constituent parts") {
  auto idx = [](const char* code) {
    const auto c = gaz().country_by_code(code);
    REQUIRE(c);
    return *c;
  };
  CHECK(gaz().countries()[idx("AO")].un_member);
  CHECK_FALSE(gaz().countries()[idx("AI")].un_member);  // Anguilla, a British territory
  struct Row {
    const char* label;
    const char* a;
    const char* b;
    bool near;
  } rows[] = {
      {"land border", "VE", "GY", true},
      {"same subregion, no border", "ET", "TZ", true},
      {"the same country", "FR", "FR", true},
      {"another continent", "VE", "GH", false},
      {"a dependency far away", "AI", "CD", false},
  };
  for (const auto& r : rows) {
    const std::string label = r.label;
    CAPTURE(label);
    CHECK(gaz().near(idx(r.a), idx(r.b)) == r.near);
    CHECK(gaz().near(idx(r.b), idx(r.a)) == r.near);
  }
  // England and its neighbours are regions of the United Kingdom, not countries.
  for (const char* part : {"England", "Scotland", "Wales", "Northern Ireland"}) {
    const std::string label = part;
    CAPTURE(label);
    const auto* found = gaz().lookup(part);
    REQUIRE(found);
    for (uint32_t i : *found) {
      CHECK(gaz().names()[i].kind == PlaceKind::kRegion);
      CHECK(gaz().countries()[gaz().names()[i].country].code == "GB");
    }
  }
}
