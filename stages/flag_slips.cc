#include "stages/flag_slips.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pipeline/data_files.h"
#include "pipeline/severity.h"
#include "stages/flag_slips_dates.h"
#include "stages/gazetteer.h"

namespace copydesk {
namespace {

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

struct RuleSwitch {
  std::string id;
  bool enabled = true;
  Severity severity = Severity::kWarning;

  // A finding of this rule at span; the caller fills suggestion, confidence
  // and message.
  Finding finding(Span span) const {
    Finding f;
    f.span = span;
    f.rule = id;
    f.severity = severity;
    return f;
  }
};

RuleSwitch rule_switch(const StageContext& ctx, const std::string& name, Severity fallback) {
  RuleSwitch r;
  r.id = "flag-slips." + name + ".v1";
  r.enabled = ctx.get_bool(name + ".enabled", true);
  const std::string sev = ctx.get(name + ".severity", std::string(severity_name(fallback)));
  auto parsed = parse_severity(sev);
  if (!parsed)
    throw ConfigError("setting '" + name +
                      ".severity': expected suggestion, warning or error, got '" + sev + "'");
  r.severity = *parsed;
  return r;
}

enum class WordClass : uint8_t {
  kArticle,
  kDeterminer,
  kDemonstrative,
  kPossessive,
  kPreposition,
  kConjunction,
  kAuxiliary,
  kWh
};

struct FunctionWord {
  WordClass cls;
  bool double_is_slip;
};

std::unordered_map<std::string, FunctionWord> load_function_words(const std::string& path) {
  static const std::pair<const char*, WordClass> kClasses[] = {
      {"article", WordClass::kArticle},
      {"determiner", WordClass::kDeterminer},
      {"demonstrative", WordClass::kDemonstrative},
      {"possessive", WordClass::kPossessive},
      {"preposition", WordClass::kPreposition},
      {"conjunction", WordClass::kConjunction},
      {"auxiliary", WordClass::kAuxiliary},
      {"wh", WordClass::kWh}};
  std::unordered_map<std::string, FunctionWord> out;
  for (const TsvRow& r : read_tsv(path, 3)) {
    const WordClass* cls = nullptr;
    for (const auto& [name, c] : kClasses)
      if (r.fields[1] == name) cls = &c;
    if (!cls)
      throw ConfigError(
          data_error(path, r.line, r.fields[0].size() + 2, "unknown class '" + r.fields[1] + "'"));
    if (r.fields[2] != "slip" && r.fields[2] != "ok")
      throw ConfigError(data_error(path, r.line, r.fields[0].size() + r.fields[1].size() + 3,
                                   "doubling must be 'slip' or 'ok'"));
    out[r.fields[0]] = {*cls, r.fields[2] == "slip"};
  }
  return out;
}

// config/flag-slips/word_counts.tsv: how often a word that looks like a
// place name is written lowercase and capitalised in English prose.
struct WordCount {
  uint32_t lower = 0;
  uint32_t cap = 0;
};

std::unordered_map<std::string, WordCount> load_word_counts(const std::string& path) {
  std::unordered_map<std::string, WordCount> out;
  for (const TsvRow& r : read_tsv(path, 3)) {
    WordCount w;
    try {
      w.lower = static_cast<uint32_t>(std::stoul(r.fields[1]));
      w.cap = static_cast<uint32_t>(std::stoul(r.fields[2]));
    } catch (const std::exception&) {
      throw ConfigError(
          data_error(path, r.line, r.fields[0].size() + 2, "counts must be whole numbers"));
    }
    out[r.fields[0]] = w;
  }
  return out;
}

// 'word' in quotes, built by appending: g++ 12 warns (-Wrestrict, a false
// positive) on "'" + std::string(...) once inlined.
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out.append(s);
  out += '\'';
  return out;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// ---------------------------------------------------------------------------
// Per-document analysis
// ---------------------------------------------------------------------------

// Kind weights for the profile: a country's name says more about what the
// article is about than a city that shares its name with one abroad.
double kind_weight(PlaceKind k) {
  switch (k) {
    case PlaceKind::kCountry:
    case PlaceKind::kAlias:
      return 1.0;
    case PlaceKind::kCapital:
      return 0.8;
    case PlaceKind::kDemonym:
      return 0.8;
    case PlaceKind::kCity:
    case PlaceKind::kRegion:
      return 0.5;
  }
  return 0.5;
}

struct Resolved {
  const PlaceMention* m;
  uint32_t name;  // chosen reading (index into names())
  uint16_t country;
  PlaceKind kind;
  double weight;    // contribution to the profile
  size_t sentence;  // sentence index of its first token
  size_t story;     // story index (see Doc::local)
  bool in_footer;
  bool heading = false;  // on a heading line (no sentence end, under 12 words)
};

class FlagSlips final : public Stage {
 public:
  explicit FlagSlips(const StageContext& ctx)
      : gaz_(Gazetteer::load(ctx.data_path(ctx.get("gazetteer", "gazetteer")))),
        words_(load_function_words(
            ctx.data_path(ctx.get("function-words", "flag-slips/function_words.tsv")))),
        counts_(
            load_word_counts(ctx.data_path(ctx.get("word-counts", "flag-slips/word_counts.tsv")))),
        confusable_(rule_switch(ctx, "confusable-place", Severity::kWarning)),
        context_(rule_switch(ctx, "context-place", Severity::kWarning)),
        wrong_capital_(rule_switch(ctx, "wrong-capital", Severity::kWarning)),
        city_country_(rule_switch(ctx, "city-country", Severity::kWarning)),
        region_country_(rule_switch(ctx, "region-country", Severity::kWarning)),
        misspelt_(rule_switch(ctx, "misspelt-place", Severity::kWarning)),
        remote_(rule_switch(ctx, "remote-place", Severity::kWarning)),
        repeated_(rule_switch(ctx, "repeated-place", Severity::kWarning)),
        part_(rule_switch(ctx, "part-for-whole", Severity::kWarning)),
        former_name_(rule_switch(ctx, "former-name", Severity::kWarning)),
        doubled_(rule_switch(ctx, "doubled-word", Severity::kWarning)),
        det_poss_(rule_switch(ctx, "determiner-possessive", Severity::kWarning)),
        doubled_aux_(rule_switch(ctx, "doubled-auxiliary", Severity::kWarning)),
        weekday_(rule_switch(ctx, "weekday-date", Severity::kWarning)),
        min_confidence_(ctx.get_double("min-confidence", 0.3)) {
    for (const auto& [word, fw] : words_)
      max_function_word_ = std::max(max_function_word_, word.size());
    // Currency signs ("A$", "AUD") of a country's own currency: evidence in
    // the profile ("A$475 million" is about Australia).
    const std::string gaz_dir = ctx.data_path(ctx.get("gazetteer", "gazetteer"));
    const std::string cur_path = gaz_dir + "/currencies.tsv";
    for (const TsvRow& r : read_tsv(cur_path, 3)) {
      const auto c = gaz_.country_by_code(r.fields[2]);
      if (!c)
        throw ConfigError(
            data_error(cur_path, r.line, 3, "unknown country code '" + r.fields[2] + "'"));
      if (r.fields[0].empty()) throw ConfigError(data_error(cur_path, r.line, 1, "empty sign"));
      currency_signs_[r.fields[0]] = *c;
    }
    // Dotted initials of multi-word common names of UN members ("U.S.",
    // "U.K.", "U.A.E."); initials two countries share ("S.A.": Saudi Arabia,
    // South Africa) are left out.
    {
      std::unordered_map<std::string, int> seen;
      std::vector<std::pair<std::string, uint16_t>> keys;
      for (uint16_t c = 0; c < gaz_.countries().size(); ++c) {
        const Country& country = gaz_.countries()[c];
        if (!country.un_member) continue;
        std::string key;
        size_t words = 0;
        for (const Token& t : tokenize(country.name)) {
          if (!t.is_word()) continue;
          const std::string_view w = t.in(country.name);
          if (w == "of" || w == "the" || w == "and") continue;
          if (w[0] < 'A' || w[0] > 'Z') break;
          key += w[0];
          key += '.';
          ++words;
        }
        if (words < 2) continue;
        ++seen[key];
        keys.emplace_back(key, c);
      }
      for (const auto& [key, c] : keys)
        if (seen[key] == 1) initials_[key] = c;
    }
    const std::string former_path = gaz_dir + "/former.tsv";
    for (const TsvRow& r : read_tsv(former_path, 3)) {
      FormerName f;
      for (const Token& t : tokenize(r.fields[0]))
        if (t.kind != TokenKind::kSpace) f.words.emplace_back(t.in(r.fields[0]));
      if (f.words.empty()) throw ConfigError(data_error(former_path, r.line, 1, "empty name"));
      std::string_view codes = r.fields[1];
      while (!codes.empty()) {
        const size_t semi = codes.find(';');
        const std::string_view code = codes.substr(0, semi);
        const auto c = gaz_.country_by_code(code);
        if (!c)
          throw ConfigError(data_error(former_path, r.line, r.fields[0].size() + 2,
                                       "unknown country code '" + std::string(code) + "'"));
        f.successors.push_back(*c);
        codes = semi == std::string_view::npos ? std::string_view() : codes.substr(semi + 1);
      }
      f.type = r.fields[2];
      former_first_[static_cast<unsigned char>(f.words[0][0])] = true;
      former_.push_back(std::move(f));
    }
    const std::string allow = ctx.get("allowlist", "flag-slips/allowlist.tsv");
    if (!allow.empty())
      for (const TsvRow& r : read_tsv(ctx.data_path(allow), 1)) {
        if (r.fields[0].empty())
          throw ConfigError(data_error(ctx.data_path(allow), r.line, 1, "empty name"));
        allowlist_.insert(r.fields[0]);
      }
    // Targets of misspellings: one-word country names, demonyms and capitals.
    const auto& names = gaz_.names();
    for (uint32_t row = 0; row < names.size(); ++row) {
      const PlaceName& n = names[row];
      if (n.kind != PlaceKind::kCountry && n.kind != PlaceKind::kDemonym &&
          n.kind != PlaceKind::kCapital)
        continue;
      if (n.surface.find(' ') != std::string::npos || n.surface.find('-') != std::string::npos)
        continue;
      std::string key = similarity_key(n.surface);
      if (key.size() < 4) continue;
      spell_targets_.push_back({std::move(key), row});
    }
    // By first letter (a misspelling keeps it), in table order within a letter.
    std::stable_sort(spell_targets_.begin(), spell_targets_.end(),
                     [](const SpellTarget& a, const SpellTarget& b) {
                       return static_cast<unsigned char>(a.key[0]) <
                              static_cast<unsigned char>(b.key[0]);
                     });
    for (size_t c = 0, k = 0; c < spell_first_.size(); ++c) {
      while (k < spell_targets_.size() && static_cast<unsigned char>(spell_targets_[k].key[0]) < c)
        ++k;
      spell_first_[c] = static_cast<uint32_t>(k);
    }
  }

  std::string_view name() const override { return "flag-slips"; }

  StageResult run(const TextView& view) const override {
    StageResult r;
    Doc d = analyse(view);
    if (confusable_.enabled || context_.enabled) place_rules(d, r.findings);
    if (wrong_capital_.enabled || city_country_.enabled || region_country_.enabled)
      capital_rules(d, r.findings);
    if (context_.enabled)
      for (size_t i = 0; i < d.places.size(); ++i) actor_neighbour(d, i, r.findings);
    if (confusable_.enabled) frame_parallels(d, r.findings);
    if (region_country_.enabled) country_as_region(d, r.findings);
    if (confusable_.enabled) contained_names(d, r.findings);
    if (confusable_.enabled) sibling_evidence(d, r.findings);
    if (confusable_.enabled) neighbour_lists(d, r.findings);
    if (context_.enabled) heading_country(d, r.findings);
    if (context_.enabled) war_pairs(d, r.findings);
    if (misspelt_.enabled) misspelt_places(d, r.findings);
    if (remote_.enabled) remote_places(d, r.findings);
    if (repeated_.enabled) repeated_places(d, r.findings);
    if (part_.enabled) parts_for_wholes(d, r.findings);
    if (former_name_.enabled) former_names(d, r.findings);
    if (doubled_.enabled || det_poss_.enabled || doubled_aux_.enabled)
      editorial_rules(d, r.findings);
    if (weekday_.enabled)
      find_weekday_date_slips(view.text, view.tokens, weekday_.id, weekday_.severity, r.findings);
    // Names the publication uses on purpose are never flagged.
    std::erase_if(r.findings, [&](const Finding& f) {
      return f.confidence < min_confidence_ ||
             allowlist_.count(std::string(f.span.in(view.text))) > 0;
    });
    std::sort(r.findings.begin(), r.findings.end(), [](const Finding& a, const Finding& b) {
      return a.span.begin != b.span.begin ? a.span.begin < b.span.begin
                                          : a.confidence > b.confidence;
    });
    // One finding per place: keep the most confident of overlapping ones.
    std::vector<Finding> kept;
    for (Finding& f : r.findings) {
      if (!kept.empty() && kept.back().span.overlaps(f.span)) {
        if (f.confidence > kept.back().confidence) kept.back() = std::move(f);
        continue;
      }
      kept.push_back(std::move(f));
    }
    r.findings = std::move(kept);
    return r;
  }

 private:
  struct Doc {
    const TextView* view;
    std::vector<PlaceMention> mentions;
    std::vector<Resolved> places;
    std::vector<size_t> sentence_of;  // per token
    std::vector<double> profile;      // per country, whole document
    // Per story: the profile of the story a place is in, plus a fifth of the
    // rest of the document. A story is a run of short heading lines and the
    // prose lines under them; a digest of unrelated stories (a day's news
    // under topic headings) has many, an article one.
    std::vector<std::vector<double>> local;
    // Per token: its entry in function_words.tsv (nullptr for other words and
    // for non-words), looked up once and read by every rule.
    std::vector<const FunctionWord*> function_word;
    std::vector<size_t> sig;      // indexes of non-space tokens
    std::vector<size_t> sig_pos;  // token index -> position in sig (or npos)
    // Amounts in a country's own currency ("A$475", "KRW 1,000"): token of the sign, country.
    std::vector<std::pair<size_t, uint16_t>> money;
    // Dotted initials of a country's name ("U.S.", "U.K."): first token, country.
    std::vector<std::pair<size_t, uint16_t>> initials;
    // Per token: on a line of a listing, a run of kMinListingLines or more
    // lines none of which reads as prose (a ticker of headlines and times,
    // site navigation, a tag list): its items are unrelated to each other.
    std::vector<bool> in_listing;
  };
  static constexpr size_t kMinListingLines = 6;

  // Weight of one amount in a country's currency in the profile (a city's is 0.5).
  static constexpr double kMoneyWeight = 0.8;
  // Weight of a country's dotted initials ("U.S."): as good as its name.
  static constexpr double kInitialsWeight = 0.5;

  // "U.S.", "U.K.": one capital letter and a full stop, twice or more, not
  // glued to a word before. The profile counts them for their country; they
  // are no place mentions of their own (no rule flags them).
  void find_initials(Doc& d) const {
    const TokenList& toks = d.view->tokens;
    const std::string_view text = d.view->text;
    auto letter = [&](size_t t) {
      return t < toks.size() && toks[t].is_word() && toks[t].end - toks[t].begin == 1 &&
             text[toks[t].begin] >= 'A' && text[toks[t].begin] <= 'Z';
    };
    auto stop = [&](size_t t) { return t < toks.size() && toks[t].in(text) == "."; };
    for (size_t i = 0; i < toks.size(); ++i) {
      if (!letter(i) || !stop(i + 1)) continue;
      if (i > 0 && (toks[i - 1].is_word() || toks[i - 1].in(text) == ".")) continue;
      std::string key;
      size_t t = i;
      while (letter(t) && stop(t + 1)) {
        key += text[toks[t].begin];
        key += '.';
        t += 2;
      }
      if (key.size() < 4) continue;
      const auto it = initials_.find(key);
      if (it != initials_.end()) d.initials.push_back({i, it->second});
      i = t - 1;
    }
  }

