#include "stages/restore.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "pipeline/data_files.h"
#include "stages/gazetteer.h"
#include "stages/restore_accents.h"
#include "stages/restore_channel.h"
#include "stages/restore_context.h"
#include "stages/restore_glued.h"
#include "stages/restore_insertion.h"
#include "stages/restore_labels.h"
#include "stages/restore_model.h"
#include "stages/restore_quotes.h"

namespace copydesk {
namespace {

using restore::apostrophe_insertions;
using restore::GapCounts;
using restore::GlueCounts;
using restore::Insertion;
using restore::LexEntry;
using restore::RestoreModel;
using restore::Segmentation;

constexpr std::string_view kApostrophe = "\u2019";
constexpr std::string_view kEmDash = "\u2014";
constexpr std::string_view kEnDash = "\u2013";
constexpr std::string_view kNbsp = "\u00a0";

// Confidence ceilings: the share of natural text (typos, double spacing) that
// the training gold cannot show, since its deletions are the only source of
// these patterns there.
constexpr double kMaxConfidence = 0.99;
// A camel seam between two place names (place_pair()) is a cut, and a dash,
// with this probability.
constexpr double kPlacePair = 0.97;
// A stripped name of a country, capital, people or city of 100,000 or more
// (place_accent()) is that name with this probability.
constexpr double kPlaceAccent = 0.9;
constexpr uint32_t kMinAccentedCityPopulation = 100000;
constexpr double kNaturalGapFactor = 0.985;
constexpr double kLineEndFactor = 0.95;

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// Lambdas, not function pointers, as predicates: the compiler inlines them
// (these run for every word).
bool has_digit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return is_digit(c); });
}
bool all_upper(std::string_view s) {
  return s.size() >= 2 && std::none_of(s.begin(), s.end(), [](char c) { return is_lower(c); });
}
// A lowercase letter followed by a capital inside the token ("JoeBiden").
bool has_camel_seam(std::string_view s) {
  for (size_t j = 1; j < s.size(); ++j)
    if (is_lower(s[j - 1]) && is_upper(s[j])) return true;
  return false;
}

// Class of a token next to a gap (must match word_class() in the build script).
std::string_view word_class(std::string_view w) {
  if (w.empty()) return "-";
  if (std::all_of(w.begin(), w.end(), is_digit)) return "D";
  if (has_digit(w)) return "X";
  if (w.size() == 1) return "1";
  if (all_upper(w)) return "A";
  if (is_upper(w[0])) return "C";
  return "l";
}

// Class of a character next to a space gap (char_class() in the build script).
std::string_view char_class(char c) {
  if (c == '\n') return "N";
  if (c == ' ') return "S";
  if (is_digit(c)) return "D";
  if (is_upper(c)) return "U";
  if (is_lower(c)) return "l";
  return "P";
}

double share(const GapCounts& g, int k) {
  double t = 0;
  for (double v : g) t += v;
  return t > 0 ? g[k] / t : 0.0;
}

// A word list of config/: one lowercase word per row (pair_heads.txt,
// english_words.txt).
std::unordered_set<std::string> load_word_set(const std::string& path) {
  std::unordered_set<std::string> words;
  for_each_tsv_row(path, 1,
                   [&](size_t, std::span<const std::string_view> f) { words.emplace(f[0]); });
  return words;
}

class RestoreStage final : public Stage {
 public:
  explicit RestoreStage(const StageContext& ctx)
      : model_(RestoreModel::load(ctx.data_path(ctx.get("data", "restore")))),
        context_(restore::ContextModel::load(ctx.data_path(ctx.get("data", "restore")))),
        labels_(restore::LabelModel::load(ctx.data_path(ctx.get("data", "restore")))),
        accents_(AccentRestorer::load(ctx.data_path(ctx.get("data", "restore")))),
        quotes_(restore::QuoteRestorer::load(ctx.data_path(ctx.get("data", "restore")))),
        glue_(model_,
              restore::load_glue_weights(ctx.data_path(ctx.get("data", "restore")) + "/glued.tsv")),
        gaz_(Gazetteer::load(ctx.data_path(ctx.get("gazetteer", "gazetteer")))),
        pair_heads_(
            load_word_set(ctx.data_path(ctx.get("gazetteer", "gazetteer")) + "/pair_heads.txt")),
        english_words_(
            load_word_set(ctx.data_path(ctx.get("lexicon", "lexicon")) + "/english_words.txt")),
        line_end_dash_(ctx.get_bool("line-end-dash", true)),
        pair_quotes_(ctx.get_bool("pair-quotes", true)),
        ascii_punctuation_(punctuation_style(ctx)) {
    build_place_accents();
  }

  std::string_view name() const override { return "restore"; }

  // Each rule's thresholds can be set on its own ("[restore]
  // apostrophe.apply-threshold = 0.6"): the classes differ in how costly a
  // wrong restoration is against a missed one.
  std::vector<RuleInfo> rules() const override {
    constexpr Severity kS = Severity::kSuggestion;
    const char* check = "Check the suggested character against the source.";
    return {
        {"restore.apostrophe.v1", "an apostrophe the scraper deleted (wont, its)", check, kS},
        {"restore.possessive.v1", "a possessive apostrophe (the citys, workers)", check, kS},
        {"restore.quote.v1", "a quotation mark the scraper deleted", check, kS},
        {"restore.glued-dash.v1", "a dash between glued words or in a double space", check, kS},
        {"restore.glued-space.v1", "a space between glued words (citycouncil)", check, kS},
        {"restore.space-after-punct.v1", "a space after punctuation (costs,with)", check, kS},
        {"restore.label-space.v1", "no-break spaces after a transcript label (Q, END)", check, kS},
        {"restore.letter.v1", "an accented letter the scraper deleted (caf, Mxico)", check, kS}};
  }

  StageResult run(const TextView& view) const override {
    Run r{view, {}, {}, false, -1, {}, false, {}, {}, {}, {}};
    prepare(r);
    // The lexicon slot of each word is prefetched a few words ahead: its
    // cache miss is the largest single cost of a word.
    constexpr size_t kPrefetchAhead = 16;  // tokens (about 8 words)
    size_t prefetched = 0;
    for (size_t i = 0; i < view.tokens.size(); ++i) {
      for (; prefetched < std::min(view.tokens.size(), i + kPrefetchAhead); ++prefetched) {
        const Token& p = view.tokens[prefetched];
        if (p.kind == TokenKind::kWord && p.ascii) model_.prefetch_word(p.in(view.text));
      }
      const Token& t = view.tokens[i];
      if (r.protected_tok[i]) continue;
      if (t.kind == TokenKind::kWord && t.ascii)
        word(r, i);
      else if (t.kind == TokenKind::kSpace)
        space(r, i);
      else if (t.kind == TokenKind::kPunct)
        punct(r, i);
      else if (t.kind == TokenKind::kNumber)
        year_range(r, i);
    }
    second_pass(r);
    settle_separators(r);
    boost_by_document(r);
    gate_labels(r);
    cap_split_parts(r);
    quotes_.run(view, r.protected_tok, r.out,
                pair_quotes_);  // needs the whole document (its cues are document-wide)
    drop_surviving_classes(r);
    return finish(r);
  }

