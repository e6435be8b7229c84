// Glued words for the restore stage: a scraper that deleted the no-break
// space or dash between two words left one token ("Harrisconvened",
// "MiddleEast", "buildamoreinclusive"). The segmenter finds the likeliest
// split of an unknown token into known words and says, for each cut, how
// likely it is that a separator was deleted there.
//
//   GlueSegmenter seg(model, load_glue_weights(ctx.data_path("restore")));
//   Segmentation s;
//   seg.segment("Harrisconvened", "harrisconvened", s);
//   // s.cuts == {6}; s.parts == {"harris", "convened"}; s.p_cut[0] ~ 0.97
//
// Segmentation: the forward algorithm over cut points with a unigram model
// of the training prose, a bonus for each lower -> Upper seam and for pairs
// the training text glued, against the token being an unknown word of its
// own; inner capitals must sit at cuts. That gives the best split and its
// posterior. The posterior is not the probability that a cut is right (names
// are the risk: "Hollowell" = "hollow" + "ell"), so each cut is described by
// a few features (GlueFeature) and its probability is a logistic model over
// them, fitted on the candidate cuts of clean training text run through the
// deletion channel, where it is known whether a separator was deleted at
// each cut (config/restore/glued.tsv; tools/restore/fit_glued.py).
//
// Const and thread-safe; holds a pointer to the model it was built with.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pipeline/tokens.h"
#include "stages/restore_model.h"

namespace copydesk::restore {

// Log-odds that a lower -> Upper seam ("WhiteHouse") is a cut.
inline constexpr double kCamelSeamBonus = 4.0;

// What describes one cut of a segmentation (columns of the fitting examples,
// rows of glued.tsv). Counts are the lexicon's weighted counts.
enum GlueFeature {
  kGfBias,
  kGfLogit,        // logit of the segmentation's posterior, clipped to [-12, 12]
  kGfCamelCut,     // the cut is a lower -> Upper seam
  kGfAllCamel,     // every cut of the token is such a seam
  kGfCapital,      // the token starts with a capital (a name is likelier)
  kGfLogMinCount,  // log of the rarest part's count (over the whole token)
  kGfLogLeft,      // log count of the part left of the cut
  kGfLogRight,     // log count of the part right of the cut
  kGfMinLen,       // letters of the shorter neighbouring part, at most 8
  kGfShort,        // a neighbouring part has at most 2 letters
  kGfCuts,         // cuts in the token
  kGfLogPair,      // log(1 + times the training text glued this pair)
  kGfLogGlueL,     // log(1 + times the left part was glued to a next word)
  kGfLogGlueR,     // log(1 + times the right part was glued to a previous word)
  kGfAcronym,      // a neighbouring part is an acronym unknown to the lexicon
  kGfLength,       // letters in the token / 10
  kGfDashLogit,    // logit of dash_share() at the cut, clipped to [-8, 8]
  // The document's own spellings (DocWordCounts; 0 without one): a part that
  // the document also writes as a word of its own ("inPeru" beside "Peru")
  // is likelier a glued word than a piece of a name ("Hollowell"), and a
  // token the document writes again as one word is likelier a name
  // ("DeSantis") than the same separator lost twice. A part's absence says
  // more in a long document than in a short one: it counts -n / (n + 1000)
  // for a document of n words, its presence 1.
  kGfDocLeft,   // the part left of the cut is a word elsewhere in the document
  kGfDocRight,  // the part right of the cut is a word elsewhere in the document
  kGfDocToken,  // log(1 + other uses of the whole token in the document)
  // The token ends its line (a title's last two words, which a typesetter
  // keeps together with a no-break space: "Travel to\u00a0Switzerland").
  kGfLineEnd,
  kGfDocSplits,  // log(1 + other cuts of the document whose first-pass probability >= 0.9)
  kGlueFeatures
};
const char* glue_feature_name(int f);
using GlueFeatures = std::array<double, kGlueFeatures>;

// Two passes of logistic weights over GlueFeatures: the first without the
// document feature (kGfDocSplits, weight 0), whose sure cuts (>= 0.9) give
// that feature to the second; then a monotone calibration of the second's
// output (pairs of lower bin edge, probability from there up). And the
// weights of a third logistic model: that the separator deleted at a true
// cut was a dash rather than a space.
struct GlueWeights {
  GlueFeatures w{};     // first pass
  GlueFeatures v{};     // second pass
  GlueFeatures dash{};  // separator
  std::vector<std::pair<double, double>> calibration;
};
// Reads a glued.tsv; throws ConfigError when it is missing or malformed.
GlueWeights load_glue_weights(const std::string& path);
// First-pass probability at or above which a cut counts for kGfDocSplits.
inline constexpr double kSureCut = 0.9;

// Word counts of one document, keyed by the ASCII-lowercased token (word
// tokens of the text as the stage sees it, stripped by the channel).
struct DocWordCounts {
  std::unordered_map<std::string, int> counts;
  int words = 0;  // word tokens in all
  int uses(const std::string& key) const {
    const auto it = counts.find(key);
    return it == counts.end() ? 0 : it->second;
  }
};
DocWordCounts doc_word_counts(std::string_view text, const TokenList& tokens);
// True when the token ending at byte `end` of `text` is the last of its line.
inline bool ends_line(std::string_view text, size_t end) {
  return end >= text.size() || text[end] == '\n';
}

struct Segmentation {
  std::vector<size_t> cuts;            // byte offsets inside the token, increasing
  std::vector<std::string> parts;      // the key's pieces between cuts
  double posterior = 0;                // of the best split, against all others
  std::vector<GlueFeatures> features;  // one per cut
  std::vector<double> p_cut;           // first-pass probability of a deleted separator at each cut
  std::vector<double> p_dash;          // that it was a dash, not a no-break space
  std::string evidence;
};

class GlueSegmenter {
 public:
  GlueSegmenter(const RestoreModel& model, GlueWeights weights);