  // "A$475 million", "AUD 475": a currency sign glued to a number or one
  // space before it, not glued to a word before ("BA$5"). Some codes are
  // English words ("TOP 10", "ALL 5", "TRY 2"): a code counts only before an
  // amount that looks like money (1,000 or more, a decimal point, or
  // "million", "billion", "bn", ...).
  bool money_amount(const Doc& d, size_t num) const {
    const TokenList& toks = d.view->tokens;
    const std::string_view text = d.view->text;
    const std::string_view digits = toks[num].in(text);
    if (digits.size() >= 4) return true;
    size_t j = num + 1;
    if (j + 1 < toks.size() && (toks[j].in(text) == "," || toks[j].in(text) == ".") &&
        toks[j + 1].kind == TokenKind::kNumber)
      return true;
    if (j < toks.size() && toks[j].kind == TokenKind::kSpace) ++j;
    if (j >= toks.size() || !toks[j].is_word()) return false;
    static const char* kMagnitudes[] = {"thousand", "million", "billion", "trillion", "bn",
                                        "m",        "k",       "mn",      "tn"};
    const std::string w = lower_ascii(toks[j].in(text));
    for (const char* m : kMagnitudes)
      if (w == m) return true;
    return false;
  }

  void find_money(Doc& d) const {
    if (currency_signs_.empty()) return;
    const TokenList& toks = d.view->tokens;
    const std::string_view text = d.view->text;
    for (size_t i = 1; i < toks.size(); ++i) {
      if (toks[i].kind != TokenKind::kNumber) continue;
      size_t j = i - 1;
      if (toks[j].kind == TokenKind::kSpace) {
        if (j == 0 || toks[j].end - toks[j].begin != 1) continue;
        --j;
      }
      for (size_t k = std::min<size_t>(3, j + 1); k >= 1; --k) {
        const size_t first = j + 1 - k;
        bool glued = true;
        for (size_t t = first; t <= j; ++t)
          glued = glued && toks[t].kind != TokenKind::kSpace && toks[t].kind != TokenKind::kNewline;
        if (!glued) continue;
        if (first > 0 && (toks[first - 1].kind == TokenKind::kWord ||
                          toks[first - 1].kind == TokenKind::kNumber))
          continue;
        const std::string sign(text.substr(toks[first].begin, toks[j].end - toks[first].begin));
        auto it = currency_signs_.find(sign);
        if (it == currency_signs_.end()) continue;
        if (k == 1 && toks[first].is_word() && !money_amount(d, i)) break;  // a bare code ("AUD")
        d.money.push_back({first, it->second});
        break;
      }
    }
  }

  std::string_view tok(const Doc& d, size_t i) const { return d.view->tokens[i].in(d.view->text); }

  // A word English prose writes in lowercase at least as often as capitalised.
  bool common_word(const std::string& key) const {
    auto it = counts_.find(key);
    return it != counts_.end() && it->second.lower >= 20 && it->second.lower >= it->second.cap;
  }

  Doc analyse(const TextView& view) const {
    Doc d;
    d.view = &view;
    const TokenList& toks = view.tokens;
    // Sentences: split at line breaks and at . ? ! before a space and an
    // uppercase word (so "U.S. officials" stays whole).
    d.sentence_of.resize(toks.size());
    size_t sent = 0;
    for (size_t i = 0; i < toks.size(); ++i) {
      d.sentence_of[i] = sent;
      const Token& t = toks[i];
      if (t.kind == TokenKind::kNewline) {
        ++sent;
      } else if (t.kind == TokenKind::kPunct) {
        std::string_view s = t.in(view.text);
        if ((s == "." || s == "?" || s == "!") && i + 2 < toks.size() &&
            toks[i + 1].kind == TokenKind::kSpace &&
            (toks[i + 2].has_upper_initial || toks[i + 2].kind != TokenKind::kWord))
          ++sent;
      }
    }
    d.function_word.assign(toks.size(), nullptr);
    for (size_t i = 0; i < toks.size(); ++i) {
      if (!toks[i].is_word() || toks[i].end - toks[i].begin > max_function_word_) continue;
      const auto it = words_.find(lower_ascii(toks[i].in(view.text)));
      if (it != words_.end()) d.function_word[i] = &it->second;
    }
    d.sig_pos.assign(toks.size(), std::string::npos);
    for (size_t i = 0; i < toks.size(); ++i) {
      if (toks[i].kind == TokenKind::kSpace) continue;
      d.sig_pos[i] = d.sig.size();
      d.sig.push_back(i);
    }

    d.mentions = gaz_.find_mentions(view.text, toks);
    const auto& names = gaz_.names();
    // A region named like a common word ("Free" State, "Reading", "Unity")
    // is read as the word.
    for (PlaceMention& m : d.mentions) {
      if (!common_word(lower_ascii(m.span.in(view.text)))) continue;
      std::erase_if(m.readings,
                    [&](uint32_t row) { return names[row].kind == PlaceKind::kRegion; });
    }
    std::erase_if(d.mentions, [](const PlaceMention& m) { return m.readings.empty(); });
    std::vector<Span> footers;
    for (const Region& reg : view.regions)
      if (reg.kind == "footer") footers.push_back(reg.span);
    auto in_footer = [&](Span s) {
      for (const Span& f : footers)
        if (s.begin >= f.begin && s.begin < f.end) return true;
      return false;
    };
    const size_t first_line_end = view.text.find('\n');

    // Readings per mention: a country name wins over a city of the same name
    // ("Georgia"), a demonym over a city; cities of one name in several
    // countries are decided by the profile in a second pass.
    struct Cands {
      std::vector<uint32_t> rows;
      double pos_factor;
    };
    std::vector<Cands> cands(d.mentions.size());
    d.profile.assign(gaz_.countries().size(), 0.0);
    for (size_t i = 0; i < d.mentions.size(); ++i) {
      const PlaceMention& m = d.mentions[i];
      auto rank = [&](uint32_t row) {
        switch (names[row].kind) {
          case PlaceKind::kCountry:
          case PlaceKind::kAlias:
            return 0;
          case PlaceKind::kDemonym:
            return 1;
          case PlaceKind::kCapital:
            return 2;
          case PlaceKind::kCity:
          case PlaceKind::kRegion:
            return 3;
        }
        return 3;
      };
      int best = 4;
      for (uint32_t row : m.readings) best = std::min(best, rank(row));
      // Capitals and cities compete together: "Hyderabad" city in India and Pakistan.
      if (best == 2) best = 3;
      for (uint32_t row : m.readings)
        if (std::min(rank(row), 3) <= best && (best < 2 || rank(row) >= 2))
          cands[i].rows.push_back(row);
      cands[i].pos_factor =
          (first_line_end != std::string_view::npos && m.span.begin < first_line_end) ? 1.5 : 1.0;
      if (in_footer(m.span)) cands[i].pos_factor = 0.0;
      // First pass: split the weight by population (or evenly).
      double total_pop = 0;
      for (uint32_t row : cands[i].rows) total_pop += names[row].population + 1.0;
      for (uint32_t row : cands[i].rows)
        d.profile[names[row].country] += kind_weight(names[row].kind) * cands[i].pos_factor *
                                         (names[row].population + 1.0) / total_pop;
    }
    // Second pass: each mention takes the reading whose country the rest of
    // the article supports most (ties: the larger place).
    std::vector<double> first_pass = d.profile;
    std::fill(d.profile.begin(), d.profile.end(), 0.0);
    for (size_t i = 0; i < d.mentions.size(); ++i) {
      uint32_t best = cands[i].rows.front();
      double best_score = -1;
      for (uint32_t row : cands[i].rows) {
        double score = first_pass[names[row].country] * 1e9 + names[row].population;
        if (score > best_score) {
          best_score = score;
          best = row;
        }
      }
      Resolved res;
      res.m = &d.mentions[i];
      res.name = best;
      res.country = names[best].country;
      res.kind = names[best].kind;
      res.weight = kind_weight(res.kind) * cands[i].pos_factor;
      res.sentence = d.sentence_of[d.mentions[i].first_token];
      res.in_footer = cands[i].pos_factor == 0.0;
      d.profile[res.country] += res.weight;
      d.places.push_back(res);
    }
    find_money(d);
    std::erase_if(d.money, [&](const auto& m) { return in_footer(toks[m.first].span()); });
    for (const auto& [t, c] : d.money) d.profile[c] += kMoneyWeight;
    find_initials(d);
    std::erase_if(d.initials, [&](const auto& m) { return in_footer(toks[m.first].span()); });
    for (const auto& [t, c] : d.initials) d.profile[c] += kInitialsWeight;
    assign_stories(d);
    return d;
  }

  // Stories: a line is prose when it ends like a sentence (". ) ? ! \"") or
  // has at least 12 words; a heading line after a prose line opens a new story.
  void assign_stories(Doc& d) const {
    const TokenList& toks = d.view->tokens;
    std::vector<size_t> story_of_token(toks.size(), 0);
    std::vector<bool> heading_token(toks.size(), false);
    size_t story = 0, line_begin = 0;
    bool prev_prose = false;
    // Token ranges of the non-empty lines of the current run of non-prose lines.
    std::vector<std::pair<size_t, size_t>> run;
    d.in_listing.assign(toks.size(), false);
    auto close_run = [&] {
      if (run.size() >= kMinListingLines)
        for (const auto& [b, e] : run)
          for (size_t t = b; t < e; ++t) d.in_listing[t] = true;
      run.clear();
    };
    while (line_begin < toks.size()) {
      size_t line_end = line_begin;
      size_t words = 0;
      size_t last = toks.size();
      while (line_end < toks.size() && toks[line_end].kind != TokenKind::kNewline) {
        if (toks[line_end].kind == TokenKind::kWord || toks[line_end].kind == TokenKind::kNumber)
          ++words;
        if (toks[line_end].kind != TokenKind::kSpace) last = line_end;
        ++line_end;
      }
      if (last != toks.size()) {
        const std::string_view e = toks[last].in(d.view->text);
        const bool prose = words >= 12 || e == "." || e == ")" || e == "?" || e == "!" ||
                           e == "\"" || e == "\u201d";
        if (!prose && prev_prose) ++story;
        prev_prose = prose;
        if (prose)
          close_run();
        else
          run.emplace_back(line_begin, line_end);
      }
      const bool heading_line = last != toks.size() && !prev_prose;
      for (size_t i = line_begin; i < line_end && i < toks.size(); ++i) {
        story_of_token[i] = story;
        heading_token[i] = heading_line;
      }
      if (line_end < toks.size()) story_of_token[line_end] = story;
      line_begin = line_end + 1;
    }
    close_run();
    const size_t n_stories = story + 1;
    std::vector<std::vector<double>> own(n_stories, std::vector<double>(d.profile.size(), 0.0));
    for (Resolved& r : d.places) {
      r.story = story_of_token[r.m->first_token];
      r.heading = heading_token[r.m->first_token];
      own[r.story][r.country] += r.weight;
    }
    for (const auto& [t, c] : d.money)
      own[std::min(story_of_token[t], n_stories - 1)][c] += kMoneyWeight;
    for (const auto& [t, c] : d.initials)
      own[std::min(story_of_token[t], n_stories - 1)][c] += kInitialsWeight;
    d.local.assign(n_stories, std::vector<double>(d.profile.size(), 0.0));
    for (size_t s = 0; s < n_stories; ++s)
      for (size_t c = 0; c < d.profile.size(); ++c)
        d.local[s][c] = own[s][c] + 0.2 * (d.profile[c] - own[s][c]);
  }

  // Countries the article (or story) is about, strongest first: "Afghanistan and Pakistan".
  std::string profile_phrase(const std::vector<double>& profile, uint16_t exclude,
                             size_t max_n = 2) const {
    std::vector<std::pair<double, uint16_t>> top;
    for (size_t c = 0; c < profile.size(); ++c)
      if (c != exclude && profile[c] >= 1.5) top.push_back({profile[c], static_cast<uint16_t>(c)});
    std::sort(top.begin(), top.end(), [](auto& a, auto& b) { return a.first > b.first; });
    if (top.size() > max_n) top.resize(max_n);
    std::string out;
    for (size_t i = 0; i < top.size(); ++i) {
      if (i > 0) out += i + 1 == top.size() ? " and " : ", ";
      out += gaz_.countries()[top[i].second].name;
    }
    return out;
  }

  // Is the token run between two mentions a connector ("and", "-", ", ", "to")?
  bool connected(const Doc& d, const PlaceMention& a, const PlaceMention& b) const {
    const PlaceMention& l = a.first_token < b.first_token ? a : b;
    const PlaceMention& r = a.first_token < b.first_token ? b : a;
    size_t i = l.end_token;
    // skip a possessive "'s"
    int words = 0;
    for (; i < r.first_token; ++i) {
      const Token& t = d.view->tokens[i];
      if (t.kind == TokenKind::kSpace) continue;
      if (t.kind == TokenKind::kNewline) return false;
      std::string s = lower_ascii(t.in(d.view->text));
      if (s == "'" || s == "\u2019" || (s == "s" && l.possessive)) continue;
      static const char* kConnectors[] = {"and", "or", "-",    "\u2013", "\u2014", "/",   ",",
                                          "to",  "&",  "with", "vs",     "versus", "nor", "than"};
      bool ok = false;
      for (const char* c : kConnectors) ok = ok || s == c;
      if (!ok) return false;
      if (++words > 2) return false;
    }
    return words > 0;  // only a space between: one compound name, not a pair
  }

  static std::string_view last_word(std::string_view s) {
    const size_t sp = s.rfind(' ');
    return sp == std::string_view::npos ? s : s.substr(sp + 1);
  }
  static bool ends_with_word(std::string_view s, std::string_view w) {
    return s.size() > w.size() && s.substr(s.size() - w.size()) == w &&
           s[s.size() - w.size() - 1] == ' ';
  }

  // Part of a longer proper name ("New York" read as "York", "Port Sudan")?
  // A demonym before a capitalised word modifies a name ("Swiss Coast Guard",
  // "Australian Army"): pass check_after = false to allow it.
  bool inside_longer_name(const Doc& d, const PlaceMention& m, bool check_after = true) const {
    const TokenList& toks = d.view->tokens;
    auto capital_word = [&](size_t i) {
      return toks[i].is_word() && toks[i].has_upper_initial && !d.function_word[i];
    };
    const size_t s = d.sig_pos[m.first_token];
    if (s > 0) {
      const size_t p = d.sig[s - 1];
      // the previous word starts the sentence: "Pakistan" in "Does Pakistan ..." is fine
      const bool starts_sentence = s < 2 || d.sentence_of[d.sig[s - 2]] != d.sentence_of[p] ||
                                   toks[d.sig[s - 2]].kind == TokenKind::kNewline;
      // "New York" read as "York", "American Israeli hostage": two names with only a space between
      if (p + 2 == m.first_token && capital_word(p) && (!starts_sentence || is_place_token(d, p)))
        return true;
      // "Times of Israel", "Bank of England"
      if (s > 1 && lower_ascii(toks[p].in(d.view->text)) == "of" && capital_word(d.sig[s - 2]) &&
          !is_place_token(d, d.sig[s - 2]))
        return true;
      // "Warrap State, South Sudan": a region named in front, the country as its address
      if (s > 1 && toks[p].in(d.view->text) == "," && capital_word(d.sig[s - 2]) &&
          !is_place_token(d, d.sig[s - 2]))
        return true;
    }
    // "San Juan Mazatl\u00e1n": a capitalised word follows on the same line
    const size_t e = d.sig_pos[m.end_token - 1];
    if (check_after && !m.possessive && e + 1 < d.sig.size()) {
      const size_t q = d.sig[e + 1];
      if (q == m.end_token + 1 && capital_word(q)) return true;
    }
    return false;
  }
  // "Iran-backed", "Ukraine-based": the name glued by a hyphen to a
  // lowercase word is part of a compound modifier, not a place in a pairing.
  bool compound_modifier(const Doc& d, const PlaceMention& m) const {
    const TokenList& toks = d.view->tokens;
    const size_t h = m.end_token;
    if (m.possessive || h + 1 >= toks.size() || toks[h].in(d.view->text) != "-") return false;
    return toks[h + 1].is_word() && !toks[h + 1].has_upper_initial;
  }
  bool after_open_paren(const Doc& d, const PlaceMention& m) const {
    const size_t s = d.sig_pos[m.first_token];
    return s != std::string::npos && s > 0 && tok(d, d.sig[s - 1]) == "(";
  }
  // Is token tok an item of a bulleted list (a line that opens with "- ",
  // "* " or "\u2022 ": "- headline - source - date") or of a listing
  // (Doc::in_listing)? Such lists hold unrelated items: one item's wording
  // says nothing about another's.
  bool in_bullet_item(const Doc& d, size_t tok) const {
    if (tok < d.in_listing.size() && d.in_listing[tok]) return true;
    const TokenList& toks = d.view->tokens;
    size_t b = tok;
    while (b > 0 && toks[b - 1].kind != TokenKind::kNewline) --b;
    if (b < toks.size() && toks[b].kind == TokenKind::kSpace) ++b;
    if (b + 1 >= toks.size() || toks[b + 1].kind != TokenKind::kSpace) return false;
    const std::string_view mark = toks[b].in(d.view->text);
    return mark == "-" || mark == "*" || mark == "\u2022";
  }
  bool is_place_token(const Doc& d, size_t tok) const {
    for (const PlaceMention& m : d.mentions)
      if (tok >= m.first_token && tok < m.end_token) return true;
    return false;
  }