 private:
  struct Run {
    const TextView& view;
    std::vector<bool> protected_tok;                 // inside a URL or e-mail address
    std::unordered_set<std::string_view> doc_words;  // capitalised_words(), on first use
    bool doc_words_ready = false;
    int register_class = -1;  // the document's, for the context model (on first use)
    // Words glued by a dot to two or more different capitalised words
    // (glued_abbreviation(); on first use).
    std::unordered_set<std::string_view> dot_abbreviations;
    bool dot_glue_ready = false;
    // Indices into `out` of no-break spaces proposed after a sentence end or
    // colon glued to a capitalised word ("people.As", "Globally:In"), for
    // boost_by_document().
    std::vector<size_t> sentence_glue;
    // Separators proposed at the cuts of glued tokens (emit_split()).
    struct Cut {
      size_t index;    // into `out`
      double p_split;  // that the token is split here
      double p_dash;   // that the separator is a dash, not a no-break space
      bool fitted;     // p_split is segment()'s first pass over `x` (not glued_known())
      restore::GlueFeatures x;
      bool places = false;  // a camel seam between two place names (place_pair())
    };
    std::vector<Cut> cuts;
    // Glued tokens split by emit_split(): their cut insertions, then the
    // insertions of their parts, as ranges of `out`.
    struct Split {
      size_t cuts_begin, parts_begin, parts_end;
    };
    std::vector<Split> splits;
    // The document's words that start with an ASCII capital: the only ones
    // possessive_confidence() asks about (its names), so the set stays small.
    const std::unordered_set<std::string_view>& capitalised_words() {
      if (!doc_words_ready) {
        for (const Token& t : view.tokens)
          if (t.kind == TokenKind::kWord && is_upper(view.text[t.begin]))
            doc_words.insert(t.in(view.text));
        doc_words_ready = true;
      }
      return doc_words;
    }
    std::vector<Insertion> out;
    // Lowercased word counts, for the glued-word segmenter (on first use).
    const restore::DocWordCounts& word_counts() {
      if (!word_counts_ready) {
        word_counts_map = restore::doc_word_counts(view.text, view.tokens);
        word_counts_ready = true;
      }
      return word_counts_map;
    }
    restore::DocWordCounts word_counts_map = {};
    bool word_counts_ready = false;
  };

  // What the channel deleted, judged by the document itself: a class of
  // characters still present in it (no-break spaces, curly quotes, dashes,
  // accented letters) was not deleted here, so the stage puts none of that
  // class back. Text that lost only its apostrophes keeps its
  // "Q\u00a0\u00a0\u00a0" and its quotes. Apostrophes are judged by a
  // stricter test: a few kept in a title or a footer line say nothing about
  // the body, so the document must write at least 3 words with an apostrophe
  // ("don\u2019t", "Kabul's") and at least as many as the stage would put
  // back. Clean text then passes unchanged (dev gold: 61 apostrophes were
  // inserted into correct text), and damaged text, which holds none, is not
  // touched.
  enum Class : unsigned { kApos = 1, kQuoteMark = 2, kDashMark = 4, kNbspMark = 8, kLetter = 16 };
  static unsigned class_of_insertion(const Insertion& ins) {
    if (ins.rule == "restore.letter.v1") return kLetter;
    unsigned c = 0;
    if (ins.text.find(kApostrophe) != std::string::npos) c |= kApos;
    if (ins.text.find("\u201c") != std::string::npos ||
        ins.text.find("\u201d") != std::string::npos)
      c |= kQuoteMark;
    if (ins.text.find(kEmDash) != std::string::npos || ins.text.find("\u2013") != std::string::npos)
      c |= kDashMark;
    if (ins.text.find(kNbsp) != std::string::npos) c |= kNbspMark;
    return c;
  }

  static void drop_surviving_classes(Run& r) {
    constexpr int kMinSurvivors = 3;
    if (r.out.empty()) return;
    const TextView& v = r.view;
    // Occurrences per class; one is not enough (a title kept from the page's
    // metadata, as in the seed, keeps its en dash while the body lost them).
    std::array<int, 5> seen{};
    auto note = [&](unsigned cls, size_t n) {
      for (int k = 0; k < 5; ++k)
        if (cls == (1u << k)) seen[k] += static_cast<int>(n);
    };
    auto count = [](std::string_view s, std::string_view what) {
      size_t n = 0;
      for (size_t p = s.find(what); p != std::string_view::npos; p = s.find(what, p + what.size()))
        ++n;
      return n;
    };
    for (const Token& t : v.tokens) {
      if (t.ascii) continue;
      const std::string_view s = t.in(v.text);
      if (t.kind == TokenKind::kWord) note(kLetter, 1);
      note(kQuoteMark, count(s, "\u201c") + count(s, "\u201d"));
      note(kDashMark, count(s, kEmDash) + count(s, "\u2013"));
      note(kNbspMark, count(s, kNbsp));
    }
    // Once one class has survived, the channel evidently keeps non-ASCII
    // characters, so a single survivor of another class is no accident
    // either (a page that lost only its apostrophes keeps the one no-break
    // space of its title, and its "Q Thank you" had none).
    unsigned present = 0;
    for (int k = 0; k < 5; ++k)
      if (seen[k] >= 2) present |= 1u << k;
    if (present) {
      for (int k = 0; k < 5; ++k)
        if (seen[k] >= 1) present |= 1u << k;
    }
    // Several survivors in all: the channel kept non-ASCII characters, so a
    // class the page does not use at all was not deleted either (no quotes
    // in a clean page without quotations; a page that lost only its
    // apostrophes, and its single quotes with them, gets no double ones).
    if (seen[1] + seen[2] + seen[3] + seen[4] >= kMinSurvivors)
      present |= kQuoteMark | kDashMark | kNbspMark | kLetter;
    if (kept_apostrophes(r)) present |= kApos;
    if (!present) return;
    std::erase_if(r.out,
                  [&](const Insertion& ins) { return (class_of_insertion(ins) & present) != 0; });
  }

  // The document writes at least 3 words with an apostrophe inside them,
  // and no fewer than the apostrophes proposed (drop_surviving_classes()).
  static bool kept_apostrophes(const Run& r) {
    constexpr size_t kMinKept = 3;
    const TextView& v = r.view;
    size_t kept = 0;
    for (size_t i = 1; i + 1 < v.tokens.size(); ++i) {
      const Token &a = v.tokens[i - 1], &b = v.tokens[i + 1];
      if (a.kind == TokenKind::kWord && b.kind == TokenKind::kWord && a.end == v.tokens[i].begin &&
          v.tokens[i].end == b.begin && is_apostrophe(v, i))
        ++kept;
    }
    if (kept < kMinKept) return false;
    const size_t proposed =
        static_cast<size_t>(std::count_if(r.out.begin(), r.out.end(), [](const Insertion& ins) {
          return (class_of_insertion(ins) & kApos) != 0;
        }));
    return kept >= proposed;
  }

  static bool is_apostrophe(const TextView& v, size_t i) {
    // Asked twice per word: by length first, then the bytes.
    const Token& t = v.tokens[i];
    const std::string_view s(v.text.data() + t.begin, t.end - t.begin);
    switch (s.size()) {
      case 1:
        return s[0] == '\'';
      case 2:
        return s == "\u02bc";
      case 3:
        return s == kApostrophe;
      default:
        return false;
    }
  }

