// Gazetteer: countries, capitals, major cities, first-level regions and demonyms, loaded once from
// config/gazetteer/ (countries.tsv, names.tsv; see its README.md) and matched
// over the runner's tokens with one hash lookup per token n-gram.
//
//   Gazetteer g = Gazetteer::load(ctx.data_path("gazetteer"));
//   for (const PlaceMention& m : g.find_mentions(view.text, view.tokens)) {
//     // m.span: the name ("Nairobi" in "Nairobi's" or "Nairobis"), UTF-8 bytes
//     // m.readings: every gazetteer row the surface form stands for
//   }
//
// Matching is case-sensitive on the name as written ("Dar es Salaam",
// "Guinea-Bissau"); a name may span several tokens separated by spaces (not
// line breaks). Possessives are recognised with or without the apostrophe
// ("Nairobi's", "Nairobi\u2019s", "Nairobis": the apostrophe may have been lost).
// The Gazetteer is immutable after load() and safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pipeline/span.h"
#include "pipeline/tokens.h"

namespace copydesk {

// kRegion: a first-level subdivision ("Paktia", "Northern Territory").
enum class PlaceKind : uint8_t { kCountry, kAlias, kCapital, kCity, kDemonym, kRegion };

std::string_view place_kind_name(PlaceKind k);

struct Country {
  std::string code;  // ISO 3166-1 alpha-2
  std::string name;  // common English name ("Afghanistan")
  std::vector<std::string> capitals;
  std::string region;
  std::string subregion;
  std::vector<uint16_t> borders;  // indexes into Gazetteer::countries()
  bool un_member = false;         // a UN member state (not a territory such as Anguilla)
};

// One row of names.tsv: a surface form and what it names.
struct PlaceName {
  std::string surface;
  PlaceKind kind;
  uint16_t country;     // index into Gazetteer::countries()
  uint32_t population;  // cities and capitals; 0 when unknown
};

struct PlaceMention {
  Span span;                       // the name, without a possessive ending (UTF-8 bytes)
  uint32_t first_token = 0;        // token index range [first_token, end_token) of the name;
  uint32_t end_token = 0;          // end_token is past the possessive "s" when it is glued on
  bool possessive = false;         // "Nairobi's" or "Nairobis"
  std::vector<uint32_t> readings;  // indexes into Gazetteer::names(), same surface
};

class Gazetteer {
 public:
  // Loads dir/countries.tsv and dir/names.tsv; ConfigError (file:line:col) on bad rows.
  static Gazetteer load(const std::string& dir);

  const std::vector<Country>& countries() const { return countries_; }
  const std::vector<PlaceName>& names() const { return names_; }
  // Every row naming a place of country c (its name, aliases, capitals, cities, demonyms).
  const std::vector<uint32_t>& names_of(uint16_t c) const { return by_country_[c]; }
  // Are a and b neighbours: sharing a land border or a subregion ("Western Africa")?
  bool near(uint16_t a, uint16_t b) const;
  // Do a and b share a land border?
  bool borders(uint16_t a, uint16_t b) const;
  std::optional<uint16_t> country_by_code(std::string_view code) const;
  // Rows whose surface form is exactly `surface` (nullptr when none).
  const std::vector<uint32_t>* lookup(std::string_view surface) const;

  // Every place name in the text, left to right, longest match first, non-overlapping.
  std::vector<PlaceMention> find_mentions(std::string_view text, const TokenList& tokens) const;

 private:
  std::vector<Country> countries_;
  std::vector<PlaceName> names_;
  std::vector<std::vector<uint32_t>> by_country_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_key_;  // token key -> rows
  std::unordered_set<std::string> key_prefixes_;                   // proper token-prefixes of keys
  std::unordered_map<std::string, uint16_t> by_code_;
  size_t max_tokens_ = 1;
};

// The token key of a surface form: its non-space tokens joined by one space
// ("Guinea-Bissau" -> "Guinea - Bissau"), as find_mentions builds it from text.
std::string token_key(std::string_view surface);

// --- Name similarity (on lowercase ASCII letters; other bytes are dropped) ---

// "Bras\u00edlia" -> "braslia", "New Delhi" -> "new delhi" (spaces kept, single).
std::string similarity_key(std::string_view name);
// Optimal string alignment distance (Levenshtein with adjacent transpositions).
size_t edit_distance(std::string_view a, std::string_view b);
// min(edit_distance(a, b), 2) in one pass and no allocation: the misspelling
// search compares each capitalised word with every place name.
size_t edit_distance_capped_at_2(std::string_view a, std::string_view b);
// Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters).
double jaro_winkler(std::string_view a, std::string_view b);
// A crude sound key: first letter, then consonant classes without repeats
// ("Islamabad" -> "i2515", Soundex-like but not truncated).
std::string sound_key(std::string_view key);
// How alike two place names look or sound, in [0, 1]: the best of edit
// similarity, Jaro-Winkler, sound key, and word structure ("Sudan" inside
// "South Sudan", "North Korea" vs "South Korea"); a shared first word before
// different heads counts for nothing ("United Arab Emirates" vs "United
// States" resemble each other as much as "arab emirates" and "states"). 1
// means equal keys.
double name_similarity(std::string_view a, std::string_view b);

}  // namespace copydesk