  // How many places are in the list place i belongs to: neighbours in one
  // sentence joined only by ",", "and", "or" or "the" ("A, B, and the C"),
  // or a run of destinations ("to Toronto, to Berlin, to \u2014 to Rome",
  // "from Canada to Singapore to Japan").
  size_t list_length(const Doc& d, size_t i, size_t* first = nullptr) const {
    auto link = [&](size_t a, size_t b) {
      if (d.places[a].sentence != d.places[b].sentence) return false;
      const auto w = words_between(d, d.places[a].m->end_token, d.places[b].m->first_token);
      if (w.empty() || w.size() > 4) return false;
      bool destination = false;
      for (const auto& x : w) {
        destination = destination || x == "to" || x == "from";
        if (x != "," && x != ";" && x != "and" && x != "or" && x != "the" && x != "to" &&
            x != "from" && x != "\u2014" && x != "\u2013" && x != "-")
          return false;
      }
      // a dash only among "to"s ("to \u2014 to Rome"): "Russia\u2013Ukraine" is a pairing
      for (const auto& x : w)
        if (!destination && (x == "\u2014" || x == "\u2013" || x == "-")) return false;
      return destination || w.size() <= 3;
    };
    size_t lo = i, hi = i;
    while (lo > 0 && link(lo - 1, lo)) --lo;
    while (hi + 1 < d.places.size() && link(hi, hi + 1)) ++hi;
    if (first) *first = lo;
    return hi - lo + 1;
  }

  // A plural demonym: "Afghans" (the gazetteer lists "Afghan" too), not "Swiss".
  bool plural_demonym(std::string_view surface) const {
    if (surface.size() < 2 || surface.back() != 's') return false;
    const auto* rows = gaz_.lookup(surface.substr(0, surface.size() - 1));
    if (!rows) return false;
    for (uint32_t row : *rows)
      if (gaz_.names()[row].kind == PlaceKind::kDemonym) return true;
    return false;
  }

  // Kind compatibility for a suggestion: same word class, same sort of place.
  static double kind_fit(PlaceKind written, PlaceKind meant) {
    if (written == PlaceKind::kRegion || meant == PlaceKind::kRegion) return 0.0;
    auto countryish = [](PlaceKind k) {
      return k == PlaceKind::kCountry || k == PlaceKind::kAlias;
    };
    if (countryish(written) && countryish(meant)) return meant == PlaceKind::kCountry ? 1.0 : 0.95;
    if (written == PlaceKind::kDemonym || meant == PlaceKind::kDemonym)
      return written == meant ? 1.0 : 0.0;
    if (countryish(written) || countryish(meant)) return 0.0;
    // capitals and cities
    if (meant == PlaceKind::kCapital) return written == PlaceKind::kCapital ? 1.0 : 0.95;
    return written == PlaceKind::kCity ? 0.85 : 0.8;
  }

  void place_rules(const Doc& d, std::vector<Finding>& out) const {
    const auto& names = gaz_.names();
    const auto& countries = gaz_.countries();
    // Surfaces written in the article (similarity key), to favour names it uses.
    std::unordered_map<std::string, int> written;
    for (const Resolved& p : d.places) ++written[std::string(p.m->span.in(d.view->text))];

    for (size_t i = 0; i < d.places.size(); ++i) {
      const Resolved& m = d.places[i];
      if (m.in_footer || m.kind == PlaceKind::kRegion) continue;
      const std::string surface(m.m->span.in(d.view->text));
      const uint16_t c = m.country;
      const std::vector<double>& prof_of = d.local[m.story];
      const double own = prof_of[c] - m.weight;
      if (own >= 0.9) continue;  // the article mentions this country elsewhere
      // A demonym may modify a name ("Swiss Coast Guard"), but not inside a
      // source's parentheses ("(Iraqi News)").
      const bool modifier = m.kind == PlaceKind::kDemonym && !after_open_paren(d, *m.m);
      if (inside_longer_name(d, *m.m, !modifier)) continue;
      if (compound_modifier(d, *m.m)) continue;  // "Iran-backed militias"
      // One of a list of three or more ("Japan, France and the EEC"): a
      // list of states names each on purpose.
      if (list_length(d, i) >= 3) continue;
      // "Istanbul, Turkey": the address names the town's own country.
      if (i + 1 < d.places.size() && d.places[i + 1].country == c &&
          d.places[i + 1].sentence == m.sentence &&
          words_between(d, m.m->end_token, d.places[i + 1].m->first_token) ==
              std::vector<std::string>{","})
        continue;
      // Every reading of the surface must be foreign to the article.
      bool any_supported = false;
      for (uint32_t row : m.m->readings)
        any_supported =
            any_supported || (names[row].country != c && prof_of[names[row].country] >= 1.5);
      if (any_supported) continue;

      // Relations: places paired with this one, and places in its sentence.
      std::vector<uint16_t> partners;
      std::string partner_name;
      PlaceKind partner_kind = PlaceKind::kCountry;
      bool same_sentence = false;
      for (size_t j = 0; j < d.places.size(); ++j) {
        if (j == i) continue;
        const Resolved& o = d.places[j];
        if (o.sentence != m.sentence || o.in_footer) continue;
        if (o.country != c) same_sentence = true;
        bool adjacent =
            (j + 1 == i || i + 1 == j || j + 2 == i || i + 2 == j) && connected(d, *m.m, *o.m);
        if (adjacent && o.country != c) {
          partners.push_back(o.country);
          if (partner_name.empty()) {
            partner_name = std::string(o.m->span.in(d.view->text));
            partner_kind = o.kind;
          }
        }
      }
      // "between X and Y" where X is the nearest place before.
      double max_support = 0;
      for (size_t k = 0; k < prof_of.size(); ++k)
        if (k != c) max_support = std::max(max_support, prof_of[k]);
      if (max_support < 1.2) continue;

      // Best resembling place of a country the article is about.
      double best_score = 0, best_sim = 0;
      uint32_t best_row = 0;
      for (size_t p = 0; p < prof_of.size(); ++p) {
        const double support = prof_of[p];
        if (p == c || support < 1.2 || support < 0.2 * max_support) continue;
        if (std::find(partners.begin(), partners.end(), p) != partners.end()) continue;
        for (uint32_t row : gaz_.names_of(static_cast<uint16_t>(p))) {
          const PlaceName& n = names[row];
          const double fit = kind_fit(m.kind, n.kind);
          if (fit == 0.0) continue;
          const bool used = written.count(n.surface) > 0;
          // Suggest a name an editor would write: an official or native
          // alias only when the article uses it or it ends in the common name.
          if (n.kind == PlaceKind::kAlias && !used &&
              !ends_with_word(n.surface, last_word(countries[p].name)))
            continue;
          if (n.kind == PlaceKind::kCity && !used && n.population < 500000) continue;
          // Plural demonyms answer plural ones.
          if (m.kind == PlaceKind::kDemonym && plural_demonym(surface) != plural_demonym(n.surface))
            continue;
          const double sim = name_similarity(surface, n.surface);
          if (sim >= 0.999) continue;  // a spelling variant of the same name
          const double score =
              sim * fit + (used ? 0.05 : 0.0) + 0.02 * std::min(support, 5.0) / 5.0;
          if (score > best_score) {
            best_score = score;
            best_sim = sim;
            best_row = row;
          }
        }
      }
      if (context_.enabled) context_rule(d, i, own, partners, out);
      if (best_score == 0 || best_sim < 0.6) continue;
      // A faint resemblance ("Iran" and "Israel", "Berlin" and "Brooklyn")
      // needs a pairing ("Kabul and Istanbul"; see also below): a lone
      // mention of a far place in an article about another is common in
      // honest prose.
      if (best_sim < 0.7 && partners.empty()) continue;
      const PlaceName& target = names[best_row];
      // "Finland and Sweden": a place paired with its own neighbour, while the
      // look-alike is no neighbour of the partner, was meant.
      bool partner_near_written = false, partner_near_target = false;
      for (uint16_t p : partners) {
        partner_near_written = partner_near_written || gaz_.near(c, p);
        partner_near_target = partner_near_target || gaz_.near(target.country, p);
      }
      // A weaker look-alike needs more: the written place paired with its own
      // neighbour ("Iraq and Syria" in an article about Israel) is natural
      // even when the look-alike neighbours the partner too.
      if (partner_near_written && (!partner_near_target || best_sim < 0.72)) continue;
      // A faint look-alike needs the corrected pairing to be one of
      // neighbours ("Kabul and Istanbul": Kabul and Islamabad).
      if (best_sim < 0.7 && !partner_near_target) continue;
      // A longer name is seldom written for a shorter one it contains
      // ("Democratic Republic of the Congo" for "Republic of the Congo"). A
      // shorter formal name (one that is no country's common name) or city
      // name is that place itself ("Republic of Korea" is South Korea, not the
      // Democratic People's Republic of Korea; "York" is no slip for "New
      // York"); a short common name may be one ("Sudan" for "South Sudan",
      // "Republic of the Congo" for the Democratic Republic).
      if (ends_with_word(similarity_key(surface), similarity_key(target.surface))) continue;
      if (ends_with_word(similarity_key(target.surface), similarity_key(surface))) {
        bool common_name = false;
        for (uint32_t row : m.m->readings)
          common_name = common_name || names[row].kind == PlaceKind::kCountry;
        if (!common_name && (m.kind == PlaceKind::kAlias || m.kind == PlaceKind::kCity)) continue;
      }
      const double support = prof_of[target.country];
      const double prof = support / (support + 1.5);
      const double dom = support / max_support;
      const bool used = written.count(target.surface) > 0;
      // A pair is usually of one sort: capital with capital, country with country.
      const bool partner_same_kind = !partners.empty() && partner_kind == target.kind;
      // Evidence, as a logistic score: resemblance, the pairing, how strongly
      // the article is about the suggested place's country, and whether it
      // names that place elsewhere; a second mention of the written place's
      // country counts against.
      const double z = -3.2 + 6.0 * (best_sim - 0.55) +
                       (!partners.empty() ? 1.0
                        : same_sentence   ? 0.4
                                          : 0.0) +
                       (partner_same_kind ? 0.5 : 0.0) + (used ? 0.8 : 0.0) + 1.2 * prof +
                       0.8 * dom - 2.0 * own;
      const double conf = std::clamp(1.0 / (1.0 + std::exp(-z)), 0.0, 0.99);
      if (!confusable_.enabled) continue;
      Finding f = confusable_.finding(m.m->span);
      f.suggestion = target.surface;
      f.confidence = conf;
      std::string about = profile_phrase(prof_of, c);
      f.message =
          "'" + surface + "' (" + countries[c].name + ")" +
          (!partner_name.empty() ? " is paired with '" + partner_name + "'"
                                 : std::string(" appears")) +
          " in an article about " + about + "; did you mean '" + target.surface + "'" +
          (target.kind == PlaceKind::kCountry ? std::string()
                                              : " (" + countries[target.country].name + ")") +
          "?";
      out.push_back(std::move(f));
    }
  }

  // "Economic impact of the 2026 Iraq war" in a document that writes "the
  // 2026 Iran war" twice or more: a place written once in a frame (the word
  // before and the word after, one of them a content word) that the
  // document fills elsewhere only with a look-alike of the same kind. The
  // frame, not the profile, is the evidence, so the written country may be
  // named elsewhere too ("Iraqi oil").
  void frame_parallels(const Doc& d, std::vector<Finding>& out) const {
    const auto& names = gaz_.names();
    const auto& countries = gaz_.countries();
    const TokenList& toks = d.view->tokens;
    struct Frame {
      std::string before, after;
      bool ok = false;
    };
    auto frame_of = [&](const Resolved& r) {
      Frame f;
      const size_t s = d.sig_pos[r.m->first_token];
      const size_t e = d.sig_pos[r.m->end_token - 1];
      if (r.m->possessive || s == std::string::npos || e == std::string::npos || s == 0 ||
          e + 1 >= d.sig.size())
        return f;
      const Token& b = toks[d.sig[s - 1]];
      const Token& a = toks[d.sig[e + 1]];
      if (b.kind == TokenKind::kNewline || a.kind == TokenKind::kNewline) return f;
      f.before = lower_ascii(b.in(d.view->text));
      f.after = lower_ascii(a.in(d.view->text));
      auto content = [&](const Token& t, const std::string& w) {
        return t.is_word() && w.size() >= 3 && !words_.count(w);
      };
      f.ok = content(b, f.before) || content(a, f.after);
      return f;
    };
    std::vector<Frame> frames;
    for (const Resolved& r : d.places) frames.push_back(frame_of(r));
    // The places of each frame, in document order: a page that names
    // thousands of places compares each only with those in its own frame.
    std::unordered_map<std::string, std::vector<size_t>> by_frame;
    std::vector<const std::vector<size_t>*> frame_group(d.places.size(), nullptr);
    for (size_t j = 0; j < d.places.size(); ++j)
      if (frames[j].ok && !d.places[j].in_footer)
        by_frame[frames[j].before + '\t' + frames[j].after].push_back(j);
    for (size_t j = 0; j < d.places.size(); ++j)
      if (frames[j].ok && !d.places[j].in_footer)
        frame_group[j] = &by_frame.at(frames[j].before + '\t' + frames[j].after);
    for (size_t i = 0; i < d.places.size(); ++i) {
      const Resolved& m = d.places[i];
      if (m.in_footer || !frames[i].ok || m.kind == PlaceKind::kRegion ||
          m.kind == PlaceKind::kCity)
        continue;
      const std::string surface(m.m->span.in(d.view->text));
      std::unordered_map<std::string, int> fillers;  // surfaces in the same frame
      bool own_elsewhere = false;
      for (size_t j : *frame_group[i]) {
        if (j == i) continue;
        if (d.places[j].country == m.country) own_elsewhere = true;
        ++fillers[std::string(d.places[j].m->span.in(d.view->text))];
      }
      if (own_elsewhere) continue;
      std::string meant;
      int meant_n = 0;
      double meant_sim = 0;
      for (const auto& [w, n] : fillers) {
        const auto* rows = gaz_.lookup(w);
        if (!rows || n < 2) continue;
        bool same_kind = false;
        for (uint32_t row : *rows) same_kind = same_kind || kind_fit(m.kind, names[row].kind) > 0.9;
        const double sim = name_similarity(surface, w);
        if (!same_kind || sim < 0.7 || sim >= 0.999) continue;
        if (sim > meant_sim) meant = w, meant_n = n, meant_sim = sim;
      }
      if (meant.empty()) continue;
      Finding f = confusable_.finding(m.m->span);
      f.suggestion = meant;
      f.confidence = 0.5 + 0.05 * std::min(meant_n, 4);
      f.message = quoted(surface) + " (" + countries[m.country].name + ") stands in \"" +
                  frames[i].before + " ... " + frames[i].after + "\", which this document fills " +
                  std::to_string(meant_n) + " times with " + quoted(meant) + "; did you mean " +
                  quoted(meant) + "?";
      out.push_back(std::move(f));
    }
  }