  void prepare(Run& r) const {
    const auto& toks = r.view.tokens;
    r.protected_tok.assign(toks.size(), false);
    // Chunks: maximal runs of tokens without ASCII space or line break.
    size_t i = 0;
    while (i < toks.size()) {
      if (toks[i].kind == TokenKind::kNewline ||
          (toks[i].kind == TokenKind::kSpace && toks[i].ascii)) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < toks.size() && toks[j].kind != TokenKind::kNewline &&
             !(toks[j].kind == TokenKind::kSpace && toks[j].ascii))
        ++j;
      const std::string_view chunk =
          r.view.text.substr(toks[i].begin, toks[j - 1].end - toks[i].begin);
      const bool prot = looks_like_address(chunk);
      if (prot)
        for (size_t k = i; k < j; ++k) r.protected_tok[k] = true;
      i = j;
    }
  }

  // A URL, e-mail address, file path, handle or domain ("vote.gov", not
  // "sea.Then"): its letters are not prose.
  static bool looks_like_address(std::string_view chunk) {
    // One pass over the bytes (find_first_of would call memchr per byte).
    for (char c : chunk)
      if (c == '@' || c == '/' || c == '_' || c == '#') return true;
    auto lower_at = [&](size_t k) {
      return k < chunk.size() && is_lower(static_cast<char>(chunk[k] | 0x20));
    };
    for (size_t p = chunk.find('.'); p != std::string_view::npos; p = chunk.find('.', p + 1)) {
      if (p + 3 > chunk.size()) break;
      char a = static_cast<char>(chunk[p + 1] | 0x20), b = static_cast<char>(chunk[p + 2] | 0x20);
      if (!is_lower(a) || !is_lower(b)) continue;
      if (a == 'w' && b == 'w' && p + 3 < chunk.size() && (chunk[p + 3] | 0x20) == 'w') return true;
      for (std::string_view tld :
           {"com", "org", "gov", "net", "edu", "int", "mil", "io", "co", "uk"}) {
        if (chunk.size() - p - 1 < tld.size()) continue;
        bool eq = true;
        for (size_t k = 0; k < tld.size(); ++k) eq = eq && (chunk[p + 1 + k] | 0x20) == tld[k];
        if (!eq) continue;
        size_t e = p + 1 + tld.size();
        if (tld == "co" ? (e < chunk.size() && chunk[e] == '.') : !lower_at(e)) return true;
      }
    }
    if (chunk.size() >= 4 && (chunk.substr(0, 4) == "www." || chunk.substr(0, 4) == "WWW."))
      return true;
    return false;
  }

  // The neighbour the channel would show (restore_context.h: the next or
  // previous word lowercased, glued pieces joined; punctuation; "<s>"/"</s>").
  static std::string neighbour(const TextView& v, size_t i, int dir) {
    return restore::context_neighbour(v.text, v.tokens, i, dir);
  }

  // A reading with a verb after the apostrophe (\u2019re, \u2019ll, \u2019ve,
  // \u2019d, \u2019m, n\u2019t), or \u2019s after a pronoun (it\u2019s,
  // that\u2019s, let\u2019s): a contraction, never a possessive.
  static bool is_clause_contraction(std::string_view reading) {
    const size_t a = reading.find(kApostrophe);
    if (a == std::string_view::npos || a == 0) return false;
    const std::string stem = ascii_lower(reading.substr(0, a));
    const std::string_view suffix = reading.substr(a + kApostrophe.size());
    if (suffix == "re" || suffix == "ll" || suffix == "ve" || suffix == "d" || suffix == "m")
      return true;
    if (suffix == "t") return stem.back() == 'n';
    if (suffix != "s") return false;
    for (std::string_view pronoun :
         {"it", "he", "she", "that", "there", "here", "what", "who", "where", "let"})
      if (stem == pronoun) return true;
    return false;
  }

  enum class Pattern { kContraction, kPossessive, kOther };
  // What kind of apostrophe reading `form` is: a possessive of an s-final key
  // (X\u2019s, Xs\u2019), a contraction (n\u2019t, \u2019ll, \u2019re, \u2019ve,
  // \u2019d, \u2019m at the end), or anything else.
  static Pattern apostrophe_pattern(std::string_view key, std::string_view form) {
    auto ends = [&](std::string_view suf) {
      return form.size() >= suf.size() && form.substr(form.size() - suf.size()) == suf;
    };
    if (key.size() >= 2 && key.back() == 's' && (ends("\u2019s") || ends("s\u2019"))) {
      if (form.size() == key.size() + 3 && !ends("n\u2019s")) return Pattern::kPossessive;
    }
    for (std::string_view suf :
         {"n\u2019t", "\u2019ll", "\u2019re", "\u2019ve", "\u2019d", "\u2019m", "\u2019s"})
      if (ends(suf) && form.size() == key.size() + 3) return Pattern::kContraction;
    return Pattern::kOther;
  }

  // Confidence that an unknown capitalised "Xs" (ending at byte `end` of the
  // text) is "X's": X must be a name (written in this document, or
  // capitalised in the lexicon), not a common word ("Yess"), and names ending
  // like X must mostly take possessives rather than plurals ("Nairobis" yes,
  // "Chileans" no). A possessive needs what it possesses after it: a name
  // that ends its line ("massacres of Syrian Alawites") is a plural (in the
  // training text 5 of 67,000 capitalised possessives end a line).
  double possessive_confidence(Run& r, std::string_view tok, size_t end, std::string& why) const {
    if (tok.size() < 4 || tok.back() != 's' || !is_upper(tok[0]) ||
        all_upper(tok.substr(0, tok.size() - 1)))
      return 0;
    const std::string_view text = r.view.text;
    size_t after = end;
    while (after < text.size() &&
           (text[after] == ' ' || text[after] == '\t' || text[after] == '\r'))
      ++after;
    if (restore::ends_line(text, after)) return 0;
    std::string_view base = tok.substr(0, tok.size() - 1);
    const LexEntry* e = model_.lookup(ascii_lower(base));
    if (e && e->cap_share < 0.5) return 0;
    const double p = model_.possessive_share(base);
    if (r.capitalised_words().count(base)) {
      // Names written in the document take possessives (about 0.96 on dev),
      // unless their ending says demonym or plural-prone ("Chileans").
      why = "\"" + std::string(base) + "\" appears in this document";
      return p >= 0.3 ? 0.95 : 0.55 + 0.45 * p;
    }
    if (e && e->plain >= 2) {
      why = "\"" + std::string(base) + "\" is a known name";
      return std::min(0.95, 0.5 + 0.45 * p);
    }
    return 0;
  }

  void word(Run& r, size_t i) const {
    const TextView& v = r.view;
    const Token& t = v.tokens[i];
    std::string_view tok = t.in(v.text);
    // Already written with an apostrophe ("don’t", "workers’"): leave it.
    if ((i > 0 && is_apostrophe(v, i - 1)) || (i + 1 < v.tokens.size() && is_apostrophe(v, i + 1)))
      return;
    if (label(r, i)) return;
    // Accented letters first (all-caps names too: FERNNDEZ); a decided token
    // may still need a possessive apostrophe ("Arvalos").
    const size_t before_accents = r.out.size();
    if (accents_.word(v, i, r.out)) {
      // "Arvalos" = "Ar\u00e9valo" + "\u2019s"; but "Andrs" is "Andr\u00e9s",
      // whose letter sits where an apostrophe would go.
      bool letter_before_s = false;
      for (size_t k = before_accents; k < r.out.size(); ++k)
        letter_before_s |= r.out[k].pos + 1 >= t.end;
      if (!letter_before_s && tok.size() >= 3 && (tok.back() == 's' || tok.back() == 'S')) {
        std::string why;
        const double pc = possessive_confidence(r, tok, t.end, why);
        if (pc > 0)
          r.out.push_back({t.end - 1, std::string(kApostrophe), "restore.possessive.v1", pc,
                           "possessive; " + why});
      }
      return;
    }
    // Acronyms (OFN, TLL, ITS): only an unmistakable negation (DONT, CANT).
    if (all_upper(tok) && tok.size() <= 4 && !(tok.size() == 4 && tok.substr(2) == "NT")) return;
    const std::string key = ascii_lower(tok);
    // Most words are known without forms: their entry is never read.
    const RestoreModel::LexBrief lex = model_.brief(key);
    // Every stripped place name is unknown to the lexicon (build_place_accents()).
    if (!lex.known && !lex.has_forms && place_accent(r, i)) return;
    if (lex.has_forms) {
      if (lexicon_apostrophe(r, i, key, model_.entry(lex))) return;
    }
    if (has_digit(tok) ||
        !std::all_of(tok.begin(), tok.end(), [](char c) { return is_lower(c) || is_upper(c); }))
      return;
    if (lex.known) {
      // A known token can still be two glued words when the pair is far more
      // frequent glued by a deleted separator than the token itself
      // ("JoeBiden": 8 as written, 303 as "Joe\u00a0Biden").
      if (!lex.has_forms) glued(r, i, key, lex.plain);
      return;
    }
    std::string why;
    double pc = possessive_confidence(r, tok, t.end, why);
    // "JoeBidens": an inner capital after a lowercase letter is a seam, and a
    // split that is surer than the possessive reading of the whole wins (its
    // parts are then decided as words: "Joe\u00a0Biden\u2019s").
    if (pc > 0 && has_camel_seam(tok)) {
      Segmentation seg;
      if (tok.size() >= 5 &&
          glue_.segment(tok, key, seg, &r.word_counts(), restore::ends_line(v.text, t.end)) &&
          *std::min_element(seg.p_cut.begin(), seg.p_cut.end()) >= pc) {
        emit_split(r, i, key, seg.cuts, seg.p_cut, seg.p_dash, seg.evidence, &seg.features);
        return;
      }
    }
    if (pc > 0) {
      r.out.push_back({t.end - 1, std::string(kApostrophe), "restore.possessive.v1", pc,
                       "unknown word; " + why});
      return;
    }
    glued(r, i, key, 0.0);
  }

  // Two years glued by a lost en dash: "20242026" (2024\u20132026, the second
  // later by at most a century) or "202425" (2024\u201325, the next year's
  // last two digits). Not inside a longer number ("1,20242026", "20242026.5")
  // nor a date or a code ("20250315", "18002000"). Every such pair in the dev
  // set, the held-out chapters and 97 news pages had the dash (17 of 17).
  void year_range(Run& r, size_t i) const {
    constexpr double kYearRange = 0.95;
    const TextView& v = r.view;
    const Token& t = v.tokens[i];
    const std::string_view d = t.in(v.text);
    if (d.size() != 8 && d.size() != 6) return;
    if (!std::all_of(d.begin(), d.end(), is_digit)) return;
    auto joined = [&](size_t at) {  // a separator that makes the token part of a longer one
      return std::string_view(".,:/-").find(v.text[at]) != std::string_view::npos;
    };
    if (t.begin > 0 && joined(t.begin - 1)) return;
    if (t.end + 1 < v.text.size() && joined(t.end) && is_digit(v.text[t.end + 1])) return;
    auto num = [&](size_t from, size_t n) {
      int x = 0;
      for (size_t k = from; k < from + n; ++k) x = 10 * x + (d[k] - '0');
      return x;
    };
    const int y1 = num(0, 4), y2 = num(4, d.size() - 4);
    const bool range = d.size() == 8 ? y1 >= 1000 && y1 < y2 && y2 <= y1 + 100
                                     : y1 >= 1000 && y2 == (y1 + 1) % 100;
    if (!range) return;
    r.out.push_back(
        {t.begin + 4, std::string(kEnDash), "restore.glued-dash.v1", kYearRange,
         "two years glued: " + std::string(d.substr(0, 4)) + "\u2013" + std::string(d.substr(4))});
  }

  // A line-initial label followed by a space ("Q Do you...", "END 12:56"):
  // the runs the training text had after it and after its space (no-break
  // spaces in transcripts), chosen per label and next character class.
  bool label(Run& r, size_t i) const {
    const TextView& v = r.view;
    const Token& t = v.tokens[i];
    if (i > 0 && v.tokens[i - 1].kind != TokenKind::kNewline) return false;
    if (i + 2 >= v.tokens.size()) return false;
    const Token& space = v.tokens[i + 1];
    // One space, or two ("END  12:56", "Q  and": class 'S', the "after" run
    // goes between them).
    const bool two = space.in(v.text) == "  ";
    if (space.kind != TokenKind::kSpace || (space.in(v.text) != " " && !two)) return false;
    if (v.tokens[i + 2].kind == TokenKind::kNewline) return false;
    const char next = v.text[space.end];
    const char cls = two              ? 'S'
                     : is_digit(next) ? 'D'
                     : is_upper(next) ? 'U'
                     : is_lower(next) ? 'l'
                                      : 'P';
    const restore::LabelModel::Choice* c = labels_.choose(t.in(v.text), cls);
    if (!c) return false;
    const std::string why =
        "line-initial label \"" + std::string(t.in(v.text)) + "\" is followed by no-break spaces";
    if (!c->before.empty())
      r.out.push_back({t.end, c->before, "restore.label-space.v1", c->precision, why});
    if (!c->after.empty())
      r.out.push_back({two ? space.begin + 1 : space.end, c->after, "restore.label-space.v1",
                       c->precision, why});
    return true;
  }

  // Returns true when the token was decided (edit or deliberate no-edit).
  // A word of the text: token i, or a part of a glued token i ([begin, end)
  // bytes of the text) whose neighbours inside the token are given.
  struct WordRef {
    size_t i;
    size_t begin, end;
    const std::string* left = nullptr;  // neighbour overrides (parts of a glued token)
    const std::string* right = nullptr;
  };

  // The word right after "the", "a" or "an" and one space; not across a
  // double space, the trace of a deleted dash ("a \u2014 we\u2019re").
  static bool follows_article(const TextView& v, const WordRef& w) {
    auto is_article = [](std::string_view lower) {
      return lower == "the" || lower == "a" || lower == "an";
    };
    if (w.left) return is_article(*w.left);
    if (w.i < 2 || w.begin != v.tokens[w.i].begin) return false;
    const Token& space = v.tokens[w.i - 1];
    const Token& prev = v.tokens[w.i - 2];
    return space.kind == TokenKind::kSpace && space.end - space.begin == 1 && prev.is_word() &&
           is_article(ascii_lower(prev.in(v.text)));
  }

  bool lexicon_apostrophe(Run& r, size_t i, const std::string& key, const LexEntry& e) const {
    const Token& t = r.view.tokens[i];
    return lexicon_apostrophe(r, WordRef{i, t.begin, t.end}, key, e, 1.0);
  }

  // cap: upper bound for the confidence (a part of a glued token is no
  // surer than the split itself).
  bool lexicon_apostrophe(Run& r, const WordRef& w, const std::string& key, const LexEntry& e,
                          double cap) const {
    const TextView& v = r.view;
    const size_t i = w.i;
    std::string_view tok = v.text.substr(w.begin, w.end - w.begin);
    std::vector<double> post;
    size_t best = 0;
    std::string evidence;
    if (context_.has(key)) {
      if (all_upper(tok)) return true;  // acronyms (ITS, WERE in a heading): no evidence
      if (r.register_class < 0) r.register_class = context_.register_class(v.text, v.tokens);
      const restore::ContextFeatures cf =
          restore::context_features(v.text, v.tokens, i, r.register_class, w.left, w.right);
      std::vector<double> cpost;
      const restore::AmbiguousWord* aw = context_.decide(key, cf, cpost);
      best = std::max_element(cpost.begin(), cpost.end()) - cpost.begin();
      if (best == 0) return true;
      // A contraction that starts a clause (it\u2019s, we\u2019re, can\u2019t)
      // cannot follow an article: "the its" is the writer's slip (flag-slips
      // reports it), not damage. Possessives can ("the world\u2019s").
      if (is_clause_contraction(aw->readings[best]) && follows_article(v, w)) return true;
      std::vector<size_t> pos;
      if (!apostrophe_insertions(key, aw->readings[best], pos)) return true;
      double conf = std::min({cpost[best], kMaxConfidence, cap});
      std::string ev = "context \"" + restore::context_neighbour(v.text, v.tokens, i, -1) + " _ " +
                       restore::context_neighbour(v.text, v.tokens, i, +1) + "\": \"" +
                       aw->readings[best] + "\"";
      for (size_t p : pos)
        r.out.push_back({w.begin + p, std::string(kApostrophe), "restore.apostrophe.v1", conf, ev});
      return true;
    }
    if (model_.is_ambiguous(key)) {
      if (all_upper(tok)) return true;  // acronyms (ITS, WERE in a heading): no evidence
      std::string left = w.left ? *w.left : neighbour(v, i, -1);
      std::string right = w.right ? *w.right : neighbour(v, i, +1);
      post = model_.context_posterior(key, e, left, right);
      best = std::max_element(post.begin(), post.end()) - post.begin();
      if (best == 0) return true;
      evidence = "context \"" + left + " _ " + right + "\"";
    } else {
      // Posterior of each reading with a pattern prior: a key seen a few times
      // only with an apostrophe ("hierophant\u2019s" once) is weak evidence
      // that the plain word does not exist; contractions are safer than
      // possessives, odd interior apostrophes ("w\u2019iting") least safe.
      double total = e.total();
      post.push_back(e.plain);
      for (const auto& f : e.forms) post.push_back(f.count);
      best = std::max_element(post.begin(), post.end()) - post.begin();
      if (best == 0) return true;
      double prior = 0.5, strength = 3.0;
      switch (apostrophe_pattern(key, e.forms[best - 1].form)) {
        case Pattern::kContraction:
          prior = 0.9, strength = 1.0;
          break;
        case Pattern::kPossessive:
          prior = 0.3, strength = 3.0;
          break;
        case Pattern::kOther:
          prior = 0.4, strength = 4.0;
          break;
      }
      // A word of the dictionary whose elided form's stem is no word: an
      // archaic spelling of the fiction in the training text ("pled" as
      // "ple\u2019d"); modern text writes the word.
      const std::string& f = e.forms[best - 1].form;
      const size_t stem = f.find(kApostrophe);
      if (english_words_.count(key) > 0 && stem != std::string::npos && stem >= 3 &&
          english_words_.count(f.substr(0, stem)) == 0)
        return true;
      for (double& p : post) p = 0;
      post[best] = (e.forms[best - 1].count + strength * prior) / (total + strength);
      evidence = "training text writes \"" + key + "\" as \"" + e.forms[best - 1].form + "\"";
    }
    const std::string& form = e.forms[best - 1].form;
    std::vector<size_t> pos;
    if (!apostrophe_insertions(key, form, pos)) return true;
    double conf = post[best];
    // An unknown-as-plain possessive of a name gets the name evidence too.
    if (e.plain == 0 && pos.size() == 1 && pos[0] + 1 == key.size()) {
      std::string why;
      double pc = possessive_confidence(r, tok, w.end, why);
      if (pc > conf) {
        conf = pc;
        evidence += "; " + why;
      }
    }
    conf = std::min({conf, kMaxConfidence, cap});
    for (size_t p : pos)
      r.out.push_back(
          {w.begin + p, std::string(kApostrophe), "restore.apostrophe.v1", conf, evidence});
    return true;
  }

  // A glued token: two or more words whose separators the channel deleted.
  // Unknown tokens are segmented into known words (forward algorithm over cut
  // points: the split's posterior against every other split and against the
  // token being an unknown word of its own); a known token is only split in
  // two, when the pair is far more frequent glued than the token itself
  // (known_plain = the token's count as written).
  void glued(Run& r, size_t i, const std::string& key, double known_plain) const {
    const TextView& v = r.view;
    std::string_view tok = v.tokens[i].in(v.text);
    if (tok.size() < 5 || all_upper(tok)) return;
    // Most known words are ruled out by glued_known()'s first test alone; the
    // dictionary probe below is a cache miss per word, so it comes after.
    if (known_plain > 0 && !may_be_glued_known(tok, known_plain)) return;
    // A word of the dictionary the training text never showed is that word
    // ("persona", "orchestrating"), not two glued ones ("person" + "a").
    if (english_words_.count(key) > 0) return;
    if (known_plain > 0) {
      glued_known(r, i, key, known_plain);
      return;
    }
    Segmentation seg;
    if (!glue_.segment(tok, key, seg, &r.word_counts(),
                       restore::ends_line(v.text, v.tokens[i].end)))
      return;
    emit_split(r, i, key, seg.cuts, seg.p_cut, seg.p_dash, seg.evidence, &seg.features);
  }

  // Inserts the separator at each cut and decides each part as a word of its
  // own (so that a second run, which sees the parts apart, changes nothing):
  // "JoeBidens" -> "Joe\u00a0Biden\u2019s", "knowits" -> "know\u2014it\u2019s".
  void emit_split(Run& r, size_t i, const std::string& key, const std::vector<size_t>& cuts,
                  const std::vector<double>& p_split, const std::vector<double>& p_dash_at,
                  const std::string& evidence,
                  const std::vector<restore::GlueFeatures>* features = nullptr) const {
    const TextView& v = r.view;
    const Token& t = v.tokens[i];
    std::vector<std::string> parts;
    size_t a = 0;
    for (size_t k = 0; k <= cuts.size(); ++k) {
      size_t b = k < cuts.size() ? cuts[k] : key.size();
      parts.push_back(key.substr(a, b - a));
      a = b;
    }
    const size_t first_cut = r.out.size();
    for (size_t k = 0; k < cuts.size(); ++k) {
      const double p_dash = p_dash_at[k];
      bool dash = p_dash >= 0.5;
      double conf = std::min(kMaxConfidence, p_split[k] * (dash ? p_dash : 1 - p_dash));
      r.cuts.push_back({r.out.size(), p_split[k], p_dash, features != nullptr,
                        features ? (*features)[k] : restore::GlueFeatures{},
                        place_pair(v, i, cuts[k])});
      r.out.push_back({t.begin + cuts[k], std::string(dash ? kEmDash : kNbsp),
                       dash ? "restore.glued-dash.v1" : "restore.glued-space.v1", conf, evidence});
    }
    const size_t first_part = r.out.size();
    const std::string left = neighbour(v, i, -1), right = neighbour(v, i, +1);
    size_t begin = t.begin;
    for (size_t k = 0; k < parts.size(); ++k) {
      const std::string& lw = k > 0 ? parts[k - 1] : left;
      const std::string& rw = k + 1 < parts.size() ? parts[k + 1] : right;
      size_t end = begin + parts[k].size();
      if (accents_.word_part(v.text, begin, end, r.out)) {
        begin = end;
        continue;
      }
      if (const RestoreModel::LexBrief lex = model_.brief(parts[k]); lex.has_forms)
        lexicon_apostrophe(r, WordRef{i, begin, end, &lw, &rw}, parts[k], model_.entry(lex), 1.0);
      begin = end;
    }
    r.splits.push_back({first_cut, first_part, r.out.size()});
  }

  // The label runs are a typesetting habit (a White House transcript's
  // "Q\u00a0\u00a0\u00a0"), learned from the one publisher of transcripts
  // in the training text; a page typeset without no-break spaces has none
  // to lose. So they are applied only where the document shows that it lost
  // no-break spaces elsewhere: its other no-break-space proposals (glued
  // words, a space after punctuation, suggestions included), summed by
  // confidence, reach 0.5, one likely loss. Otherwise they stay suggestions.
  // (On pages of the same publisher this evidence does not tell the
  // transcripts with the habit from those without: both show lost no-break
  // spaces in their titles.)
  static void gate_labels(Run& r) {
    constexpr double kMinExpected = 0.5;
    constexpr double kNoEvidenceCap = 0.8;
    double expected = 0;
    bool labels = false;
    for (const Insertion& ins : r.out) {
      if (ins.rule == "restore.label-space.v1")
        labels = true;
      else if (ins.text == kNbsp)
        expected += ins.confidence;
    }
    if (!labels || expected >= kMinExpected) return;
    for (Insertion& ins : r.out)
      if (ins.rule == "restore.label-space.v1" && ins.confidence > kNoEvidenceCap) {
        ins.confidence = kNoEvidenceCap;
        ins.evidence += "; but the document shows no other lost no-break space";
      }
  }

  // A part's apostrophe is no surer than its token's split (applied after
  // boost_by_document(), which may raise the split).
  static void cap_split_parts(Run& r) {
    for (const Run::Split& s : r.splits) {
      double cap = 1.0;
      for (size_t k = s.cuts_begin; k < s.parts_begin; ++k)
        cap = std::min(cap, r.out[k].confidence);
      for (size_t k = s.parts_begin; k < s.parts_end; ++k)
        if (r.out[k].rule == "restore.apostrophe.v1")
          r.out[k].confidence = std::min(r.out[k].confidence, cap);
    }
  }

  // No cut can pass when even the commonest pair of the table, with the
  // seam bonus if the token has a seam, is too rare against the token's
  // own count: most known words are ruled out without a probe.
  bool may_be_glued_known(std::string_view tok, double known_plain) const {
    const double max_m =
        model_.max_pair_count() * (has_camel_seam(tok) ? std::exp(restore::kCamelSeamBonus) : 1.0);
    return max_m >= 4 * (known_plain + 1);
  }

  // A known token split in two: only with pair evidence far above the
  // token's own count ("JoeBiden": 8 as written, 303 as "Joe\u00a0Biden").
  void glued_known(Run& r, size_t i, const std::string& key, double known_plain) const {
    const TextView& v = r.view;
    std::string_view tok = v.tokens[i].in(v.text);
    size_t best_at = 0;
    double best_m = 0;
    size_t inner_caps = 0;  // capitals after the first letter
    for (size_t j = 1; j < tok.size(); ++j) inner_caps += is_upper(tok[j]);
    if (!may_be_glued_known(tok, known_plain)) return;
    for (size_t k = 2; k + 2 <= tok.size(); ++k) {
      if (inner_caps > (is_upper(tok[k]) ? 1u : 0u)) continue;  // a capital elsewhere
      std::string_view w1(key.data(), k), w2(key.data() + k, key.size() - k);
      // The pair first (its filter, then its table): that rules out nearly
      // every cut, so the parts' lexicon lookups run only for the few it keeps.
      if (!model_.may_be_common_pair(w1, w2)) continue;  // glued < kCommonPair times
      GlueCounts pr = model_.pair(w1, w2);
      // A seam written lower -> Upper ("WhiteHouse") is a cut far more often
      // than the lexicon's case-blind count of the token suggests (its
      // "whitehouse" comes from addresses): the pair's odds get the same
      // bonus as in segment().
      const double m =
          (pr.dash + pr.nbsp) *
          (is_lower(tok[k - 1]) && is_upper(tok[k]) ? std::exp(restore::kCamelSeamBonus) : 1.0);
      if (pr.dash + pr.nbsp < restore::kCommonPair || m < 4 * (known_plain + 1) || m <= best_m)
        continue;
      if (glue_.part_logp(w1) == -INFINITY || glue_.part_logp(w2) == -INFINITY) continue;
      best_m = m, best_at = k;
    }
    if (best_at == 0) return;
    double p_split = 0.97 * best_m / (best_m + known_plain + 1);
    emit_split(
        r, i, key, {best_at}, {p_split},
        {glue_.dash_share(key.substr(0, best_at), key.substr(best_at))},
        "\"" + std::string(tok) + "\" is far more often two words glued by a deleted separator");
  }

  // Token j is a word of the training lexicon or of the dictionary, or too
  // short to tell (under 3 letters), or no word at all.
  bool english_like(const TextView& v, size_t j) const {
    const Token& t = v.tokens[j];
    if (t.kind != TokenKind::kWord || t.end - t.begin < 3) return true;
    const std::string key = ascii_lower(t.in(v.text));
    if (english_words_.count(key) > 0) return true;
    const RestoreModel::LexBrief lex = model_.brief(key);
    return lex.known || lex.has_forms;
  }

  void space(Run& r, size_t i) const {
    const TextView& v = r.view;
    const Token& t = v.tokens[i];
    std::string_view s = t.in(v.text);
    if (i == 0 || v.tokens[i - 1].kind == TokenKind::kNewline ||
        v.tokens[i - 1].kind == TokenKind::kSpace)
      return;
    char left = v.text[t.begin - 1];
    if (left == '.' || left == '?' || left == '!' || left == ':') return;  // sentence spacing
    if (s == "  " && i + 1 < v.tokens.size() && v.tokens[i + 1].kind != TokenKind::kNewline) {
      char right = v.text[t.end];
      const GapCounts* g = model_.gap("space2", char_class(left), char_class(right));
      if (!g) return;
      double p = share(*g, restore::kDash);
      if (p < 0.5) return;
      // Between two words that are neither English nor in the training text
      // ("gare  qui" in a French quotation), the double space more likely lost
      // a one-letter word ("\u00e0") than a dash.
      if (!english_like(v, i - 1) && !english_like(v, i + 1)) return;
      r.out.push_back({t.begin + 1, std::string(kEmDash), "restore.glued-dash.v1",
                       p * kNaturalGapFactor, "two spaces between words: a deleted dash"});
    } else if (s == " " && line_end_dash_ &&
               (i + 1 == v.tokens.size() || v.tokens[i + 1].kind == TokenKind::kNewline)) {
      const GapCounts* g = model_.gap("spaceN", char_class(left), "N");
      if (!g) return;
      double p = share(*g, restore::kDash);
      if (p < 0.5) return;
      r.out.push_back({t.end, std::string(kEmDash), "restore.glued-dash.v1", p * kLineEndFactor,
                       "space before a line break: a deleted dash"});
    }
  }

  // True when `w` stands before a dot glued to at least two different
  // capitalised words in the document ("Mr.Neech", "Mr.Lodge"; not
  // "Caliber.Az" alone).
  static bool glued_abbreviation(Run& r, std::string_view w) {
    if (w.empty()) return false;
    if (!r.dot_glue_ready) {
      const TextView& v = r.view;
      std::vector<std::pair<std::string_view, std::string_view>> pairs;
      for (size_t k = 1; k + 1 < v.tokens.size(); ++k) {
        const Token& dot = v.tokens[k];
        const Token& a = v.tokens[k - 1];
        const Token& b = v.tokens[k + 1];
        if (dot.kind != TokenKind::kPunct || dot.end - dot.begin != 1 || v.text[dot.begin] != '.')
          continue;
        if (a.kind != TokenKind::kWord || b.kind != TokenKind::kWord || !a.ascii || !b.ascii ||
            a.end != dot.begin || b.begin != dot.end || !is_upper(v.text[b.begin]))
          continue;
        pairs.emplace_back(a.in(v.text), b.in(v.text));
      }
      std::sort(pairs.begin(), pairs.end());
      pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
      for (size_t k = 1; k < pairs.size(); ++k)
        if (pairs[k].first == pairs[k - 1].first) r.dot_abbreviations.insert(pairs[k].first);
      r.dot_glue_ready = true;
    }
    return r.dot_abbreviations.count(w) > 0;
  }

  // Each segmented cut again (its split and its separator), now knowing how
  // many other cuts of the document the first pass found sure: a page that
  // lost separators between words lost many (restore_glued.h, kGfDocSplits).
  void second_pass(Run& r) const {
    int sure = 0;
    for (const Run::Cut& c : r.cuts) sure += c.fitted && c.p_split >= restore::kSureCut;
    for (Run::Cut& c : r.cuts) {
      if (!c.fitted) continue;
      c.x[restore::kGfDocSplits] = std::log1p(sure - (c.p_split >= restore::kSureCut ? 1 : 0));
      c.p_split = glue_.probability(c.x);
      c.p_dash = glue_.dash_probability(c.x);
    }
  }

  // Accented place names as the channel leaves them ("Medelln", "rmqi") ->
  // the letters to put back, from the gazetteer's countries, capitals,
  // peoples and cities of 100,000 or more (not provinces: "Boko", from
  // Bok\u00e8o, is half of "Boko Haram"). A stripped form that two names
  // share or that the lexicon knows as a word is left out; so are names with
  // anything but Latin letters deleted ("Tai\u2019an"). On 97 news pages
  // (tools/restore/measure_genres.sh) letter R 0.38 -> 0.54, no wrong one.
  struct PlaceAccent {
    std::string form;
    std::vector<std::pair<size_t, std::string>> inserts;  // (offset in the stripped word, letters)
  };
  using PlaceAccents =
      std::unordered_map<std::string, PlaceAccent, restore::StringHash, std::equal_to<>>;
  void build_place_accents() {
    constexpr size_t kMinLength = 4;
    PlaceAccents found;
    std::unordered_set<std::string> shared;
    for (const PlaceName& n : gaz_.names()) {
      const bool eligible =
          n.kind == PlaceKind::kCountry || n.kind == PlaceKind::kAlias ||
          n.kind == PlaceKind::kCapital || n.kind == PlaceKind::kDemonym ||
          (n.kind == PlaceKind::kCity && n.population >= kMinAccentedCityPopulation);
      if (!eligible) continue;
      size_t start = 0;
      while (start < n.surface.size()) {
        size_t end = n.surface.find(' ', start);
        if (end == std::string::npos) end = n.surface.size();
        const std::string_view word(n.surface.data() + start, end - start);
        start = end + 1;
        // The channel's own view of the word: what survives and the runs it
        // deletes, each of which must be Latin letters (U+00C0-U+024F but the
        // multiplication and division signs: two-byte sequences C3 80 .. C9 8F).
        const restore::StrippedText st = restore::strip_channel(word);
        const std::string& stripped = st.text;
        PlaceAccent pa{std::string(word), {}};
        bool latin = true;
        for (const auto& del : st.deletions) {
          for (size_t k = 0; k < del.run.size() && latin; k += 2) {
            const auto c = static_cast<unsigned char>(del.run[k]);
            const auto c2 = k + 1 < del.run.size() ? static_cast<unsigned char>(del.run[k + 1]) : 0;
            latin = c >= 0xC3 && c <= 0xC9 && (c2 & 0xC0) == 0x80 &&
                    !(c == 0xC3 && (c2 == 0x97 || c2 == 0xB7));
          }
          pa.inserts.emplace_back(del.at, del.run);
        }
        if (!latin || pa.inserts.empty() || stripped.size() < kMinLength) continue;
        if (!is_lower(stripped[0]) && !is_upper(stripped[0])) continue;
        const RestoreModel::LexBrief lex = model_.brief(ascii_lower(stripped));
        if (lex.known || lex.has_forms) continue;
        auto [it, fresh] = found.emplace(stripped, pa);
        if (!fresh && it->second.form != pa.form) shared.insert(stripped);
      }
    }
    for (const std::string& s : shared) found.erase(s);
    place_accents_ = std::move(found);
  }

  bool place_accent(Run& r, size_t i) const {
    const Token& t = r.view.tokens[i];
    const auto it = place_accents_.find(t.in(r.view.text));
    if (it == place_accents_.end()) return false;
    const std::string evidence = "\"" + it->first + "\" is the place name \"" + it->second.form +
                                 "\" with its accented letters deleted";
    for (const auto& [off, letters] : it->second.inserts)
      r.out.push_back({t.begin + off, letters, "restore.letter.v1", kPlaceAccent, evidence});
    return true;
  }

  // A camel seam between two names of countries, their capitals or peoples
  // ("ChadSudan relations", "South AfricaUnited States", "IsraeliPalestinian
  // conflict"): such pairs are joined by an en dash, never by a no-break
  // space (which joins the parts of one name, "Joe\u00a0Biden"). Cities are
  // left out: many are named like people ("George", "Jackson"). The
  // gazetteer matches the names on the token's line with the cut opened.
  // One such name is enough when the pair heads a noun that names a
  // relation of two parties ("RussiaNATO relations", "HezbollahIsrael
  // conflict": config/gazetteer/pair_heads.txt); a no-break space there
  // would make one name of the two ("Russia\u00a0NATO").
  bool place_pair(const TextView& v, size_t i, size_t cut) const {
    constexpr size_t kContext = 80;  // bytes of the line kept on each side
    const Token& t = v.tokens[i];
    const std::string_view tok = t.in(v.text);
    if (cut == 0 || cut >= tok.size() || !is_lower(tok[cut - 1]) || !is_upper(tok[cut]))
      return false;
    auto continuation = [&](size_t at) {
      return at < v.text.size() && (static_cast<unsigned char>(v.text[at]) & 0xC0) == 0x80;
    };
    size_t from = t.begin;
    while (from > 0 && t.begin - from < kContext && v.text[from - 1] != '\n') --from;
    while (continuation(from)) ++from;  // whole characters only
    size_t to = t.end;
    while (to < v.text.size() && to - t.end < kContext && v.text[to] != '\n') ++to;
    while (to > t.end && continuation(to)) --to;
    std::string probe(v.text.substr(from, t.begin + cut - from));
    const size_t seam = probe.size();
    probe += ' ';
    probe += v.text.substr(t.begin + cut, to - t.begin - cut);
    const TokenList toks = tokenize(probe);
    bool left = false, right = false;
    for (const PlaceMention& m : gaz_.find_mentions(probe, toks)) {
      bool state_name = false;
      for (uint32_t row : m.readings) {
        const PlaceKind k = gaz_.names()[row].kind;
        state_name |= k == PlaceKind::kCountry || k == PlaceKind::kAlias ||
                      k == PlaceKind::kCapital || k == PlaceKind::kDemonym;
      }
      if (!state_name || m.possessive) continue;
      left |= m.span.end == seam;
      right |= m.span.begin == seam + 1;
    }
    return (left && right) || ((left || right) && heads_pair(probe, toks, seam + 1));
  }

  // From byte `from` of text: at most kMaxNameWords capitalised words (a
  // name: "European Union", "U.S."), then a word of pair_heads_.
  bool heads_pair(std::string_view text, const TokenList& toks, size_t from) const {
    constexpr int kMaxNameWords = 4;
    int name_words = 0;
    for (const Token& t : toks) {
      if (t.begin < from) continue;
      const std::string_view w = t.in(text);
      if (t.kind == TokenKind::kSpace || (t.kind == TokenKind::kPunct && w == ".")) continue;
      if (t.kind != TokenKind::kWord) return false;
      if (t.has_upper_initial) {
        if (++name_words > kMaxNameWords) return false;
        continue;
      }
      return name_words > 0 && pair_heads_.count(std::string(w)) > 0;
    }
    return false;
  }

  // The separator at each cut, given the document's other cuts: a page that
  // lost no-break spaces between words lost them at its uncertain cuts too,
  // a chapter that lost dashes, dashes. The other cuts' expected dashes and
  // spaces (each weighted by the probability that it is a cut) give the
  // document's dash share, smoothed towards the training prior with
  // kDocPrior pseudo-cuts; it replaces the prior in the cut's odds.
  void settle_separators(Run& r) const {
    constexpr double kDocPrior = 3.0;
    const GlueCounts g = model_.glue_prior();
    const double pd0 = g.dash / (g.dash + g.nbsp);
    for (Run::Cut& c : r.cuts) {
      if (!c.places) continue;
      c.p_split = std::max(c.p_split, kPlacePair);
      c.p_dash = kPlacePair;
    }
    double dash = 0, all = 0;
    for (const Run::Cut& c : r.cuts) dash += c.p_split * c.p_dash, all += c.p_split;
    for (Run::Cut& c : r.cuts) {
      if (c.places) {
        Insertion& ins = r.out[c.index];
        ins.text = std::string(kEnDash);
        ins.rule = "restore.glued-dash.v1";
        ins.confidence = std::min(kMaxConfidence, c.p_split * c.p_dash);
        ins.evidence +=
            "; a place name meets another name (an en dash: \"Chad\u2013Sudan relations\")";
        continue;
      }
      const double d = dash - c.p_split * c.p_dash, n = all - c.p_split;
      const double q = (d + kDocPrior * pd0) / (n + kDocPrior);
      const double odds = c.p_dash / (1 - c.p_dash) * (q / (1 - q)) / (pd0 / (1 - pd0));
      c.p_dash = odds / (1 + odds);
      Insertion& ins = r.out[c.index];
      const bool is_dash = c.p_dash >= 0.5;
      ins.text = std::string(is_dash ? kEmDash : kNbsp);
      ins.rule = is_dash ? "restore.glued-dash.v1" : "restore.glued-space.v1";
      ins.confidence = std::min(kMaxConfidence, c.p_split * (is_dash ? c.p_dash : 1 - c.p_dash));
    }
  }

  // Documents differ in which separators they lost between words (White
  // House pages: many no-break spaces, inside names and phrases; fiction:
  // dashes). The splits a document applied (confidence >= 0.9) measure that,
  // and settle the readings the tables left uncertain; each boost makes the
  // other readings four times less likely (fitted on dev, checked on
  // held-out Standard Ebooks chapters):
  // - a glued sentence end ("people.As", "Globally:In") is a lost no-break
  //   space in prose that puts them there, a lost dash in dialogue
  //   ("place.\u2014Now"), or nothing (names); the gap table mixes both
  //   genres (about 0.85 no-break space). From 1 no-break-space split (the
  //   splits' probabilities are fitted, restore_glued.h): on dev 0.94 of such
  //   sentence ends were no-break spaces; held-out chapters apply no such
  //   splits.
  // - from 4 no-break-space splits, a cut's separator odds move 4:1 towards
  //   the no-break space, and a no-break-space cut is boosted (on dev 0.97 of
  //   such suggestions were right, against 0.8 elsewhere);
  // - from 4 dash splits and no no-break-space split, a dash cut is boosted
  //   (held-out: 0.96 right).
  static void boost_by_document(Run& r) {
    constexpr int kMinSplitsSentence = 1, kMinSplitsWords = 4, kMinSurePunct = 1;
    constexpr std::string_view kPunctSpaceRule = "restore.space-after-punct.v1";
    constexpr double kFactor = 0.25;
    int nbsp_splits = 0, dash_splits = 0;
    for (const Run::Cut& c : r.cuts) {
      const Insertion& ins = r.out[c.index];
      if (ins.confidence < 0.9) continue;
      (ins.text == kNbsp ? nbsp_splits : dash_splits)++;
    }
    auto boost = [&](Insertion& ins, const std::string& why) {
      ins.confidence = std::min(kMaxConfidence, 1.0 - (1.0 - ins.confidence) * kFactor);
      ins.evidence += why;
    };
    // Sure no-break spaces after punctuation glued to a word
    // (restore.space-after-punct.v1), before any boost.
    int sure_punct = 0;
    for (const Insertion& ins : r.out)
      sure_punct += ins.rule == kPunctSpaceRule && ins.confidence >= 0.9;
    const std::string nbsp_why = "; this document lost no-break spaces between words (" +
                                 std::to_string(nbsp_splits) + " splits)";
    if (nbsp_splits >= kMinSplitsSentence)
      for (size_t k : r.sentence_glue) boost(r.out[k], nbsp_why);
    // Any punctuation glued to a word (":Biden", "(FBI)increased", ",Mr."),
    // where the gap table hesitates between genres, in a page that surely
    // lost no-break spaces both between words and after punctuation (a
    // chapter's dialogue loses dashes after its sentence ends: ".\u2014Now").
    if (nbsp_splits >= kMinSplitsSentence && sure_punct >= kMinSurePunct) {
      const std::string why = "; this document lost no-break spaces after punctuation (" +
                              std::to_string(sure_punct) + " sure)";
      std::vector<bool> boosted(r.out.size(), false);  // sentence ends, boosted above
      for (size_t k : r.sentence_glue) boosted[k] = true;
      for (size_t k = 0; k < r.out.size(); ++k)
        if (!boosted[k] && r.out[k].rule == kPunctSpaceRule && r.out[k].confidence < 0.9)
          boost(r.out[k], why);
    }
    if (nbsp_splits >= kMinSplitsWords) {
      for (const Run::Cut& c : r.cuts) {
        Insertion& ins = r.out[c.index];
        if (ins.confidence >= 0.9) continue;
        const double p_dash = c.p_dash * kFactor / (c.p_dash * kFactor + (1 - c.p_dash));
        if (ins.text != kNbsp && p_dash >= 0.5) continue;
        ins.text = std::string(kNbsp);
        ins.rule = "restore.glued-space.v1";
        ins.confidence = std::min(kMaxConfidence, c.p_split * (1 - p_dash));
        boost(ins, nbsp_why);
      }
    } else if (dash_splits >= kMinSplitsWords && nbsp_splits == 0) {
      const std::string why =
          "; this document lost dashes between words (" + std::to_string(dash_splits) + " splits)";
      for (const Run::Cut& c : r.cuts) {
        Insertion& ins = r.out[c.index];
        if (ins.confidence < 0.9 && ins.text == kEmDash) boost(ins, why);
      }
    }
  }

  void punct(Run& r, size_t i) const {
    const TextView& v = r.view;
    const Token& t = v.tokens[i];
    if (t.end - t.begin != 1 || i == 0 || i + 1 >= v.tokens.size()) return;
    char p = v.text[t.begin];
    if (std::string_view(",;:.)?!").find(p) == std::string_view::npos) return;
    const Token& next = v.tokens[i + 1];
    if (next.kind != TokenKind::kWord || !next.ascii || r.protected_tok[i + 1]) return;
    std::string_view rw = next.in(v.text);
    if (!is_upper(rw[0]) && !is_lower(rw[0])) return;
    const Token& prev = v.tokens[i - 1];
    std::string_view lw;
    if ((prev.kind == TokenKind::kWord || prev.kind == TokenKind::kNumber) && prev.ascii)
      lw = prev.in(v.text);
    std::string_view rc = word_class(rw);
    if (p == '.' && (rc == "l" || rc == "1")) return;  // domains, abbreviations
    // "Caliber.Az", "News.Az": a dot glued to a word that is rare in prose is a
    // site or product name more often than a lost sentence space; sentences
    // start with common words (weighted count >= 100 in the training prose).
    // But a word glued by a dot to two or more different capitalised words
    // in this document is an abbreviation whose space was lost ("Mr.Neech",
    // "Mr.Lodge"), whatever the names.
    if (p == '.') {
      if (glue_.part_count(ascii_lower(rw)) < 100.0 && !glued_abbreviation(r, lw)) return;
    }
    std::string kind = "punct";
    kind += p;
    const GapCounts* g = model_.gap(kind, word_class(lw), rc);
    if (!g) return;
    double pn = share(*g, restore::kNbsp), pd = share(*g, restore::kDash);
    bool dash = pd > pn;
    double pr = dash ? pd : pn;
    if (pr < 0.5) return;
    if (!dash && p != ',' && p != ';' && p != ')' &&
        (word_class(lw) == "l" || word_class(lw) == "C") && rc == "C")
      r.sentence_glue.push_back(r.out.size());
    r.out.push_back({t.end, std::string(dash ? kEmDash : kNbsp),
                     dash ? "restore.glued-dash.v1" : "restore.space-after-punct.v1",
                     pr * kNaturalGapFactor, std::string("\"") + p + "\" glued to the next word"});
  }

  // Order of insertions that share a gap: what belongs to the word before
  // comes first ("caf\u00e9", "workers\u2019"), then a closing quote, a
  // separator, an opening quote ("workers\u2019\u201d\u2014\u201cWe").
  static int gap_rank(const Insertion& a) {
    if (a.rule == "restore.letter.v1") return 0;
    if (a.text == kApostrophe) return 1;
    if (a.text == "\u201d" || a.text == "\u2019\u201d") return 2;
    if (a.text == "\u201c") return 4;
    return 3;
  }

  StageResult finish(Run& r) const {
    // Insertions at one gap ("leaders" + "\u2019" + "\u00a0" + "summit") are
    // one edit, as sure as its least sure part.
    std::stable_sort(r.out.begin(), r.out.end(), [&](const Insertion& a, const Insertion& b) {
      if (a.pos != b.pos) return a.pos < b.pos;
      return gap_rank(a) < gap_rank(b);
    });
    StageResult res;
    for (const auto& ins : r.out) {
      const std::string text = ascii_punctuation_ ? to_ascii_punctuation(ins.text) : ins.text;
      if (!res.edits.empty() && res.edits.back().span.begin == ins.pos) {
        Edit& prev = res.edits.back();
        if (prev.replacement == text) continue;
        prev.replacement += text;
        prev.confidence = std::min(prev.confidence, ins.confidence);
        prev.evidence += "; " + ins.evidence;
        continue;
      }
      res.edits.push_back(Edit{{ins.pos, ins.pos}, text, ins.rule, ins.confidence, ins.evidence});
    }
    return res;
  }

  // punctuation = ascii: typewriter style for what the stage inserts.
  static std::string to_ascii_punctuation(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
      std::string_view rest = s.substr(i);
      auto take = [&](std::string_view from, std::string_view to) {
        if (rest.substr(0, from.size()) != from) return false;
        out += to;
        i += from.size();
        return true;
      };
      if (take("\u2019", "'") || take("\u2018", "'") || take("\u201c", "\"") ||
          take("\u201d", "\"") || take("\u2014", "--") || take("\u2013", "-") ||
          take("\u00a0", " ") || take("\u2026", "..."))
        continue;
      out += s[i++];
    }
    return out;
  }

  RestoreModel model_;
  restore::ContextModel context_;
  restore::LabelModel labels_;
  AccentRestorer accents_;
  restore::QuoteRestorer quotes_;
  restore::GlueSegmenter glue_;                    // points into model_
  Gazetteer gaz_;                                  // place_pair(), place_accent()
  std::unordered_set<std::string> pair_heads_;     // place_pair(): "relations", "conflict", ...
  std::unordered_set<std::string> english_words_;  // glued(), lexicon_apostrophe()
  PlaceAccents place_accents_;                     // stripped word -> name
  bool line_end_dash_;
  bool pair_quotes_;  // no quote applied without its partner in the line
  bool ascii_punctuation_;

  static bool punctuation_style(const StageContext& ctx) {
    const std::string p = ctx.get("punctuation", "unicode");
    if (p != "unicode" && p != "ascii")
      throw ConfigError("restore: punctuation must be unicode or ascii, not \"" + p + "\"");
    return p == "ascii";
  }
};

}  // namespace

std::unique_ptr<Stage> make_restore_stage(const StageContext& ctx) {
  return std::make_unique<RestoreStage>(ctx);
}

}  // namespace copydesk
