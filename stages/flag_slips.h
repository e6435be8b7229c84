// flag-slips: findings for a reviewer, never edits. Knows what the article is
// about (a country profile built from the gazetteer: country names, capitals,
// cities and demonyms, weighted by count and position) and flags the odd one
// out, plus a few editorial slips.
//
//   copydesk clean --stages flag-slips article.txt
//   // article.txt:7:38: warning flag-slips.confusable-place.v1: 'Istanbul'
//   //   (Turkey) is paired with 'Kabul' in an article about Afghanistan and
//   //   Pakistan; did you mean 'Islamabad'?
//
// Rules (each can be switched off with "<name>.enabled = false" and given a
// severity with "<name>.severity = suggestion|warning|error" in [flag-slips]):
//   confusable-place   flag-slips.confusable-place.v1    a place outside the
//                      article's countries, related to its places and
//                      resembling one that fits ("Istanbul" for "Islamabad");
//                      also a look-alike in a frame the document fills with
//                      another ("the 2026 Iraq war" beside "the 2026 Iran war"
//                      twice or more) and a name written once where the
//                      document writes a longer one ending in it ("Republic of
//                      the Congo" for "Democratic Republic of the Congo");
//                      and a country named once whose sentence locates its
//                      event in a place of a look-alike country ("The Republic
//                      of the Congo declares an outbreak in Kasa\u00ef Province")
//                      or counts in its currency ("Austria agrees to pay
//                      A$475 million"); a faint look-alike (resemblance under
//                      0.7: "Istanbul"/"Islamabad") only when paired with a
//                      neighbour of the meant place ("Kabul and Istanbul"), and
//                      no look-alike when the partner is the written place's
//                      own neighbour ("Finland and Sweden"; for a look-alike
//                      under 0.72 even when it neighbours the partner too:
//                      "Iraq and Syria" in a story about Israel); and in a list of
//                      three to eight countries that mostly border the story's
//                      main country, one named nowhere else that does not,
//                      when its look-alike does ("fled to Poland, Moldova,
//                      Romania or Slovenia" in a story about Ukraine: Slovakia)
//   context-place      flag-slips.context-place.v1       a lone country in a
//                      phrase the article uses elsewhere for its main country
//                      ("invasion of Iraq" beside "invasion of Ukraine"; not a
//                      phrase it fills with several countries: "deployed to
//                      Niger", "deployed to Kenya", "deployed to Jordan"), or a
//                      sovereign country named once, far from every country of
//                      its story, in a sentence naming a neighbour of the
//                      story's main country ("Russia and Peru agree" in a story
//                      about Ukraine); the latter at confidence 0.32-0.42; or a
//                      country named once, far from the actor of its sentence,
//                      where the document pairs that actor with a neighbour
//                      ("Russian invasion of Iraq" after "Russian invasion of
//                      Ukraine"), at 0.34-0.42; or the only country of a
//                      story's headings, named nowhere else, over prose about
//                      another country that never mentions it ("2025 Iraq
//                      earthquake" over "... in Nangarhar Province,
//                      Afghanistan"), at 0.4-0.55; or a heading's country
//                      and its prose's look-alike, each named once in the
//                      document ("March 2025 North Korea wildfires" over "a
//                      wildfire in Uiseong County, South Korea"): either may
//                      be the slip, so both are flagged at 0.4, each
//                      suggesting the other
//                      Also a war between a story country and a far country
//                      named once, while the story's other main country
//                      borders the first ("The Russia-Iraq war" in a story
//                      about Russia and Ukraine), at 0.45.
//   remote-place       flag-slips.remote-place.v1        a place far from its story's
//                      countries (no border, no shared subregion) resembling a country near
//                      them, when that country is named in the document or the written place
//                      is a region or dependency ("Ethiopia, Yemen, and Tasmania": Tanzania)
//   repeated-place     flag-slips.repeated-place.v1      "Lithuania and Lithuania": the
//                      second suggested as the most alike neighbour (Latvia); also
//                      a country twice in a row in a list of three countries or more
//                      ("Estonia, Lithuania, Lithuania and Poland": the one whose other
//                      neighbour borders the look-alike), not a speaker's "Russia,
//                      Russia, Russia"
//   former-name        flag-slips.former-name.v1         a country that no longer exists
//                      acting today: "Czechoslovakia has lifted its entry ban" (a verb
//                      in the present, perfect or future after it; not "split in 1993",
//                      "the former Yugoslavia", "has been gone"); suggests the successor
//                      the document is about, as it writes it (config/gazetteer/former.tsv)
//   part-for-whole     flag-slips.part-for-whole.v1      a region named among states:
//                      "Israel\u2013England relations", "France, Germany, and England"
//                      (suggests "United Kingdom"; not two-name pairings: sports fixtures)
//   wrong-capital      flag-slips.wrong-capital.v1       "X, the capital of Y"
//                      or "the Turkish capital Islamabad" with X not Y's capital
//   city-country       flag-slips.city-country.v1        "Sumy, Iraq", "Lviv in western Iraq"
//   region-country     flag-slips.region-country.v1      "Paktia Province, Iraq", "the Nangarhar
//                      provinces of Iraq": a first-level region addressed to another country;
//                      "Kaduna and Nigeria States": a country written as a region, a
//                      look-alike region of the story's country meant (Niger State)
//   misspelt-place     flag-slips.misspelt-place.v1      "Nambia", "Columbians": a capitalised
//                      word, no place and no common word, one edit from a country, demonym or
//                      capital; a name prose knows ("Columbia") only with an address or pairing
//   doubled-word       flag-slips.doubled-word.v1        "the the" (not "had had",
//                      nor "look to to ensure": a stranded "to", then an infinitive)
//   determiner-possessive flag-slips.determiner-possessive.v1  "the its" (not the
//                      distributive "to each his share", nor a title: "the My
//                      Brother's Keeper initiative")
//   doubled-auxiliary  flag-slips.doubled-auxiliary.v1   "Where are X and Y's
//                      relations are headed?" (not the pseudo-cleft "What is
//                      new is that ...": what/who/which only in a sentence
//                      that ends with "?"; not "How do you do that?", whose
//                      second "do" is the main verb; not across a dash, a
//                      question mark or a second wh-word: "What is \u2014 is
//                      he ...?"; not after "to": "agreed on to have")
//   weekday-date       flag-slips.weekday-date.v1        "Monday, March 4, 2025"
//                      (a Tuesday); see stages/flag_slips_dates.h
// Place rules leave alone a sovereign state in a list of three or more
// states, destinations or origins ("to Toronto, to Berlin, to Rome", "from
// Canada to Singapore to Japan", "from Haiti, from Russia, from Venezuela")
// and a name in a compound modifier ("Iran-backed").
// context-place also leaves alone the items of a bulleted headline list and
// of a listing: six or more lines in a row none of which reads as prose (a
// ticker of headlines and times, site navigation), whose items are unrelated,
// and a country named as an example ("such as Ireland", "including Chile",
// "nations like Iran").
// The profile also counts a country's dotted initials ("U.S.", "U.K.": half
// a name's weight; initials two countries share are left out) and amounts in
// a country's own currency ("A$475",
// "KRW 1,000"; config/gazetteer/currencies.tsv); a currency code counts only
// before an amount that looks like money ("TOP 10" is no Tongan money).
// The place rules judge a place against the profile of its story, not only
// of the whole page: a digest of unrelated stories (a day's news under topic
// headings) is split at each heading line that follows prose.
// context-place also reads pair parallels: "Iraq\u2013Pakistan war" where the
// article otherwise pairs Pakistan with Afghanistan (not a pairing of
// neighbours: "Sweden and Finland").
// Allowlist: "allowlist" names a file of names the publication uses on
// purpose (default flag-slips/allowlist.tsv, under the data dir; an absolute
// path is taken as is; empty: none). One name per line, an optional note in a
// second tab-separated column, '#' comments. A finding whose span is exactly
// such a name (case-sensitive) is never reported, whatever the rule.
// Other settings: gazetteer (data dir, default "gazetteer"), min-confidence
// (default 0.3: findings below are not reported; lowering it trades false
// alarms for recall; chosen on dev with score_slips.py --sweep at
// min-confidence 0: recall 0.440, 0.69 false flags per 10k words; v3 with regions and
// misspellings: recall 0.539, 0.69 false flags per 10k words; with remote-place,
// repeated-place, part-for-whole and lone countries: recall 0.631, 0.52; with
// actor neighbours, frames, contained names, countries as regions and demonyms
// before names ("Swiss Coast Guard"): recall 0.702, 0.52; with currencies,
// look-alike evidence in the sentence, pairing needed for faint look-alikes,
// lists of destinations and support from 1.2: recall 0.723, 0.52; with
// heading/prose look-alikes and no parallel to a country its sentence names,
// at the default min-confidence: recall 0.745,
// 0.52).
// Data: config/gazetteer/{countries,names,currencies,former}.tsv,
// config/flag-slips/{function_words,word_counts,allowlist}.tsv (README.md in each).
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace copydesk {

std::unique_ptr<Stage> make_flag_slips_stage(const StageContext& ctx);

}  // namespace copydesk