  // "M23 rebels capture Ihusi, Republic of the Congo" in a document that
  // names the "Democratic Republic of the Congo": a country written once
  // whose name is the tail of another country's name the document writes
  // out elsewhere, not in the same sentence ("Sudan and South Sudan" name
  // both on purpose). A demonym the two share ("Congolese") is no support
  // for the shorter one.
  // "The Republic of the Congo declares an outbreak in Kasa\u00ef Province",
  // "Austria agrees to pay A$475 million": a country named only here in the
  // whole document, in a sentence whose other evidence (a region, city or
  // capital after "in", or an amount in its currency) belongs to a
  // look-alike country the sentence does not name, and nothing of the
  // written one. The
  // look-alike was meant. Look-alikes are country names alike at 0.8 or more
  // ("North Korea"/"South Korea", "Niger"/"Nigeria", one name the tail of
  // the other); the written country's places elsewhere in the document, or
  // a place that also reads as one of the written country, keep it silent.
  void sibling_evidence(const Doc& d, std::vector<Finding>& out) const {
    const auto& names = gaz_.names();
    const auto& countries = gaz_.countries();
    for (size_t i = 0; i < d.places.size(); ++i) {
      const Resolved& m = d.places[i];
      if (m.in_footer || (m.kind != PlaceKind::kCountry && m.kind != PlaceKind::kAlias)) continue;
      const uint16_t c = m.country;
      if (d.profile[c] - m.weight >= 0.3) continue;  // named or placed elsewhere
      if (list_length(d, i) >= 3 || inside_longer_name(d, *m.m) || compound_modifier(d, *m.m))
        continue;
      const std::string surface(m.m->span.in(d.view->text));
      // Evidence per country in the sentence: places other than country names, and money.
      std::map<uint16_t, std::string> evidence;
      std::unordered_set<uint16_t> named;
      for (size_t j = 0; j < d.places.size(); ++j) {
        const Resolved& o = d.places[j];
        if (j == i || o.sentence != m.sentence || o.in_footer) continue;
        bool reads_as_c = false;
        for (uint32_t row : o.m->readings) reads_as_c = reads_as_c || names[row].country == c;
        if (reads_as_c || o.country == c) {
          named.insert(c);
          continue;
        }
        if (o.kind == PlaceKind::kCountry || o.kind == PlaceKind::kAlias ||
            o.kind == PlaceKind::kDemonym) {
          named.insert(o.country);
          continue;
        }
        // Only a place the sentence locates its event in ("an outbreak in
        // Kasa\u00ef Province"); "troops sent to Kano", "a missile near Busan"
        // are acts across a border.
        const size_t sp = d.sig_pos[o.m->first_token];
        if (sp == std::string::npos || sp == 0 || lower_ascii(tok(d, d.sig[sp - 1])) != "in")
          continue;
        evidence.emplace(o.country, std::string(o.m->span.in(d.view->text)));
      }
      for (const auto& [t, mc] : d.money)
        if (d.sentence_of[t] == m.sentence)
          evidence.emplace(mc, std::string(tok(d, t)) + " amount");
      if (named.count(c)) continue;
      uint16_t best = c;
      double best_sim = 0;
      std::string why, meant;
      for (const auto& [b, what] : evidence) {
        if (named.count(b)) continue;
        for (uint32_t row : gaz_.names_of(b)) {
          const PlaceName& n = names[row];
          if (n.kind != PlaceKind::kCountry && n.kind != PlaceKind::kAlias) continue;
          const double sim = name_similarity(surface, n.surface);
          if (sim >= 0.8 && sim < 0.999 &&
              (sim > best_sim || (sim == best_sim && n.kind == PlaceKind::kCountry)))
            best = b, best_sim = sim, why = what, meant = n.surface;
        }
      }
      if (best == c) continue;
      Finding f = confusable_.finding(m.m->span);
      f.suggestion = meant;
      f.confidence = std::min(0.6, 0.3 + (best_sim - 0.8) * 2.0 + 0.1);
      f.message = quoted(surface) + " is named only here, in a sentence whose " + quoted(why) +
                  " belongs to " + countries[best].name + "; did you mean " + quoted(meant) + "?";
      out.push_back(std::move(f));
    }
  }

  // "refugees went to Poland, Moldova, Romania, Slovenia and other
  // countries" in a story about Ukraine (Slovakia meant): a list of three
  // to eight countries, mostly (two at least) neighbours of the story's main
  // country, holds one country named nowhere else that does not border it,
  // while its look-alike (names alike at 0.75 or more), which the document
  // never names, does.
  void neighbour_lists(const Doc& d, std::vector<Finding>& out) const {
    const auto& countries = gaz_.countries();
    for (size_t i = 0; i < d.places.size(); ++i) {
      const Resolved& m = d.places[i];
      if (m.in_footer || (m.kind != PlaceKind::kCountry && m.kind != PlaceKind::kAlias)) continue;
      const uint16_t c = m.country;
      if (d.profile[c] - m.weight >= 0.3 || in_bullet_item(d, m.m->first_token)) continue;
      size_t first = 0;
      const size_t n = list_length(d, i, &first);
      if (n < 3 || n > 8) continue;  // not a roll of members or signatories
      const std::vector<uint16_t> story = story_countries(d.local[m.story], c);
      if (story.empty()) continue;
      const uint16_t main = story.front();
      if (main == c || gaz_.borders(c, main)) continue;
      int bordering = 0, others = 0;
      for (size_t j = first; j < first + n; ++j) {
        if (j == i || d.places[j].country == main) continue;
        ++(gaz_.borders(d.places[j].country, main) ? bordering : others);
      }
      if (bordering < 2 || bordering <= others) continue;
      const std::string surface(m.m->span.in(d.view->text));
      uint16_t meant = c;
      double best_sim = 0;
      for (size_t y = 0; y < countries.size(); ++y) {
        if (y == c || !countries[y].un_member || d.profile[y] > 0) continue;
        const double sim = name_similarity(surface, countries[y].name);
        if (sim >= 0.75 && sim < 0.999 && sim > best_sim &&
            gaz_.borders(static_cast<uint16_t>(y), main))
          meant = static_cast<uint16_t>(y), best_sim = sim;
      }
      if (meant == c) continue;
      Finding f = confusable_.finding(m.m->span);
      f.suggestion = countries[meant].name;
      f.confidence = 0.5;
      f.message = quoted(surface) + " is listed with neighbours of " + countries[main].name +
                  " but does not border it, while its look-alike " + quoted(countries[meant].name) +
                  " does; did you mean " + quoted(countries[meant].name) + "?";
      out.push_back(std::move(f));
    }
  }

  // "The Russia-Iraq war is entering its fifth year" in a story about Russia
  // and Ukraine: a war (or ceasefire, truce) between one of the story's
  // countries and a country named nowhere else, far from every country of
  // the story, while the story's other main country borders the first and
  // is not named in the sentence. That neighbour was meant.
  void war_pairs(const Doc& d, std::vector<Finding>& out) const {
    static const char* kHeads[] = {"war", "wars", "conflict", "ceasefire", "truce"};
    const auto& countries = gaz_.countries();
    for (size_t i = 0; i < d.places.size(); ++i) {
      const Resolved& m = d.places[i];
      if (m.in_footer || (m.kind != PlaceKind::kCountry && m.kind != PlaceKind::kAlias)) continue;
      const uint16_t c = m.country;
      if (!countries[c].un_member || d.profile[c] - m.weight >= 0.3) continue;
      if (i == 0 || in_bullet_item(d, m.m->first_token)) continue;
      const Resolved& o = d.places[i - 1];
      if (o.sentence != m.sentence || o.country == c || !connected(d, *o.m, *m.m)) continue;
      const auto after = context_words(d, m.m->end_token - 1, 1, false);
      bool head = false;
      for (const char* h : kHeads) head = head || (!after.empty() && after[0] == h);
      if (!head) continue;
      const std::vector<double>& prof = d.local[m.story];
      const std::vector<uint16_t> story = story_countries(prof, c);
      if (std::find(story.begin(), story.end(), o.country) == story.end()) continue;
      bool near_story = false;
      for (uint16_t x : story) near_story = near_story || gaz_.near(c, x);
      if (near_story) continue;
      std::optional<uint16_t> meant;
      for (uint16_t z : story) {
        if (z == o.country || !gaz_.borders(o.country, z)) continue;
        bool named = false;
        for (const Resolved& p : d.places)
          named = named || (p.sentence == m.sentence && p.country == z);
        if (!named) {
          meant = z;
          break;
        }
      }
      if (!meant) continue;
      const std::string surface(m.m->span.in(d.view->text));
      Finding f = context_.finding(m.m->span);
      f.suggestion = countries[*meant].name;
      f.confidence = 0.45;
      f.message = quoted(surface) + " is named only here, at war with " +
                  countries[o.country].name + " in a story about " + countries[o.country].name +
                  " and its neighbour " + countries[*meant].name + "; did you mean " +
                  quoted(f.suggestion) + "?";
      out.push_back(std::move(f));
    }
  }

  // "2025 Iraq earthquake" over "Hundreds are found under the rubble in
  // Nangarhar Province, Afghanistan": a country in a story's heading that
  // the document names nowhere else, while the prose under the heading is
  // about another country (named or placed there at least twice over) and
  // never mentions the heading's. The prose's country was meant. Only when
  // the headings of the story name no other country: "Russian invasion of
  // Ukraine" over a story about a drone in Romania names a wider context on
  // purpose. Prose that names nothing at least twice over ("a fire in
  // Uiseong County, South Korea") is too little to judge by.
  void heading_country(const Doc& d, std::vector<Finding>& out) const {
    const auto& countries = gaz_.countries();
    for (size_t i = 0; i < d.places.size(); ++i) {
      const Resolved& m = d.places[i];
      if (m.in_footer || !m.heading ||
          (m.kind != PlaceKind::kCountry && m.kind != PlaceKind::kAlias))
        continue;
      const uint16_t c = m.country;
      if (d.profile[c] - m.weight >= 0.3) continue;
      if (list_length(d, i) >= 3 || inside_longer_name(d, *m.m) || compound_modifier(d, *m.m))
        continue;
      std::vector<double> prose(countries.size(), 0.0);
      bool any_prose = false, other_in_heading = false;
      for (size_t j = 0; j < d.places.size(); ++j) {
        const Resolved& o = d.places[j];
        if (o.story != m.story || o.in_footer) continue;
        if (!o.heading) {
          any_prose = true;
          prose[o.country] += o.weight;
        } else if (o.country != c) {
          other_in_heading = true;
        }
      }
      if (other_in_heading) continue;
      if (!any_prose || prose[c] > 0) continue;
      uint16_t best = c;
      double best_support = 0;
      for (size_t y = 0; y < prose.size(); ++y) {
        if (y == c || !countries[y].un_member) continue;
        if (prose[y] >= 1.5 && prose[y] > best_support)
          best = static_cast<uint16_t>(y), best_support = prose[y];
      }
      const std::string surface(m.m->span.in(d.view->text));
      if (best == c) {
        heading_lookalike(d, m, prose, out);
        continue;
      }
      Finding f = context_.finding(m.m->span);
      f.suggestion = countries[best].name;
      f.confidence = std::min(0.55, 0.35 + 0.05 * best_support);
      f.message = quoted(surface) + " heads a story about " + countries[best].name +
                  " that never mentions it, and the document names it only here; did you mean " +
                  quoted(countries[best].name) + "?";
      out.push_back(std::move(f));
    }
  }

  // "March 2025 North Korea wildfires" over "A wildfire in Uiseong County,
  // South Korea": the heading's country and the prose's disagree, and they
  // are look-alikes (names alike at 0.8 or more), each named once. Too little
  // to tell which one slipped, so both are flagged, each suggesting the
  // other, below the confidence of a one-sided finding. `prose` holds the
  // story's prose weight per country; the heading mention `h` was checked by
  // heading_country().
  void heading_lookalike(const Doc& d, const Resolved& h, const std::vector<double>& prose,
                         std::vector<Finding>& out) const {
    const auto& countries = gaz_.countries();
    const uint16_t c = h.country;
    uint16_t meant = c;
    double best_sim = 0;
    for (size_t y = 0; y < prose.size(); ++y) {
      if (y == c || prose[y] <= 0 || !countries[y].un_member) continue;
      const double sim = name_similarity(countries[c].name, countries[y].name);
      if (sim >= 0.8 && sim < 0.999 && sim > best_sim)
        meant = static_cast<uint16_t>(y), best_sim = sim;
    }
    if (meant == c) return;
    // The prose's look-alike, named only in this story's prose, and once.
    const Resolved* other = nullptr;
    for (const Resolved& o : d.places) {
      if (o.country != meant || o.in_footer) continue;
      if (o.story != h.story || o.heading || other) return;
      other = &o;
    }
    if (!other || (other->kind != PlaceKind::kCountry && other->kind != PlaceKind::kAlias)) return;
    // An address ("Uiseong County, South Korea") is the prose's evidence, not part of a longer
    // name.
    const size_t sp = d.sig_pos[other->m->first_token];
    const bool address = sp != std::string::npos && sp > 0 && tok(d, d.sig[sp - 1]) == ",";
    if (compound_modifier(d, *other->m) || (!address && inside_longer_name(d, *other->m))) return;
    const std::string heading_name(h.m->span.in(d.view->text)),
        prose_name(other->m->span.in(d.view->text));
    Finding f = context_.finding(h.m->span);
    f.suggestion = countries[meant].name;
    f.confidence = 0.4;
    f.message = quoted(heading_name) + " heads a story whose prose names only the look-alike " +
                quoted(prose_name) + "; one of the two is likely a slip: did you mean " +
                quoted(countries[meant].name) + "?";
    out.push_back(std::move(f));
    Finding g = context_.finding(other->m->span);
    g.suggestion = countries[c].name;
    g.confidence = 0.4;
    g.message = quoted(prose_name) + " is the only country of a story headed " +
                quoted(heading_name) +
                ", its look-alike; one of the two is likely a slip: did you mean " +
                quoted(countries[c].name) + "?";
    out.push_back(std::move(g));
  }

  void contained_names(const Doc& d, std::vector<Finding>& out) const {
    const auto& names = gaz_.names();
    const auto& countries = gaz_.countries();
    auto countryish = [](PlaceKind k) {
      return k == PlaceKind::kCountry || k == PlaceKind::kAlias;
    };
    // The country names that may hold a shorter one, grouped by surface, each
    // group in document order and again by sentence: a page that names
    // thousands of places looks up only the few distinct longer names.
    struct Longer {
      std::vector<size_t> places;                        // document order
      std::vector<std::pair<size_t, size_t>> sentences;  // (sentence, place), sorted
    };
    std::map<std::string_view, Longer> longer_names;
    for (size_t j = 0; j < d.places.size(); ++j) {
      const Resolved& o = d.places[j];
      if (o.in_footer || !countryish(o.kind)) continue;
      const std::string_view os = o.m->span.in(d.view->text);
      if (os.find(' ') == std::string_view::npos) continue;  // ends_with_word needs a space
      // "the People's Republic of China" holds no "Republic of China"
      const size_t sp = d.sig_pos[o.m->first_token];
      if (sp != std::string::npos && sp >= 2 && tok(d, d.sig[sp - 1]) == "s" &&
          (tok(d, d.sig[sp - 2]) == "'" || tok(d, d.sig[sp - 2]) == "\u2019"))
        continue;
      longer_names[os].places.push_back(j);
      longer_names[os].sentences.push_back({o.sentence, j});
    }
    for (auto& [_, l] : longer_names) std::sort(l.sentences.begin(), l.sentences.end());
    for (size_t i = 0; i < d.places.size(); ++i) {
      const Resolved& m = d.places[i];
      if (m.in_footer || !countryish(m.kind) || list_length(d, i) >= 3) continue;
      // Part of a longer name ("Bank of Guinea", "New Guinea"); an address
      // after a comma ("Ihusi, Republic of the Congo") is no such part.
      {
        const TokenList& toks = d.view->tokens;
        const size_t sp = d.sig_pos[m.m->first_token];
        auto capital_word = [&](size_t t) {
          return toks[t].is_word() && toks[t].has_upper_initial && !d.function_word[t];
        };
        if (sp != std::string::npos && sp > 0) {
          const size_t p = d.sig[sp - 1];
          if (p + 2 == m.m->first_token && capital_word(p)) continue;
          if (sp > 1 && lower_ascii(tok(d, p)) == "of" && capital_word(d.sig[sp - 2])) continue;
        }
      }
      // A formal name that is no country's common name is written on
      // purpose ("Japan and the Republic of Korea" beside the Democratic
      // People's Republic of Korea); a common one may be the slip ("Republic
      // of the Congo").
      bool common_name = false;
      for (uint32_t row : m.m->readings)
        common_name = common_name || names[row].kind == PlaceKind::kCountry;
      if (!common_name) continue;
      const std::string surface(m.m->span.in(d.view->text));
      size_t first_longer = d.places.size();
      bool same_sentence = false;
      for (const auto& [os, l] : longer_names) {
        if (!ends_with_word(os, surface)) continue;
        for (size_t j : l.places)
          if (d.places[j].country != m.country) {
            first_longer = std::min(first_longer, j);
            break;
          }
        for (auto it = std::lower_bound(l.sentences.begin(), l.sentences.end(),
                                        std::make_pair(m.sentence, size_t{0}));
             it != l.sentences.end() && it->first == m.sentence; ++it)
          same_sentence = same_sentence || d.places[it->second].country != m.country;
      }
      if (first_longer == d.places.size() || same_sentence) continue;
      const Resolved* longer = &d.places[first_longer];
      bool own_elsewhere = false;
      for (const Resolved& o : d.places) {
        if (&o == &m || o.country != m.country) continue;
        bool shared = false;  // a demonym of both countries
        for (uint32_t row : o.m->readings) shared = shared || names[row].country == longer->country;
        if (!shared) {
          own_elsewhere = true;
          break;
        }
      }
      if (own_elsewhere) continue;
      const std::string meant(longer->m->span.in(d.view->text));
      Finding f = confusable_.finding(m.m->span);
      f.suggestion = meant;
      f.confidence = 0.45;
      f.message = quoted(surface) + " (" + countries[m.country].name +
                  ") is named only here, in a document about " + quoted(meant) +
                  ", whose name ends in it; did you mean " + quoted(meant) + "?";
      out.push_back(std::move(f));
    }
  }