  // Segments an unknown token (`key` = tok ASCII-lowercased, tok letters
  // only). False when no split into known words exists. `doc`, when given,
  // holds the document's word counts (the kGfDoc* features; the token
  // itself counted once); `line_end`: the token is the last of its line.
  bool segment(std::string_view tok, const std::string& key, Segmentation& out,
               const DocWordCounts* doc = nullptr, bool line_end = false) const;

  // Weighted count of a part of a glued token: as written, or as its
  // unambiguous apostrophe reading ("bidens": 16 plain, 1,597 "biden\u2019s").
  double part_count(std::string_view part) const;
  // log P(part) under a unigram model, or -inf when the part may not stand
  // as a word of a split (too rare, or a rare one- or two-letter piece).
  double part_logp(std::string_view part) const;
  // Count of the unambiguous apostrophe reading of a key that is not a word
  // itself; 0 if there is none. Fills the insertion offsets.
  double apostrophe_part(std::string_view w, std::vector<size_t>& pos) const;

  // The first-pass probability for a cut described by x (kGfDocSplits unused).
  double first_pass(const GlueFeatures& x) const;
  // The calibrated second-pass probability (x[kGfDocSplits] filled in).
  double probability(const GlueFeatures& x) const;
  // The fitted probability that the separator at a cut described by x was a dash.
  double dash_probability(const GlueFeatures& x) const;

  // Share of dashes (against no-break spaces) for a separator deleted
  // between w1 and w2, from the tables alone: naive Bayes over each word's
  // glue counts, then the pair's.
  double dash_share(std::string_view w1, std::string_view w2) const;

 private:
  // apostrophe_part() for a key already looked up.
  double apostrophe_part(std::string_view w, const RestoreModel::LexBrief& lex,
                         std::vector<size_t>& pos) const;

  const RestoreModel* model_;
  GlueWeights weights_;
};

// Fitting examples: every cut segment() proposes for the unknown tokens of
// clean text run through the deletion channel, one TSV line each:
// weight, label (1 when a separator was deleted at the cut), separator
// ("n" no-break space or other space, "d" dash, "-" none), token, cut, then
// the features in GlueFeature order (kGfDocSplits from the segmenter's
// first pass over the document's cuts). Appends to `out`. A token counts as
// unknown when the lexicon holds it only through this document's own uses
// (token_weight: the weighted count of one use, as `copydesk train` gave it).
void glue_examples(const GlueSegmenter& seg, const RestoreModel& model, std::string_view clean,
                   double weight, double token_weight, std::string& out);

}  // namespace copydesk::restore