  // "attacks in Kaduna and Nigeria States in Nigeria": a country's name
  // written where a region's stands (before "State", "Province", ...),
  // although it names no region, while a region of a country of the
  // sentence or story resembles it (Niger State, Nigeria): that region was
  // meant. "Niger State" itself is a region's name and is never flagged.
  void country_as_region(const Doc& d, std::vector<Finding>& out) const {
    static const char* kGeneric[] = {"state",      "states",   "province", "provinces",
                                     "region",     "regions",  "oblast",   "governorate",
                                     "department", "district", "county",   "prefecture"};
    const auto& names = gaz_.names();
    const auto& countries = gaz_.countries();
    for (size_t i = 0; i < d.places.size(); ++i) {
      const Resolved& m = d.places[i];
      if (m.in_footer || (m.kind != PlaceKind::kCountry && m.kind != PlaceKind::kAlias)) continue;
      bool region_reading = false;
      for (uint32_t row : m.m->readings)
        region_reading = region_reading || names[row].kind == PlaceKind::kRegion;
      if (region_reading || m.m->possessive) continue;
      // A native or alternative name that is an English word ("Island" for
      // Iceland in "Pacific Island States") is that word.
      const std::string written(m.m->span.in(d.view->text));
      if (m.kind == PlaceKind::kAlias && common_word(lower_ascii(written))) continue;
      const auto after = context_words(d, m.m->end_token - 1, 1, false);
      bool generic = false;
      for (const char* g : kGeneric) generic = generic || (!after.empty() && after[0] == g);
      // capitalised, as in a region's name: not "the Kenya state visit"
      const size_t next = d.sig_pos[m.m->end_token - 1] + 1;
      if (!generic || next >= d.sig.size() || !d.view->tokens[d.sig[next]].has_upper_initial)
        continue;
      const std::string surface(m.m->span.in(d.view->text));
      const std::vector<double>& prof = d.local[m.story];
      std::vector<uint16_t> here;  // countries the sentence names
      for (const Resolved& o : d.places)
        if (&o != &m && o.sentence == m.sentence) here.push_back(o.country);
      const uint32_t* best = nullptr;
      double best_sim = 0, best_rank = 0;
      const std::string key = similarity_key(surface);
      for (size_t c = 0; c < countries.size(); ++c) {
        const bool in_sentence = std::find(here.begin(), here.end(), c) != here.end();
        if (!in_sentence && prof[c] < 0.9) continue;
        for (const uint32_t& row : gaz_.names_of(static_cast<uint16_t>(c))) {
          if (names[row].kind != PlaceKind::kRegion || names[row].surface == surface) continue;
          const double sim = name_similarity(surface, names[row].surface);
          if (sim < 0.7) continue;
          // ties of look and sound ("Nasarawa", "Niger" for "Nigeria"): fewer edits win
          const std::string rk = similarity_key(names[row].surface);
          const double rank =
              sim + 0.1 * (1.0 - static_cast<double>(edit_distance(key, rk)) /
                                     static_cast<double>(std::max(key.size(), rk.size())));
          if (rank > best_rank) best_rank = rank, best_sim = sim, best = &row;
        }
      }
      if (!best) continue;
      const PlaceName& target = names[*best];
      Finding f = region_country_.finding(m.m->span);
      f.suggestion = target.surface;
      f.confidence = 0.5 + 0.3 * (best_sim - 0.7);
      f.message = quoted(surface) + " is a country, written here as a region ('" + after[0] +
                  "'); did you mean " + quoted(target.surface) + " (" +
                  countries[target.country].name + ")?";
      out.push_back(std::move(f));
    }
  }

  // Lowercase non-space tokens of [from, to), skipping possessive endings.
  std::vector<std::string> words_between(const Doc& d, size_t from, size_t to) const {
    std::vector<std::string> w;
    for (size_t i = from; i < to; ++i) {
      const Token& t = d.view->tokens[i];
      if (t.kind == TokenKind::kSpace) continue;
      if (t.kind == TokenKind::kNewline) return {"\n"};
      w.push_back(lower_ascii(t.in(d.view->text)));
    }
    return w;
  }
  // The n non-space tokens before token i (nearest last) or after token i, lowercased, same line.
  std::vector<std::string> context_words(const Doc& d, size_t tok, int n, bool before) const {
    std::vector<std::string> w;
    size_t s = d.sig_pos[tok];
    for (int k = 1; k <= n; ++k) {
      if (before ? s < static_cast<size_t>(k) : s + k >= d.sig.size()) break;
      const size_t i = d.sig[before ? s - k : s + k];
      if (d.view->tokens[i].kind == TokenKind::kNewline) break;
      w.push_back(lower_ascii(d.view->tokens[i].in(d.view->text)));
    }
    return w;
  }

  // An example of a set ("Others, such as Ireland, waived visas",
  // "countries including Chile"): named as one of many, not as a party to
  // its sentence's events.
  bool named_as_example(const Doc& d, const PlaceMention& m) const {
    const auto w = context_words(d, m.first_token, 2, true);
    // "nations like North Korea and Iran": "like" after a plural noun
    const bool like = w.size() >= 2 && w[0] == "like" && w[1].size() > 3 && w[1].back() == 's';
    return (w.size() >= 1 && w[0] == "including") || like ||
           (w.size() >= 2 && w[0] == "as" && w[1] == "such");
  }

  // A lone country written where the article elsewhere writes its main
  // country in the same phrase: "invasion of Iraq" beside "invasion of Ukraine".
  void context_rule(const Doc& d, size_t i, double own, const std::vector<uint16_t>& partners,
                    std::vector<Finding>& out) const {
    const Resolved& m = d.places[i];
    if (m.kind != PlaceKind::kCountry && m.kind != PlaceKind::kAlias) return;
    if (own >= 0.3) return;  // named elsewhere in its story (a mention in another story weighs 0.2)
    // A bulleted list ("- headline - source - date") holds unrelated items:
    // one item's wording says nothing about another's.
    if (in_bullet_item(d, m.m->first_token)) return;
    const auto& countries = gaz_.countries();
    const auto left = context_words(d, m.m->first_token, 2, true);
    const auto right = context_words(d, m.m->end_token - 1, 2, false);
    const Resolved* best = nullptr;
    double best_conf = 0;
    // Countries the document writes in the same phrase: a phrase it fills
    // with several ("deployed to Kenya", "deployed to Niger", "deployed to
    // Jordan"; "China doesn't pay. India doesn't pay.") is a frame for any
    // country, not the main country's.
    std::vector<uint16_t> fillers;
    for (const Resolved& o : d.places) {
      if (&o == &m || o.country == m.country || o.in_footer) continue;
      if (o.kind != PlaceKind::kCountry && o.kind != PlaceKind::kAlias) continue;
      if (std::find(partners.begin(), partners.end(), o.country) != partners.end()) continue;
      const double support = d.profile[o.country];
      const auto ol = context_words(d, o.m->first_token, 2, true);
      const auto orr = context_words(d, o.m->end_token - 1, 2, false);
      // Two words of the same phrase on one side (not just "in" + punctuation).
      // A phrase, not a list or a pairing: no comma, no other place, and at
      // least one word longer than a particle ("invasion of", "summit on").
      auto contentful = [&](const std::vector<std::string>& w, size_t tok, bool before) {
        bool long_word = false;
        for (const auto& x : w) {
          if (x == "," || x == "and" || x == "or" || x == "(" || x == ")") return false;
          if (x.size() >= 5 && x != "says" && x != "said") long_word = true;  // not "says that"
        }
        for (size_t k = 1; k <= 2; ++k) {
          const size_t sp = d.sig_pos[tok];
          if (before ? sp < k : sp + k >= d.sig.size()) break;
          if (is_place_token(d, d.sig[before ? sp - k : sp + k])) return false;
        }
        return long_word;
      };
      const bool same_left = left.size() == 2 && left == ol &&
                             contentful(left, m.m->first_token, true) &&
                             contentful(ol, o.m->first_token, true);
      const bool same_right = right.size() == 2 && right == orr &&
                              contentful(right, m.m->end_token - 1, false) &&
                              contentful(orr, o.m->end_token - 1, false);
      if (!same_left && !same_right) continue;
      if (std::find(fillers.begin(), fillers.end(), o.country) == fillers.end())
        fillers.push_back(o.country);
      if (support < 2.0) continue;
      const double conf =
          0.45 + 0.1 * std::min(support, 6.0) / 6.0 + (same_left && same_right ? 0.1 : 0.0);
      if (conf > best_conf) {
        best_conf = conf;
        best = &o;
      }
    }
    if (fillers.size() >= 2) best = nullptr;
    // Pair parallel: "Iraq\u2013Pakistan war" where the article otherwise
    // pairs Pakistan with Afghanistan ("Afghanistan\u2013Pakistan clashes").
    // Only two-member pairs joined by a dash, "and" or a slash count, not lists ("A, B and C").
    auto linked = [&](size_t a, size_t b) {
      if (a >= d.places.size() || b >= d.places.size()) return false;
      const Resolved& x = d.places[a];
      const Resolved& y = d.places[b];
      if (x.sentence != y.sentence || y.in_footer || !connected(d, *x.m, *y.m)) return false;
      const size_t lo = std::min(x.m->end_token, y.m->end_token),
                   hi = std::max(x.m->first_token, y.m->first_token);
      for (const auto& w : words_between(d, lo, hi))
        if (w == "," || w == "or" || w == "than" || w == "to") return false;
      return true;
    };
    auto paired = [&](size_t a, size_t b) {
      if (!linked(a, b)) return false;
      const size_t l = std::min(a, b), r = std::max(a, b);
      auto listed = [&](size_t x,
                        size_t y) {  // any connector, commas too: "Afghanistan, Iraq and Pakistan"
        return x < d.places.size() && y < d.places.size() &&
               d.places[x].sentence == d.places[y].sentence &&
               connected(d, *d.places[x].m, *d.places[y].m);
      };
      return !listed(l - 1, l) && !listed(r, r + 1);
    };
    // A pairing of neighbours ("Sweden and Finland") is natural whatever
    // else the document pairs the partner with.
    std::vector<uint16_t> mine;
    for (size_t j : {i - 1, i + 1})
      if (j < d.places.size() && paired(i, j) && d.places[j].country != m.country &&
          !gaz_.near(m.country, d.places[j].country))
        mine.push_back(d.places[j].country);
    if (!mine.empty()) {
      std::unordered_map<uint16_t, int> votes;
      for (size_t k = 0; k < d.places.size(); ++k) {
        const Resolved& o = d.places[k];
        if (k == i || o.country == m.country || o.in_footer) continue;
        if (std::find(mine.begin(), mine.end(), o.country) != mine.end()) continue;
        if (o.kind != PlaceKind::kCountry && o.kind != PlaceKind::kAlias) continue;
        if (d.profile[o.country] < 1.5 || in_bullet_item(d, o.m->first_token)) continue;
        for (size_t j : {k - 1, k + 1})
          if (j < d.places.size() && j != i && paired(k, j) &&
              std::find(mine.begin(), mine.end(), d.places[j].country) != mine.end())
            ++votes[o.country];
      }
      for (const auto& [c, n] : votes) {
        const double conf = 0.42 + 0.08 * std::min(n, 3);
        if (conf <= best_conf) continue;
        best_conf = conf;
        for (const Resolved& o : d.places)
          if (o.country == c && (o.kind == PlaceKind::kCountry || o.kind == PlaceKind::kAlias)) {
            best = &o;
            break;
          }
      }
    }
    if (!best) {
      lone_country(d, i, out);
      return;
    }
    // "2025 United States trade war with Canada and Mexico": the sentence
    // names the country the parallel points to already; it was not meant. A
    // demonym does not name it ("Glory to Iraq!, ... wished the Ukrainian
    // military good luck").
    for (const Resolved& o : d.places)
      if (&o != &m && o.sentence == m.sentence && o.country == best->country &&
          o.kind != PlaceKind::kDemonym)
        return;
    const std::string surface(m.m->span.in(d.view->text));
    const std::string meant(best->m->span.in(d.view->text));
    Finding f = context_.finding(m.m->span);
    f.suggestion = meant;
    f.confidence = best_conf;
    f.message = "'" + surface + "' is mentioned only here, in a phrase this article uses for " +
                countries[best->country].name + " elsewhere; did you mean '" + meant + "'?";
    out.push_back(std::move(f));
  }

  // The document model's odd one out: "Russia and Iraq agree to a
  // ceasefire" in a story about Ukraine. A sovereign country named once in
  // the whole document, with nothing else of it (no city, demonym, region),
  // far from every country of its story (no shared border or subregion), in
  // a sentence that names the story's own places: the story's main country
  // was likely meant. A lone mention of a far country is common in honest
  // prose too, so the confidence stays low.
  void lone_country(const Doc& d, size_t i, std::vector<Finding>& out) const {
    const Resolved& m = d.places[i];
    const auto& countries = gaz_.countries();
    const uint16_t c = m.country;
    if (!countries[c].un_member || d.profile[c] - m.weight >= 0.3) return;
    if (named_as_example(d, *m.m)) return;
    const std::vector<double>& prof = d.local[m.story];
    const std::vector<uint16_t> story = story_countries(prof, c);
    if (story.empty()) return;
    for (uint16_t s : story)
      if (gaz_.near(c, s)) return;
    // The sentence is about the story's events: it names one of its places.
    // (A demonym counts: "Ukrainian drones strike Peru" names Ukraine.)
    std::vector<uint16_t> in_sentence;
    for (const Resolved& o : d.places)
      if (&o != &m && o.sentence == m.sentence && !o.in_footer) in_sentence.push_back(o.country);
    auto named_here = [&](uint16_t s) {
      return std::find(in_sentence.begin(), in_sentence.end(), s) != in_sentence.end();
    };
    // The meant country: the strongest of the story that the sentence does
    // not name already ("France ... a summit on Ukraine" is no slip for
    // Ukraine) and that the sentence's own story places are near: "Russian
    // invasion of Iraq" (Russia borders Ukraine), not "protests against US
    // support for Israel" in a story that drifted from Nigeria.
    // A sentence that writes out the story's main country ("a summit on
    // Ukraine") is about it already; a demonym ("Russian invasion of") is not.
    for (const Resolved& o : d.places)
      if (&o != &m && o.sentence == m.sentence && o.country == story.front() &&
          (o.kind == PlaceKind::kCountry || o.kind == PlaceKind::kAlias))
        return;
    std::optional<uint16_t> meant;
    for (uint16_t s : story) {
      // one of the story's main countries, not a side one ("Others, such as
      // Ireland, waived visas" in a story about Ukraine is not about Russia)
      if (prof[s] < 0.8 * prof[story.front()]) break;
      if (named_here(s)) continue;
      bool related = false;
      for (uint16_t o : in_sentence)
        related = related || (o != c && prof[o] >= 1.5 && gaz_.near(o, s));
      if (related) {
        meant = s;
        break;
      }
    }
    if (!meant) return;
    // A list or pairing with another outsider ("Canada and Mexico", "the UK
    // and US") names several countries on purpose.
    for (size_t j : {i - 1, i + 1}) {
      if (j >= d.places.size() || d.places[j].sentence != m.sentence) continue;
      const auto w = words_between(d, std::min(m.m->end_token, d.places[j].m->end_token),
                                   std::max(m.m->first_token, d.places[j].m->first_token));
      bool joined = !w.empty() && w.size() <= 3;
      for (const auto& x : w)
        joined = joined && (x == "," || x == "and" || x == "or" || x == "the");
      if (!joined && !connected(d, *m.m, *d.places[j].m)) continue;
      if (prof[d.places[j].country] < 1.5) return;
      if (std::find(w.begin(), w.end(), ",") != w.end()) return;  // "Ethiopia, Yemen, and Kenya"
    }
    const std::string surface(m.m->span.in(d.view->text));
    Finding f = context_.finding(m.m->span);
    f.suggestion = countries[*meant].name;
    f.confidence = 0.32 + 0.1 * std::min(prof[*meant], 6.0) / 6.0;
    f.message = quoted(surface) + " is named only here, far from this story's places (" +
                profile_phrase(prof, c) + "); did you mean " + quoted(f.suggestion) + "?";
    out.push_back(std::move(f));
  }

  static uint32_t pair_key(uint16_t a, uint16_t b) {
    return a < b ? (uint32_t{a} << 16) | b : (uint32_t{b} << 16) | a;
  }
  // Pairs of countries the document relates closely outside sentence
  // `skip`: two places of one sentence with at most three words between
  // ("Russian invasion of Ukraine", "Russia\u2013Ukraine talks", "Ukraine's
  // war with Russia"), and a combining form glued to a demonym
  // ("Russo-Ukrainian", "Franco-German": the form without its final "o"
  // begins exactly one country's name).
  std::unordered_set<uint32_t> document_pairs(const Doc& d, size_t skip) const {
    std::unordered_set<uint32_t> pairs;
    for (size_t k = 0; k + 1 < d.places.size(); ++k) {
      const Resolved& a = d.places[k];
      const Resolved& b = d.places[k + 1];
      if (a.sentence != b.sentence || a.sentence == skip || a.in_footer || a.country == b.country)
        continue;
      const auto w = words_between(d, a.m->end_token, b.m->first_token);
      if (w.size() <= 3 && (w.empty() || w[0] != "\n"))
        pairs.insert(pair_key(a.country, b.country));
    }
    const TokenList& toks = d.view->tokens;
    for (const Resolved& r : d.places) {
      const size_t t = r.m->first_token;
      if (r.kind != PlaceKind::kDemonym || r.sentence == skip || t < 2 || tok(d, t - 1) != "-")
        continue;
      const std::string_view form = tok(d, t - 2);
      if (!toks[t - 2].is_word() || !toks[t - 2].has_upper_initial || form.size() < 5 ||
          form.back() != 'o')
        continue;
      const std::string stem = lower_ascii(form.substr(0, form.size() - 1));
      std::optional<uint16_t> found;
      int n = 0;
      for (size_t c = 0; c < gaz_.countries().size(); ++c)
        if (lower_ascii(gaz_.countries()[c].name).compare(0, stem.size(), stem) == 0)
          ++n, found = static_cast<uint16_t>(c);
      if (n == 1 && *found != r.country) pairs.insert(pair_key(*found, r.country));
    }
    return pairs;
  }

  // "the Russian invasion of Iraq", "Russia's war on Iraq", "Russia and Iraq
  // agree to a ceasefire": a sovereign country named once in the whole
  // document, in a sentence whose other country (the actor: a name, demonym
  // or capital at most eight words away) is far from it, while the document
  // relates the actor closely to a neighbour of it (document_pairs: "Russian
  // invasion of Ukraine", "Russo-Ukrainian war") that the sentence does not
  // name. The neighbour is suggested. Not for a speaker ("The United States
  // says that ..."), a list, a regional story (a neighbour of the written
  // country in its sentence or story) or a venue in a sentence that writes
  // out the story's main country ("in Peru for a summit on Ukraine"). Wider
  // than lone_country (the neighbour need not lead the story), so the
  // confidence stays at 0.34-0.42.
  void actor_neighbour(const Doc& d, size_t i, std::vector<Finding>& out) const {
    const Resolved& m = d.places[i];
    const auto& countries = gaz_.countries();
    const uint16_t c = m.country;
    if (m.in_footer || (m.kind != PlaceKind::kCountry && m.kind != PlaceKind::kAlias)) return;
    if (!countries[c].un_member || d.profile[c] - m.weight >= 0.3) return;
    if (list_length(d, i) >= 3 || inside_longer_name(d, *m.m) ||
        in_bullet_item(d, m.m->first_token) || named_as_example(d, *m.m))
      return;
    // A speaker ("The United States says that Russia and ...") is a source, not a party.
    {
      const auto after = context_words(d, m.m->end_token - 1, 1, false);
      static const char* kReporting[] = {"says",      "said",    "say",      "announces",
                                         "announced", "reports", "reported", "states"};
      for (const char* v : kReporting)
        if (!after.empty() && after[0] == v) return;
    }
    const std::vector<double>& prof = d.local[m.story];
    // A neighbour of the written country in its own story (not one that only
    // other stories of a digest name) makes it a regional story.
    for (size_t s = 0; s < prof.size(); ++s) {
      const double own_story = (prof[s] - 0.2 * d.profile[s]) / 0.8;
      if (s != c && own_story >= 0.9 && gaz_.near(c, static_cast<uint16_t>(s))) return;
    }
    std::vector<uint16_t> actors, in_sentence;
    for (const Resolved& o : d.places) {
      if (&o == &m || o.sentence != m.sentence || o.in_footer) continue;
      in_sentence.push_back(o.country);
      if (o.country == c || o.kind == PlaceKind::kRegion || o.kind == PlaceKind::kCity) continue;
      if (gaz_.near(o.country, c))
        return;  // a neighbour of the written country is named: a regional story
      // the actor acts on the written country: at most eight words apart
      const size_t lo = std::min(o.m->end_token, m.m->end_token),
                   hi = std::max(o.m->first_token, m.m->first_token);
      if (words_between(d, lo, hi).size() <= 8) actors.push_back(o.country);
    }
    if (actors.empty()) return;
    // A venue in a sentence that writes out its story's main country
    // ("Leaders meet in Peru for a summit on Ukraine"): the sentence is about
    // that country already, and the venue is where it is discussed.
    const std::vector<uint16_t> story = story_countries(prof, c);
    const auto before = context_words(d, m.m->first_token, 1, true);
    if (!before.empty() && (before[0] == "in" || before[0] == "at"))
      for (const Resolved& o : d.places)
        if (&o != &m && o.sentence == m.sentence && !story.empty() && o.country == story.front() &&
            (o.kind == PlaceKind::kCountry || o.kind == PlaceKind::kAlias))
          return;
    const auto pairs = document_pairs(d, m.sentence);
    auto paired_with_actor = [&](uint16_t b) {
      for (uint16_t a : actors)
        if (a != b && gaz_.near(a, b) && pairs.count(pair_key(a, b))) return true;
      return false;
    };
    auto named_here = [&](size_t b) {
      return std::find(in_sentence.begin(), in_sentence.end(), b) != in_sentence.end();
    };
    std::optional<uint16_t> meant;
    double best = 0;
    for (size_t b = 0; b < countries.size(); ++b) {
      if (b == c || !countries[b].un_member || d.profile[b] < 0.8 || named_here(b)) continue;
      if (!paired_with_actor(static_cast<uint16_t>(b))) continue;
      const double score = d.profile[b] + prof[b];
      if (score > best) best = score, meant = static_cast<uint16_t>(b);
    }
    if (!meant) return;
    // A pairing with another country ("Russia and Iraq") is fine; a list is not.
    const std::string surface(m.m->span.in(d.view->text));
    Finding f = context_.finding(m.m->span);
    f.suggestion = countries[*meant].name;
    f.confidence = 0.34 + 0.08 * std::min(d.profile[*meant], 3.0) / 3.0;
    f.message =
        quoted(surface) +
        " is named only here, far from the other country of its sentence, in a document about " +
        countries[*meant].name + ", its neighbour; did you mean " + quoted(f.suggestion) + "?";
    out.push_back(std::move(f));
  }

  // "Sumy, Iraq" (a city followed by a country it is not in), "X, the capital
  // of Y", "Y's capital X", "the capital of Y, X", "the Turkish capital X".
  void capital_rules(const Doc& d, std::vector<Finding>& out) const {
    const auto& names = gaz_.names();
    const auto& countries = gaz_.countries();
    auto has_reading = [&](const Resolved& r, uint16_t c, bool capital_only) {
      for (uint32_t row : r.m->readings) {
        const PlaceName& n = names[row];
        if (n.country != c) continue;
        if (!capital_only || n.kind == PlaceKind::kCapital) return true;
      }
      return false;
    };
    auto is_town = [&](const Resolved& r) {
      return r.kind == PlaceKind::kCity || r.kind == PlaceKind::kCapital;
    };
    auto is_region = [&](const Resolved& r) { return r.kind == PlaceKind::kRegion; };
    // "Paktia Province, X", "Dnipropetrovsk Oblast, X": the region's generic word before the comma.
    auto generic_word = [](const std::string& w) {
      static const char* kGeneric[] = {"province",    "state",      "oblast",   "region",
                                       "governorate", "department", "district", "county",
                                       "prefecture",  "territory",  "krai"};
      for (const char* g : kGeneric)
        if (w == g) return true;
      return false;
    };
    auto plural_generic = [&](const std::string& w) {
      return generic_word(w) ||
             (w.size() > 1 && w.back() == 's' && generic_word(w.substr(0, w.size() - 1))) ||
             w == "counties" || w == "territories" || w == "prefectures";
    };
    auto direction_word = [](const std::string& w) {
      static const char* kDirections[] = {
          "north",        "south",     "east",      "west",         "northern",     "southern",
          "eastern",      "western",   "central",   "northeastern", "northwestern", "southeastern",
          "southwestern", "northeast", "northwest", "southeast",    "southwest"};
      for (const char* x : kDirections)
        if (w == x) return true;
      return false;
    };
    auto is_country = [&](const Resolved& r) {
      return r.kind == PlaceKind::kCountry || r.kind == PlaceKind::kAlias;
    };
    auto support_without = [&](const Resolved& r) { return d.profile[r.country] - r.weight; };
    for (size_t i = 0; i + 1 < d.places.size(); ++i) {
      const Resolved& a = d.places[i];
      const Resolved& b = d.places[i + 1];
      if (a.in_footer || b.in_footer || a.sentence != b.sentence) continue;
      const auto between = words_between(d, a.m->end_token, b.m->first_token);
      const auto before_a = context_words(d, a.m->first_token, 3, true);  // nearest first
      const std::string sa(a.m->span.in(d.view->text)), sb(b.m->span.in(d.view->text));

      // town + stated country (or demonym): which of the two is wrong?
      const Resolved* town = nullptr;
      const Resolved* state = nullptr;
      bool capital_claim = false;
      bool weak_pattern = false;  // "X in Y": a town in a country, not its address
      using V = std::vector<std::string>;
      const bool addressable = is_town(a) || is_region(a);
      if (is_town(a) && is_country(b) &&
          (between == V{",", "the", "capital", "of"} ||
           between == V{",", "the", "capital", "city", "of"})) {
        town = &a, state = &b, capital_claim = true;
      } else if ((is_country(a) && a.m->possessive &&
                  (between == V{"'", "s", "capital"} || between == V{"\u2019", "s", "capital"} ||
                   between == V{"capital"} || between == V{"capital", ","} ||
                   between == V{"'", "s", "capital", ","} ||
                   between == V{"\u2019", "s", "capital", ","})) &&
                 is_town(b)) {
        town = &b, state = &a, capital_claim = true;
      } else if (is_country(a) && is_town(b) && between == V{","} && before_a.size() >= 3 &&
                 before_a[0] == "of" && before_a[1] == "capital" && before_a[2] == "the") {
        town = &b, state = &a, capital_claim = true;
      } else if (a.kind == PlaceKind::kDemonym && is_town(b) &&
                 (between == V{"capital"} || between == V{"capital", ","}) && !before_a.empty() &&
                 before_a[0] == "the") {
        town = &b, state = &a, capital_claim = true;
      } else if (addressable && is_country(b) &&
                 (between == V{","} ||
                  (between.size() == 2 && generic_word(between[0]) && between[1] == ","))) {
        // "Sumy, Iraq": not a list ("Kabul, Iraq and Syria", "in Paris, Berlin, Iraq").
        const auto after_b = context_words(d, b.m->end_token - 1, 2, false);
        const bool list_after =
            !after_b.empty() && (after_b[0] == "and" || after_b[0] == "or" ||
                                 (after_b[0] == "," && i + 2 < d.places.size() &&
                                  d.places[i + 2].sentence == b.sentence &&
                                  d.places[i + 2].m->first_token <= b.m->end_token + 3));
        // An address chain is no list: "Urgun District, Paktia Province, X",
        // "Lubero Territory, North Kivu, X" (no place before the comma).
        const bool list_before =
            !before_a.empty() &&
            (before_a[0] == "and" || (before_a[0] == "," && i > 0 && !d.places[i - 1].in_footer &&
                                      d.places[i - 1].sentence == a.sentence &&
                                      d.places[i - 1].m->end_token + 4 >= a.m->first_token));
        if (!list_after && !list_before) town = &a, state = &b;
      } else if (is_region(a) && is_country(b) && between.size() == 2 &&
                 plural_generic(between[0]) && between[1] == "of") {
        // "the Nangarhar and Paktika provinces of Iraq"
        town = &a, state = &b;
      } else if (addressable && is_country(b) && !between.empty() && between[0] == "in" &&
                 (between.size() == 1 || (between.size() == 2 && direction_word(between[1])))) {
        // "Lviv in western Iraq"
        if (!inside_longer_name(d, *a.m)) town = &a, state = &b, weak_pattern = true;
      }
      if (!town || !state) continue;
      // A town or region of a dependency ("Rota", Northern Mariana Islands)
      // addressed to a state is most likely a small namesake there the
      // gazetteer does not list ("Rota, Spain").
      if (!capital_claim && !countries[town->country].un_member &&
          countries[state->country].un_member)
        continue;
      const uint16_t sc = state->country;
      if (capital_claim ? has_reading(*town, sc, true) : has_reading(*town, sc, false)) continue;
      if (!capital_claim && town->kind == PlaceKind::kCapital && has_reading(*town, sc, false))
        continue;
      // "Atlanta, Georgia": the stated name is also a region of the town's
      // country; "Savannah, Georgia" in a document about the United States:
      // a region of a country the document is more about than the state
      // (a town the gazetteer does not list, in the US state).
      bool state_is_region_there = false;
      for (uint32_t row : state->m->readings)
        if (names[row].kind == PlaceKind::kRegion &&
            (has_reading(*town, names[row].country, false) ||
             d.profile[names[row].country] > d.profile[state->country]))
          state_is_region_there = true;
      if (!capital_claim && state_is_region_there) continue;
      const bool use_capital = capital_claim && !countries[sc].capitals.empty();
      const RuleSwitch& rule = capital_claim      ? wrong_capital_
                               : is_region(*town) ? region_country_
                                                  : city_country_;
      if (!rule.enabled) continue;
      // Which one is the slip? The one the rest of the article does not support.
      const double town_support = support_without(*town), state_support = support_without(*state);
      Finding f;
      f.rule = rule.id;
      f.severity = rule.severity;
      const std::string st(town->m->span.in(d.view->text)), ss(state->m->span.in(d.view->text));
      const std::string town_country = countries[town->country].name;
      // A city of that very country, but not its capital: the capital claim is the slip.
      const bool town_in_state = has_reading(*town, sc, false);
      if (use_capital && (town_in_state || state_support > town_support)) {
        f.span = town->m->span;
        f.suggestion = countries[sc].capitals.front();
        f.message = "'" + st + "' is not the capital of " + countries[sc].name +
                    (town_in_state ? std::string() : " (it is in " + town_country + ")") +
                    "; did you mean '" + f.suggestion + "'?";
      } else {
        // the stated country is the odd one: name the town's country in the same form
        f.span = state->m->span;
        std::string meant = town_country;
        // In the form written: "Republic of the Congo" -> "Democratic Republic
        // of the Congo" (an alias that resembles it more than "DR Congo" does).
        double meant_sim = name_similarity(ss, meant);
        for (uint32_t row : gaz_.names_of(town->country)) {
          if (names[row].kind != PlaceKind::kAlias && names[row].kind != PlaceKind::kCountry)
            continue;
          const double sim = name_similarity(ss, names[row].surface);
          if (sim >= 0.7 && sim > meant_sim + 0.1) meant = names[row].surface, meant_sim = sim;
        }
        if (state->kind == PlaceKind::kDemonym) {
          meant.clear();
          for (uint32_t row : gaz_.names_of(town->country))
            if (names[row].kind == PlaceKind::kDemonym && meant.empty()) meant = names[row].surface;
        }
        f.suggestion = meant;
        f.message = "'" + st + "' is in " + town_country + ", not " + countries[sc].name +
                    "; did you mean '" + meant + "'?";
      }
      f.confidence = capital_claim ? 0.8 : weak_pattern ? 0.7 : 0.85;
      if (std::max(town_support, state_support) < 0.5) f.confidence -= 0.1;
      out.push_back(std::move(f));
    }
  }

  // "Nambia", "Columbia" (for Colombia), "Columbians": a capitalised word that
  // is no place of the gazetteer and no common English word, one edit (or
  // transposition) from a country, demonym or capital with the same first
  // letter. A word prose never writes is likely a typo; a known name
  // ("Columbia") needs evidence: the meant country elsewhere in the story, an
  // address ("Antioquia Department, Columbia") or a pairing ("Columbia\u2013Israel").
  void misspelt_places(const Doc& d, std::vector<Finding>& out) const {
    const TokenList& toks = d.view->tokens;
    const std::string_view text = d.view->text;
    const auto& names = gaz_.names();
    const auto& countries = gaz_.countries();
    std::vector<int> place_at(toks.size(), -1);  // token -> index into d.places
    for (size_t k = 0; k < d.places.size(); ++k)
      for (size_t t = d.places[k].m->first_token; t < d.places[k].m->end_token && t < toks.size();
           ++t)
        place_at[t] = static_cast<int>(k);
    std::vector<bool> in_mention(toks.size(), false);
    for (const PlaceMention& m : d.mentions)
      for (size_t t = m.first_token; t < m.end_token && t < toks.size(); ++t) in_mention[t] = true;
    auto capital_word = [&](size_t i) { return toks[i].is_word() && toks[i].has_upper_initial; };
    for (size_t i = 0; i < toks.size(); ++i) {
      const Token& t = toks[i];
      if (!t.is_word() || !t.has_upper_initial || in_mention[i]) continue;
      const std::string_view w = t.in(text);
      if (w.size() < 5) continue;
      bool shape = true;  // "Nambia": an uppercase letter, then lowercase ASCII letters
      for (size_t k = 1; k < w.size(); ++k) shape = shape && w[k] >= 'a' && w[k] <= 'z';
      if (!shape) continue;
      if (d.function_word[i]) continue;
      const std::string key = lower_ascii(w);
      if (common_word(key)) continue;
      // Part of a longer name: "British Columbia", "Columbia University", "District of Columbia".
      const size_t s = d.sig_pos[i];
      if (s == std::string::npos) continue;
      const bool starts_sentence = s == 0 || d.sentence_of[d.sig[s - 1]] != d.sentence_of[i] ||
                                   toks[d.sig[s - 1]].kind == TokenKind::kNewline;
      if (!starts_sentence && d.sig[s - 1] + 2 == i && capital_word(d.sig[s - 1])) continue;
      if (s + 1 < d.sig.size() && d.sig[s + 1] == i + 2 && capital_word(d.sig[s + 1])) continue;
      if (s > 1 && lower_ascii(tok(d, d.sig[s - 1])) == "of" && capital_word(d.sig[s - 2]))
        continue;
      // A compound or a cut-off word: "Franco-American", "Ukraini- Ukrainian".
      if (i + 1 < toks.size() && toks[i + 1].in(text) == "-") continue;
      // Best target.
      const size_t max_ed =
          1;  // two edits reach other words of a family ("Greenlanders", "Greenlandics")
      const SpellTarget* best = nullptr;
      size_t best_ed = 99;
      double best_rank = -1;
      const unsigned char initial = static_cast<unsigned char>(key[0]);
      for (uint32_t k = spell_first_[initial]; k < spell_first_[initial + 1]; ++k) {
        const SpellTarget& st = spell_targets_[k];
        if (st.key.size() + max_ed < key.size() || key.size() + max_ed < st.key.size()) continue;
        const size_t ed = edit_distance_capped_at_2(key, st.key);  // max_ed is 1
        if (ed == 0 || ed > max_ed) continue;
        // Derived or cut forms are no misspellings: "Slovenian" from "Slovenia".
        if (key.compare(0, st.key.size(), st.key) == 0 || st.key.compare(0, key.size(), key) == 0)
          continue;
        // "-ian"/"-ean" spell one suffix: "Ecuadorians", "Ecuadoreans".
        if (key.size() == st.key.size()) {
          size_t diff = 0;
          while (diff < key.size() && key[diff] == st.key[diff]) ++diff;
          auto vowel = [](char c) {
            return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
          };
          if (diff + 4 >= key.size() && diff < key.size() && vowel(key[diff]) &&
              vowel(st.key[diff]) &&
              key.compare(diff + 1, std::string::npos, st.key, diff + 1) == 0)
            continue;
        }
        const PlaceName& n = names[st.row];
        const double rank = (n.kind == PlaceKind::kCountry   ? 2.0
                             : n.kind == PlaceKind::kDemonym ? 1.5
                                                             : 1.0) +
                            std::min(d.profile[n.country], 3.0);
        if (ed < best_ed || (ed == best_ed && rank > best_rank)) {
          best = &st;
          best_ed = ed;
          best_rank = rank;
        }
      }
      if (!best) continue;
      const PlaceName& target = names[best->row];
      auto it = counts_.find(key);
      const uint32_t seen = it == counts_.end() ? 0 : it->second.lower + it->second.cap;
      const bool unseen = seen <= 2;
      // A capital is suggested only when its country is in the story: capitals
      // have many spelling variants ("Teheran").
      const size_t story = [&] {
        for (const Resolved& r : d.places)
          if (r.m->first_token > i) return r.story;
        return d.places.empty() ? size_t{0} : d.places.back().story;
      }();
      const double support =
          d.local.empty() ? 0.0 : d.local[std::min(story, d.local.size() - 1)][target.country];
      if (target.kind == PlaceKind::kCapital && support < 0.9) continue;
      // Evidence from the words around.
      bool address = false, other_address = false, paired = false, prep = false;
      if (s > 1 && tok(d, d.sig[s - 1]) == ",") {
        const int p = place_at[d.sig[s - 2]];
        if (p >= 0) (d.places[p].country == target.country ? address : other_address) = true;
        // "Antioquia Department, Columbia": a region's generic word between
        if (p < 0 && s > 2 && place_at[d.sig[s - 3]] >= 0 && d.sig[s - 3] + 2 == d.sig[s - 2])
          (d.places[place_at[d.sig[s - 3]]].country == target.country ? address : other_address) =
              true;
      }
      if (s + 2 < d.sig.size() && tok(d, d.sig[s + 1]) == ",") {  // "Columbia, South Carolina"
        const int p = place_at[d.sig[s + 2]];
        if (p >= 0 && d.places[p].country != target.country) other_address = true;
      }
      auto dash = [&](std::string_view x) { return x == "-" || x == "\u2013" || x == "\u2014"; };
      if (s + 2 < d.sig.size() && d.sig[s + 1] == i + 1 && dash(tok(d, d.sig[s + 1])) &&
          place_at[d.sig[s + 2]] >= 0)
        paired = true;
      if (s > 1 && d.sig[s - 1] + 1 == i && dash(tok(d, d.sig[s - 1])) &&
          place_at[d.sig[s - 2]] >= 0)
        paired = true;
      if (s > 0) {
        const std::string pw = lower_ascii(tok(d, d.sig[s - 1]));
        prep = pw == "in" || pw == "from" || pw == "to" || pw == "of" || pw == "against" ||
               pw == "with";
      }
      if (other_address) continue;
      // "near Otjiwarongo, Nambia": a capitalised word and a comma before.
      const bool addressish =
          address || (s > 1 && tok(d, d.sig[s - 1]) == "," && capital_word(d.sig[s - 2]));
      // A country name stands where places stand; a demonym stands anywhere.
      if (target.kind != PlaceKind::kDemonym && !(prep || addressish || paired || support >= 0.9))
        continue;
      // A known name ("America", "Columbia") needs the meant country in the
      // story and an address or a pairing; support alone is not enough.
      double conf = unseen ? 0.55 : 0.1;
      if (support >= 0.9) conf += unseen ? 0.25 : 0.15;
      if (address) conf += unseen ? 0.25 : 0.3;
      if (paired) conf += unseen ? 0.1 : 0.2;
      if (prep && (unseen || support >= 0.9)) conf += 0.05;
      conf = std::min(conf, 0.95);
      Finding f = misspelt_.finding(t.span());
      f.suggestion = target.surface;
      f.confidence = conf;
      f.message =
          "'" + std::string(w) + "' is not a place name " +
          (unseen ? std::string("and not an English word") : std::string("this article uses")) +
          "; did you mean '" + target.surface + "'" +
          (target.kind == PlaceKind::kCountry ? std::string()
                                              : " (" + countries[target.country].name + ")") +
          "?";
      out.push_back(std::move(f));
    }
  }

  // Countries each story names at least twice over (support >= 1.5), strongest first.
  std::vector<uint16_t> story_countries(const std::vector<double>& prof, uint16_t exclude) const {
    std::vector<uint16_t> out;
    for (size_t c = 0; c < prof.size(); ++c)
      if (c != exclude && prof[c] >= 1.5) out.push_back(static_cast<uint16_t>(c));
    std::sort(out.begin(), out.end(), [&](uint16_t a, uint16_t b) { return prof[a] > prof[b]; });
    return out;
  }

  // "Ethiopia, Yemen, and Tasmania", "the Essequibo region of Ghana" in a
  // story about Venezuela: a place far from every country of its story (no
  // shared border or subregion) that resembles a country near them. Needs one
  // more piece of evidence: the look-alike is named in the document, or the
  // written place is no sovereign state (a dependency such as Anguilla or a
  // region such as Tasmania) acting where a UN member fits. Nearness and
  // resemblance come from the gazetteer (borders, subregions, spelling).
  void remote_places(const Doc& d, std::vector<Finding>& out) const {
    const auto& names = gaz_.names();
    const auto& countries = gaz_.countries();
    for (size_t i = 0; i < d.places.size(); ++i) {
      const Resolved& m = d.places[i];
      if (m.in_footer || m.kind == PlaceKind::kDemonym || m.kind == PlaceKind::kCity) continue;
      if (m.kind == PlaceKind::kCapital) continue;
      // A sovereign state in a list of three or more states is named on
      // purpose ("Senegal, Guatemala, Guyana, and Suriname"); a region in
      // a list of states is not ("Ethiopia, Yemen, and Tasmania").
      if (m.kind != PlaceKind::kRegion && gaz_.countries()[m.country].un_member &&
          list_length(d, i) >= 3)
        continue;
      if (compound_modifier(d, *m.m)) continue;
      // "Finland and Sweden": paired with its own neighbour, it is not out of place.
      bool paired_with_neighbour = false;
      for (size_t j : {i - 1, i + 1}) {
        if (j >= d.places.size() || d.places[j].sentence != m.sentence) continue;
        paired_with_neighbour =
            paired_with_neighbour ||
            (d.places[j].country != m.country && gaz_.near(m.country, d.places[j].country) &&
             connected(d, *m.m, *d.places[j].m));
      }
      if (paired_with_neighbour) continue;
      const std::vector<double>& prof = d.local[m.story];
      const uint16_t c = m.country;
      if (prof[c] - m.weight >= 0.3 || d.profile[c] - m.weight >= 0.9) continue;
      if (inside_longer_name(d, *m.m)) continue;
      bool any_supported = false;  // another reading fits the story ("Georgia")
      for (uint32_t row : m.m->readings)
        any_supported =
            any_supported || (names[row].country != c && prof[names[row].country] >= 0.9);
      if (any_supported) continue;
      const std::vector<uint16_t> story = story_countries(prof, c);
      if (story.empty()) continue;
      bool far = true;
      for (uint16_t s : story) far = far && !gaz_.near(c, s);
      if (!far) continue;
      const std::string surface(m.m->span.in(d.view->text));
      const bool sovereign = m.kind != PlaceKind::kRegion && countries[c].un_member;
      const uint32_t* best = nullptr;
      double best_score = 0, best_sim = 0;
      bool best_named = false;
      for (size_t y = 0; y < countries.size(); ++y) {
        if (y == c) continue;
        bool near_story = false;
        for (uint16_t s : story) near_story = near_story || gaz_.near(static_cast<uint16_t>(y), s);
        if (!near_story) continue;
        const bool named = d.profile[y] >= 0.5;
        if (!named && (sovereign || !countries[y].un_member)) continue;
        for (const uint32_t& row : gaz_.names_of(static_cast<uint16_t>(y))) {
          if (names[row].kind != PlaceKind::kCountry) continue;
          const double sim = name_similarity(surface, names[row].surface);
          if (sim < 0.7 || sim >= 0.999) continue;
          const double score = sim + (named ? 0.1 : 0.0);
          if (score > best_score)
            best_score = score, best_sim = sim, best = &row, best_named = named;
        }
      }
      if (!best) continue;
      const PlaceName& target = names[*best];
      Finding f = remote_.finding(m.m->span);
      f.suggestion = target.surface;
      f.confidence = std::min(0.9, 0.45 + 0.5 * (best_sim - 0.7) + (best_named ? 0.15 : 0.0));
      f.message = quoted(surface) + " (" + countries[c].name +
                  ") is far from the places of this story (" + profile_phrase(prof, c) +
                  "); did you mean " + quoted(target.surface) + ", which is near them?";
      out.push_back(std::move(f));
    }
  }

  // "Drone strikes Lithuania and Lithuania": one place twice in a pairing; the
  // second was meant to be another, most likely a look-alike neighbour.
  void repeated_places(const Doc& d, std::vector<Finding>& out) const {
    const auto& countries = gaz_.countries();
    for (size_t i = 0; i + 1 < d.places.size(); ++i) {
      const Resolved& a = d.places[i];
      const Resolved& b = d.places[i + 1];
      if (a.in_footer || b.in_footer || a.sentence != b.sentence) continue;
      const std::string sa(a.m->span.in(d.view->text)), sb(b.m->span.in(d.view->text));
      if (sa != sb || a.m->possessive != b.m->possessive) continue;
      // "Iran and Iran-backed groups": the second is part of a compound modifier.
      if (compound_modifier(d, *b.m)) continue;
      const auto between = words_between(d, a.m->end_token, b.m->first_token);
      // "Lithuania and Lithuania", or one country twice in a row in a list
      // of three or more ("Estonia, Lithuania, Lithuania and Poland").
      const bool joined =
          between == std::vector<std::string>{"and"} || between == std::vector<std::string>{"or"};
      bool listed = false;
      if (between == std::vector<std::string>{","} &&
          (b.kind == PlaceKind::kCountry || b.kind == PlaceKind::kAlias)) {
        // Three countries or more besides the repeat: not a speaker's
        // "Russia, Russia, Russia" or "Jordan to Israel, Israel, et cetera".
        size_t first = 0;
        const size_t n = list_length(d, i + 1, &first);
        std::vector<uint16_t> distinct;
        for (size_t j = first; j < first + n; ++j)
          if (std::find(distinct.begin(), distinct.end(), d.places[j].country) == distinct.end())
            distinct.push_back(d.places[j].country);
        listed = distinct.size() >= 3;
      }
      if (!joined && !listed) continue;
      std::string meant;
      uint16_t meant_country = b.country;
      double best = 0;
      if (b.kind == PlaceKind::kCountry || b.kind == PlaceKind::kAlias)
        for (size_t y = 0; y < countries.size(); ++y) {
          if (y == b.country || !gaz_.near(b.country, static_cast<uint16_t>(y))) continue;
          const double sim = name_similarity(sb, countries[y].name);
          if (sim >= 0.45 && sim > best)
            best = sim, meant = countries[y].name, meant_country = static_cast<uint16_t>(y);
        }
      // In a list either one may be the slip: the one whose other list
      // neighbour borders the look-alike ("Estonia, Lithuania, Lithuania and
      // Poland": Latvia borders Estonia, not Poland); the second on a tie.
      const Resolved* slip = &b;
      if (listed && !meant.empty()) {
        // j: a list neighbour of the pair (k: its partner in the pair).
        auto fit = [&](size_t j, size_t k) {
          if (j >= d.places.size() || d.places[j].sentence != b.sentence) return 0;
          const size_t lo = std::min(j, k), hi = std::max(j, k);
          auto w = words_between(d, d.places[lo].m->end_token, d.places[hi].m->first_token);
          std::erase(w, std::string("and"));
          std::erase(w, std::string("or"));
          if (w.size() > 1 || (w.size() == 1 && w[0] != ",")) return 0;
          if (gaz_.borders(meant_country, d.places[j].country)) return 2;
          return gaz_.near(meant_country, d.places[j].country) ? 1 : 0;
        };
        if (i > 0 && fit(i - 1, i) > fit(i + 2, i + 1)) slip = &a;
      }
      Finding f = repeated_.finding(slip->m->span);
      f.suggestion = meant;
      f.confidence = meant.empty() ? 0.6 : 0.7;
      f.message =
          quoted(sb) + (listed ? " is listed twice in a row" : " is paired with itself") +
          (meant.empty() ? std::string("; one of them was meant to be another place")
                         : "; did you mean " + quoted(meant) + " (a look-alike neighbour)?");
      out.push_back(std::move(f));
    }
  }

  // "Czechoslovakia has lifted its entry ban": a country that no longer
  // exists (config/gazetteer/former.tsv) as the subject of a verb in the
  // present, perfect or future ("has", "is", "says", "will", ...). History
  // ("Czechoslovakia split in 1993", "the Soviet Union has been gone",
  // "the former Yugoslavia", "Czechoslovakia's borders") is left alone. The
  // successor suggested is the one the document is about, written as the
  // document writes it ("Czech Republic"), or the only one.
  void former_names(const Doc& d, std::vector<Finding>& out) const {
    static const char* kPresent[] = {"has",       "is",    "says",    "will",      "plans",
                                     "announces", "wants", "remains", "continues", "does",
                                     "can",       "must",  "should",  "now"};
    const TokenList& toks = d.view->tokens;
    const std::string_view text = d.view->text;
    const auto& countries = gaz_.countries();
    for (size_t s = 0; s < d.sig.size(); ++s) {
      const size_t i = d.sig[s];
      if (!toks[i].is_word() || !toks[i].has_upper_initial ||
          !former_first_[static_cast<unsigned char>(text[toks[i].begin])])
        continue;
      for (const FormerName& f : former_) {
        if (toks[i].in(text) != f.words[0]) continue;
        size_t k = 1;
        while (k < f.words.size() && s + k < d.sig.size() && d.sig[s + k] == d.sig[s + k - 1] + 2 &&
               toks[d.sig[s + k]].in(text) == f.words[k])
          ++k;
        if (k < f.words.size()) continue;
        const size_t last = d.sig[s + k - 1];
        const auto before = context_words(d, i, 2, true);
        const auto after = context_words(d, last, 2, false);
        if (!before.empty() && (before[0] == "former" || before[0] == "ex" || before[0] == "old" ||
                                (before[0] == "-" && before.size() > 1 && before[1] == "ex")))
          continue;
        if (after.empty()) continue;
        bool present = false;
        for (const char* v : kPresent) present = present || after[0] == v;
        if (!present) continue;
        if (after.size() > 1 && (after[1] == "been" || after[1] == "no")) continue;
        // The successor the document is about, as it writes it.
        std::string meant;
        double best = 0;
        for (uint16_t c : f.successors)
          if (d.profile[c] > best) {
            best = d.profile[c];
            meant = countries[c].name;
            for (const Resolved& r : d.places)
              if (r.country == c &&
                  (r.kind == PlaceKind::kCountry || r.kind == PlaceKind::kAlias)) {
                meant = std::string(r.m->span.in(text));
                break;
              }
          }
        if (meant.empty() && f.successors.size() == 1) meant = countries[f.successors[0]].name;
        // "Czechia and Slovakia"; "Armenia, Azerbaijan, Estonia, Georgia and 9 others"
        const size_t shown = f.successors.size() > 4 ? 4 : f.successors.size();
        std::string now;
        for (size_t j = 0; j < shown; ++j) {
          if (j > 0) now += j + 1 == shown && shown == f.successors.size() ? " and " : ", ";
          now += countries[f.successors[j]].name;
        }
        if (shown < f.successors.size())
          now += " and " + std::to_string(f.successors.size() - shown) + " others";
        const std::string surface(text.substr(toks[i].begin, toks[last].end - toks[i].begin));
        Finding fd = former_name_.finding({toks[i].begin, toks[last].end});
        fd.suggestion = meant;
        fd.confidence = meant.empty() ? 0.45 : 0.6;
        fd.message = quoted(surface) + " no longer exists (" +
                     (f.type == "split"   ? "split into "
                      : f.type == "merge" ? "merged into "
                                          : "now ") +
                     now + ") but is written as acting today" +
                     (meant.empty() ? std::string(".") : "; did you mean " + quoted(meant) + "?");
        out.push_back(std::move(fd));
        break;
      }
    }
  }

  // "Israel\u2013England relations", "France, Germany, and England": a region
  // (a constituent country, a province) named where sovereign states are
  // paired or listed; the whole it belongs to was meant ("United Kingdom").
  // Only diplomatic pairings ("X\u2013Y relations") and lists of three or more
  // with two other states: "England and France drew" is a sports fixture.
  void parts_for_wholes(const Doc& d, std::vector<Finding>& out) const {
    const auto& countries = gaz_.countries();
    auto sovereign = [&](const Resolved& r) {
      return (r.kind == PlaceKind::kCountry || r.kind == PlaceKind::kAlias) &&
             countries[r.country].un_member;
    };
    auto is_dash = [](const std::vector<std::string>& w) {
      return w.size() == 1 && (w[0] == "-" || w[0] == "\u2013" || w[0] == "\u2014");
    };
    for (size_t i = 0; i < d.places.size(); ++i) {
      const Resolved& m = d.places[i];
      if (m.in_footer || m.kind != PlaceKind::kRegion || inside_longer_name(d, *m.m)) continue;
      // Every reading is a region (no country or city of that name).
      bool all_regions = true;
      for (uint32_t row : m.m->readings)
        all_regions = all_regions && gaz_.names()[row].kind == PlaceKind::kRegion;
      if (!all_regions) continue;
      bool flagged = false;
      // dash pairing followed by "relations"
      for (size_t j : {i - 1, i + 1}) {
        if (j >= d.places.size() || d.places[j].sentence != m.sentence || !sovereign(d.places[j]))
          continue;
        if (d.places[j].country == m.country) continue;
        const Resolved& l = j < i ? d.places[j] : m;
        const Resolved& r = j < i ? m : d.places[j];
        if (!is_dash(words_between(d, l.m->end_token, r.m->first_token))) continue;
        const auto after = context_words(d, r.m->end_token - 1, 1, false);
        if (!after.empty() && after[0] == "relations") flagged = true;
      }
      // a list of three or more: "A, B, and C" with two other sovereign states
      if (!flagged) {
        size_t lo = i, hi = i;
        auto list_link = [&](size_t a, size_t b) {
          if (d.places[a].sentence != d.places[b].sentence) return false;
          const auto w = words_between(d, d.places[a].m->end_token, d.places[b].m->first_token);
          if (w.empty() || w.size() > 3) return false;
          for (const auto& x : w)
            if (x != "," && x != "and" && x != "the") return false;
          return true;
        };
        while (lo > 0 && list_link(lo - 1, lo)) --lo;
        while (hi + 1 < d.places.size() && list_link(hi, hi + 1)) ++hi;
        size_t states = 0;
        bool own = false;
        for (size_t k = lo; k <= hi; ++k) {
          if (k == i) continue;
          states += sovereign(d.places[k]);
          own = own || d.places[k].country == m.country;
        }
        flagged = hi - lo + 1 >= 3 && states >= 2 && !own;
      }
      if (!flagged) continue;
      const std::string surface(m.m->span.in(d.view->text));
      Finding f = part_.finding(m.m->span);
      f.suggestion = countries[m.country].name;
      f.confidence = 0.44;  // below remote-place: "Tasmania" among states is likelier "Tanzania"
      f.message = quoted(surface) + " is part of " + countries[m.country].name +
                  ", named here among states; did you mean " + quoted(f.suggestion) + "?";
      out.push_back(std::move(f));
    }
  }

  void editorial_rules(const Doc& d, std::vector<Finding>& out) const {
    const TokenList& toks = d.view->tokens;
    const std::string_view text = d.view->text;
    auto fw = [&](size_t i) { return d.function_word[i]; };
    // Next word after token i on the same line, separated by exactly one space run.
    auto next_word = [&](size_t i) -> size_t {
      if (i + 2 < toks.size() && toks[i + 1].kind == TokenKind::kSpace && toks[i + 2].is_word())
        return i + 2;
      return std::string::npos;
    };
    auto joined_after = [&](size_t i) {
      // "a-" in "a a-b", "its'": the word continues into a compound or quote
      return i + 1 < toks.size() && toks[i + 1].kind == TokenKind::kPunct &&
             (toks[i + 1].in(text) == "-" || toks[i + 1].in(text) == "'" ||
              toks[i + 1].in(text) == "\u2019");
    };
    // "what I've been calling for for years", "what is going on on the
    // ground": the first preposition ends a verb phrase (a particle or a
    // stranded preposition), the second opens a phrase of its own. Read so
    // after an -ing or -ed verb form (not "the report for for the board").
    auto closes_verb_phrase = [&](size_t i, const FunctionWord& a) {
      if (a.cls != WordClass::kPreposition || i < 2 || toks[i - 1].kind != TokenKind::kSpace ||
          !toks[i - 2].is_word() || fw(i - 2))
        return false;
      const std::string verb = lower_ascii(toks[i - 2].in(text));
      auto ends = [&](std::string_view suffix) {
        return verb.size() >= suffix.size() + 2 &&
               verb.compare(verb.size() - suffix.size(), suffix.size(), suffix) == 0;
      };
      return ends("ing") || ends("ed");
    };
    for (size_t i = 0; i < toks.size(); ++i) {
      const FunctionWord* a = fw(i);
      if (!a) continue;
      const size_t j = next_word(i);
      if (j == std::string::npos) continue;
      const std::string wa = lower_ascii(toks[i].in(text)), wb = lower_ascii(toks[j].in(text));
      const Span both{toks[i].begin, toks[j].end};
      // "the the" (and "The the"); not "The The" (a band) nor "had had".
      // "look to to ensure", "signed on to to provide": the first "to" ends
      // a phrasal verb, the second marks the infinitive of a lowercase word
      // that is no function word.
      const size_t after = next_word(j);
      const bool infinitive =
          wa == "to" && after != std::string::npos && !fw(after) && !toks[after].has_upper_initial;
      if (doubled_.enabled && wa == wb && a->double_is_slip && !joined_after(j) &&
          !toks[j].has_upper_initial && !closes_verb_phrase(i, *a) && !infinitive) {
        std::string msg = quoted(toks[i].in(text));
        msg += " is written twice";
        Finding f{
            both, doubled_.id, doubled_.severity, std::move(msg), std::string(toks[i].in(text)),
            0.9};
        out.push_back(std::move(f));
        continue;
      }
      const FunctionWord* b = fw(j);
      // Not a distributive ("to each his share", "one another our minds") nor
      // a title ("the My Brother's Keeper initiative", "the Our Father").
      if (det_poss_.enabled && b &&
          (a->cls == WordClass::kArticle || a->cls == WordClass::kDeterminer) &&
          b->cls == WordClass::kPossessive && !joined_after(j) && wa != "each" && wa != "another" &&
          !toks[j].has_upper_initial) {
        // "her" is also an object pronoun, but never right after an article.
        std::string msg = "determiner ";
        msg += quoted(toks[i].in(text));
        msg += " before possessive ";
        msg += quoted(toks[j].in(text));
        msg += "; keep one of them";
        Finding f{
            both, det_poss_.id, det_poss_.severity, std::move(msg), std::string(toks[j].in(text)),
            0.85};
        out.push_back(std::move(f));
      }
    }
    if (doubled_aux_.enabled) doubled_auxiliary(d, out);
  }

  // "Where are Pakistan and Afghanistan's relations are headed?": a question
  // opened by wh-word + auxiliary repeats the auxiliary after its subject.
  void doubled_auxiliary(const Doc& d, std::vector<Finding>& out) const {
    const TokenList& toks = d.view->tokens;
    const std::string_view text = d.view->text;
    static const char* kBlockers[] = {"that", "which", "who",     "whom",  "whose",  "where",
                                      "when", "if",    "because", "while", "as",     "than",
                                      "what", "how",   "i",       "you",   "we",     "they",
                                      "he",   "she",   "it",      "there", "people", "why"};
    for (size_t s = 0; s + 1 < d.sig.size(); ++s) {
      const size_t i = d.sig[s];
      // sentence start: first token, or previous significant token ends a sentence/line
      if (s > 0 && d.sentence_of[d.sig[s - 1]] == d.sentence_of[i] &&
          toks[d.sig[s - 1]].kind != TokenKind::kNewline)
        continue;
      const FunctionWord* wh_word = d.function_word[i];
      if (!wh_word || wh_word->cls != WordClass::kWh) continue;
      const size_t ai = d.sig[s + 1];
      const FunctionWord* aux_word = d.function_word[ai];
      if (!aux_word || aux_word->cls != WordClass::kAuxiliary) continue;
      const std::string aux = lower_ascii(toks[ai].in(text));
      // "What do you do", "How do you do that": the second "do" is the main
      // verb "do", not the auxiliary again.
      if (aux == "do" || aux == "does" || aux == "did") continue;
      // "What is new is that ...": a wh-word that can be the subject opens a
      // pseudo-cleft, not a question, unless the sentence asks ("?").
      const std::string wh = lower_ascii(toks[i].in(text));
      if (wh == "what" || wh == "who" || wh == "which") {
        bool asks = false;
        for (size_t t = s + 2; t < d.sig.size(); ++t) {
          const size_t k = d.sig[t];
          if (d.sentence_of[k] != d.sentence_of[i] || toks[k].kind == TokenKind::kNewline) break;
          asks = asks || toks[k].in(text) == "?";
        }
        if (!asks) continue;
      }
      // find the same auxiliary again in the sentence, 2..12 words later, no blocker between
      for (size_t t = s + 2; t < d.sig.size() && t <= s + 14; ++t) {
        const size_t k = d.sig[t];
        if (d.sentence_of[k] != d.sentence_of[i] || toks[k].kind == TokenKind::kNewline) break;
        const std::string w = lower_ascii(toks[k].in(text));
        bool blocked = false;
        for (const char* b : kBlockers) blocked = blocked || w == b;
        // A dash is a speaker's restart ("What is \u2014 is he reviewing that?"); a
        // question mark ends the question even inside a quotation.
        if (blocked || w == "," || w == ";" || w == ":" || w == "\u2014" || w == "\u2013" ||
            w == "-" || w == "?" || w == "!")
          break;
        if (t == s + 2 || w != aux) continue;
        // After "to" it is a main verb ("What have you agreed on to have ...").
        if (lower_ascii(toks[d.sig[t - 1]].in(text)) == "to") continue;
        // the repeated auxiliary must be followed by a word (a participle or adverb)
        if (t + 1 >= d.sig.size() || !toks[d.sig[t + 1]].is_word()) break;
        std::string msg = quoted(toks[ai].in(text));
        msg += " already opens this question; the second ";
        msg += quoted(toks[k].in(text));
        msg += " looks doubled";
        Finding f{toks[k].span(), doubled_aux_.id, doubled_aux_.severity,
                  std::move(msg), std::string(),   0.7};
        out.push_back(std::move(f));
        break;
      }
    }
  }

  Gazetteer gaz_;
  std::unordered_map<std::string, FunctionWord> words_;
  std::unordered_map<std::string, WordCount> counts_;
  struct SpellTarget {
    std::string key;  // similarity_key of the surface
    uint32_t row;     // index into names()
  };
  std::vector<SpellTarget> spell_targets_;     // sorted by first letter
  std::array<uint32_t, 257> spell_first_{};    // first letter -> first index in spell_targets_
  size_t max_function_word_ = 0;               // bytes of the longest function word
  std::unordered_set<std::string> allowlist_;  // exact names never flagged (config allowlist)
  std::unordered_map<std::string, uint16_t> currency_signs_;  // "A$", "AUD" -> issuing country
  std::unordered_map<std::string, uint16_t> initials_;        // "U.S." -> United States
  // config/gazetteer/former.tsv: "Czechoslovakia" -> Czechia, Slovakia.
  struct FormerName {
    std::vector<std::string> words;  // "Soviet", "Union"
    std::vector<uint16_t> successors;
    std::string type;  // split, merge, change
  };
  std::vector<FormerName> former_;
  std::array<bool, 256> former_first_{};  // first bytes of former names
  RuleSwitch confusable_, context_, wrong_capital_, city_country_, region_country_, misspelt_,
      remote_, repeated_, part_, former_name_, doubled_, det_poss_, doubled_aux_, weekday_;
  double min_confidence_;
};

}  // namespace

std::unique_ptr<Stage> make_flag_slips_stage(const StageContext& ctx) {
  return std::make_unique<FlagSlips>(ctx);
}

}  // namespace copydesk
