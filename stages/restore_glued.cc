#include "stages/restore_glued.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <unordered_map>

#include "pipeline/data_files.h"
#include "pipeline/stage.h"
#include "pipeline/tokens.h"
#include "stages/restore_channel.h"

namespace copydesk::restore {
namespace {

constexpr double kMinPartCount = 3.0;     // weighted count of each part of a glued split
constexpr size_t kMaxCuts = 5;            // words glued into one token, less one
constexpr double kLogTotal = 16.9;        // log of the lexicon's weighted token count
constexpr double kAcronymCount = 20.0;    // weighted count of an unknown acronym part
constexpr double kMinLexiconCount = 1.0;  // the trainer's pruning of lexicon rows
constexpr double kDocWordsHalf = 1000.0;  // words at which a part's absence counts half

const char* const kFeatureNames[kGlueFeatures] = {
    "bias",       "logit",      "camel_cut", "all_camel", "capital",    "log_min_count",
    "log_left",   "log_right",  "min_len",   "short",     "cuts",       "log_pair",
    "log_glue_l", "log_glue_r", "acronym",   "length",    "dash_logit", "doc_left",
    "doc_right",  "doc_token",  "line_end",  "doc_splits"};

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

double logadd(double x, double y) {
  if (x == -INFINITY) return y;
  if (y == -INFINITY) return x;
  const double m = std::max(x, y);
  return m + std::log(std::exp(x - m) + std::exp(y - m));
}

// 'n' when a deleted run holds a space character (no-break, thin, ...), 'd'
// when it holds a dash, 0 otherwise (apostrophes, quotes, letters).
char separator_in(std::string_view run) {
  for (std::string_view s : {"\u00a0", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007",
                             "\u2008", "\u2009", "\u202f", "\u205f", "\u3000"})
    if (run.find(s) != std::string_view::npos) return 'n';
  for (std::string_view s : {"\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"})
    if (run.find(s) != std::string_view::npos) return 'd';
  return 0;
}

}  // namespace

const char* glue_feature_name(int f) { return kFeatureNames[f]; }

GlueWeights load_glue_weights(const std::string& path) {
  // `copydesk train` does not fit these weights (a separate script does): a
  // folder it wrote needs them copied in.
  if (!std::filesystem::exists(path))
    throw ConfigError(path +
                      ": missing (copydesk train does not write it: copy the shipped "
                      "config/restore/glued.tsv into the folder, or fit one with "
                      "tools/restore/fit_glued.py)");
  GlueWeights g;
  std::array<std::vector<bool>, 3> seen;
  seen.fill(std::vector<bool>(kGlueFeatures, false));
  for (const TsvRow& row : read_tsv(path, 3)) {
    const auto& f = row.fields;
    double a = 0, b = 0;
    try {
      b = std::stod(std::string(f[2]));
      if (f[0] == "c") a = std::stod(std::string(f[1]));
    } catch (const std::exception&) {
      throw ConfigError(data_error(path, row.line, 2, "expected numbers"));
    }
    if (f[0] == "w" || f[0] == "v" || f[0] == "s") {
      const auto* it = std::find(std::begin(kFeatureNames), std::end(kFeatureNames), f[1]);
      if (it == std::end(kFeatureNames))
        throw ConfigError(data_error(path, row.line, 2, "unknown feature \"" + f[1] + "\""));
      const int set = f[0] == "w" ? 0 : f[0] == "v" ? 1 : 2;
      (set == 0 ? g.w : set == 1 ? g.v : g.dash)[it - std::begin(kFeatureNames)] = b;
      seen[set][it - std::begin(kFeatureNames)] = true;
    } else if (f[0] == "c") {
      if (b < 0 || b > 1 || (!g.calibration.empty() && a <= g.calibration.back().first))
        throw ConfigError(data_error(path, row.line, 2,
                                     "expected increasing bin edges and probabilities in [0, 1]"));
      g.calibration.emplace_back(a, b);
    } else {
      throw ConfigError(data_error(path, row.line, 1, "expected a row kind w, v, s or c"));
    }
  }
  for (int k = 0; k < kGlueFeatures; ++k)
    for (const auto& set : seen)
      if (!set[k])
        throw ConfigError(path + ": no weight (w, v and s rows) for feature \"" + kFeatureNames[k] +
                          "\"");
  return g;
}

GlueSegmenter::GlueSegmenter(const RestoreModel& model, GlueWeights weights)
    : model_(&model), weights_(std::move(weights)) {}

double GlueSegmenter::first_pass(const GlueFeatures& x) const {
  double z = 0;
  for (int k = 0; k < kGlueFeatures; ++k) z += k == kGfDocSplits ? 0.0 : weights_.w[k] * x[k];
  return 1.0 / (1.0 + std::exp(-z));
}

double GlueSegmenter::probability(const GlueFeatures& x) const {
  double z = 0;
  for (int k = 0; k < kGlueFeatures; ++k) z += weights_.v[k] * x[k];
  const double p = 1.0 / (1.0 + std::exp(-z));
  if (weights_.calibration.empty()) return p;
  // The last bin whose lower edge is at or below p.
  auto it = std::upper_bound(weights_.calibration.begin(), weights_.calibration.end(), p,
                             [](double v, const auto& bin) { return v < bin.first; });
  return it == weights_.calibration.begin() ? weights_.calibration.front().second
                                            : std::prev(it)->second;
}

double GlueSegmenter::dash_probability(const GlueFeatures& x) const {
  double z = 0;
  for (int k = 0; k < kGlueFeatures; ++k) z += weights_.dash[k] * x[k];
  return 1.0 / (1.0 + std::exp(-z));
}

double GlueSegmenter::dash_share(std::string_view w1, std::string_view w2) const {
  const GlueCounts prior = model_->glue_prior();
  const double pd = prior.dash / (prior.dash + prior.nbsp), pn = 1 - pd;
  constexpr double kSmooth = 5.0;
  const GlueCounts gl = model_->glue(w1, 'L'), gr = model_->glue(w2, 'R');
  auto cond = [&](const GlueCounts& g, double prior_s, double n_s) {
    return (n_s + kSmooth * prior_s) / (g.dash + g.nbsp + kSmooth);
  };
  const double sd = cond(gl, pd, gl.dash) * cond(gr, pd, gr.dash) / pd;
  const double sn = cond(gl, pn, gl.nbsp) * cond(gr, pn, gr.nbsp) / pn;
  double p_dash = sd / (sd + sn);
  const GlueCounts pair = model_->pair(w1, w2);
  const double m = pair.dash + pair.nbsp;
  if (m > 0) p_dash = (pair.dash + kSmooth * p_dash) / (m + kSmooth);
  return p_dash;
}

double GlueSegmenter::apostrophe_part(std::string_view w, std::vector<size_t>& pos) const {
  return apostrophe_part(w, model_->brief(w), pos);
}

double GlueSegmenter::apostrophe_part(std::string_view w, const RestoreModel::LexBrief& lex,
                                      std::vector<size_t>& pos) const {
  if (!lex.has_forms || model_->is_ambiguous(w)) return 0;
  const LexEntry& e = model_->entry(lex);
  const auto& f = *std::max_element(e.forms.begin(), e.forms.end(),
                                    [](const auto& a, const auto& b) { return a.count < b.count; });
  if (f.count < 10 * (e.plain + 0.5)) return 0;
  pos.clear();
  if (!apostrophe_insertions(w, f.form, pos)) return 0;
  return f.count;
}

double GlueSegmenter::part_count(std::string_view part) const {
  // One lexicon probe for both readings (segment() asks for every substring).
  const RestoreModel::LexBrief lex = model_->brief(part);
  std::vector<size_t> unused;
  return std::max(lex.plain, apostrophe_part(part, lex, unused));
}

double GlueSegmenter::part_logp(std::string_view part) const {
  const double c = part_count(part);
  if (c < kMinPartCount) return -INFINITY;
  if (part.size() <= 2 && c < 20000) return -INFINITY;
  return std::log(c) - kLogTotal;
}

DocWordCounts doc_word_counts(std::string_view text, const TokenList& tokens) {
  DocWordCounts d;
  std::string key;
  for (const Token& t : tokens) {
    if (t.kind != TokenKind::kWord) continue;
    key.assign(t.in(text));
    for (char& c : key)
      if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
    ++d.counts[key];
    ++d.words;
  }
  return d;
}

bool GlueSegmenter::segment(std::string_view tok, const std::string& key, Segmentation& out,
                            const DocWordCounts* doc, bool line_end) const {
  const size_t n = key.size();
  if (n > 64) return false;
  // Word-initial capitals inside the token must sit at cuts ("JoeBiden",
  // "USArmy"): a capital after a lowercase letter, or before one. A run of
  // capitals is one acronym ("theCHIPS").
  std::vector<bool> must_cut(n + 1, false);
  for (size_t j = 1; j < n; ++j)
    if (is_upper(tok[j]) && (is_lower(tok[j - 1]) || (j + 1 < n && is_lower(tok[j + 1]))))
      must_cut[j] = true;
  must_cut[n] = true;
  // An acronym between cuts ("ofDACA") may be unknown to the lexicon: it
  // counts as a rare word.
  auto acronym = [&](size_t a, size_t b) {
    if (b - a < 2 || b - a > 8 || !(a == 0 || must_cut[a]) || !must_cut[b]) return false;
    for (size_t j = a; j < b; ++j)
      if (!is_upper(tok[j])) return false;
    return true;
  };
  // lp[a][b] = log P(key[a, b)), computed once.
  std::vector<double> lp((n + 1) * (n + 1), -INFINITY);
  auto at = [&](size_t a, size_t b) -> double& { return lp[a * (n + 1) + b]; };
  for (size_t a = 0; a < n; ++a)
    for (size_t b = a + 1; b <= n && b - a <= 24; ++b) {
      bool blocked = false;
      for (size_t j = a + 1; j < b && !blocked; ++j) blocked = must_cut[j];
      if (!blocked && !(a == 0 && b == n)) {
        at(a, b) = part_logp(std::string_view(key).substr(a, b - a));
        if (acronym(a, b)) at(a, b) = std::max(at(a, b), std::log(kAcronymCount) - kLogTotal);
      }
    }
  // Forward sums (total mass of all segmentations of key[0, j)) and Viterbi.
  // Prior of a deleted separator between two words: about 2 in 1,000 word
  // gaps of scraped text lost one.
  const double kLogGlue = std::log(0.002);
  std::vector<double> fwd(n + 1, -INFINITY), best(n + 1, -INFINITY);
  std::vector<size_t> back(n + 1, 0);
  fwd[0] = best[0] = 0;
  for (size_t b = 1; b <= n; ++b)
    for (size_t a = 0; a < b; ++a) {
      const double p = at(a, b);
      if (p == -INFINITY || fwd[a] == -INFINITY) continue;
      double seam = 0;
      if (a > 0) {
        seam = is_lower(tok[a - 1]) && is_upper(tok[a]) ? kCamelSeamBonus : 0.0;
        GlueCounts pr = model_->pair(key.substr(back[a], a - back[a]), key.substr(a, b - a));
        seam += std::log1p(pr.dash + pr.nbsp) + kLogGlue;
      }
      fwd[b] = logadd(fwd[b], fwd[a] + p + seam);
      if (best[a] + p + seam > best[b]) best[b] = best[a] + p + seam, back[b] = a;
    }
  if (best[n] == -INFINITY) return false;
  std::vector<size_t> cuts;
  for (size_t b = n; b > 0; b = back[b])
    if (back[b] > 0) cuts.push_back(back[b]);
  std::reverse(cuts.begin(), cuts.end());
  if (cuts.empty() || cuts.size() > kMaxCuts) return false;
  // The token as an unknown word of its own: an out-of-vocabulary rate
  // (0.5% of tokens) times a letter model that makes each further letter
  // about 12 times less likely (long unknown words are rarer than long
  // glued phrases).
  const double log_unknown = std::log(0.005) - 2.5 * static_cast<double>(n);
  const double log_post = best[n] - logadd(fwd[n], log_unknown);
  const double posterior = std::exp(log_post);

  std::vector<std::string> parts;
  std::vector<double> counts;
  std::vector<bool> acro;
  double min_count = 1e300;
  size_t a = 0;
  for (size_t k = 0; k <= cuts.size(); ++k) {
    const size_t b = k < cuts.size() ? cuts[k] : n;
    parts.push_back(key.substr(a, b - a));
    double c = part_count(parts.back());
    acro.push_back(acronym(a, b) && c < kAcronymCount);
    if (acro.back()) c = kAcronymCount;
    counts.push_back(c);
    min_count = std::min(min_count, c);
    a = b;
  }
  bool all_camel = true;
  for (size_t c : cuts) all_camel = all_camel && is_lower(tok[c - 1]) && is_upper(tok[c]);
  // log(1 - posterior) without cancellation, for the logit.
  const double log_rest = std::log(-std::expm1(std::min(log_post, -1e-12)));
  const double logit = std::clamp(log_post - log_rest, -12.0, 12.0);

  out.cuts = cuts;
  out.posterior = posterior;
  out.features.clear();
  out.p_cut.clear();
  out.p_dash.clear();
  for (size_t k = 0; k < cuts.size(); ++k) {
    const std::string& w1 = parts[k];
    const std::string& w2 = parts[k + 1];
    const size_t c = cuts[k];
    const GlueCounts pr = model_->pair(w1, w2);
    const GlueCounts gl = model_->glue(w1, 'L'), gr = model_->glue(w2, 'R');
    GlueFeatures x{};
    x[kGfBias] = 1;
    x[kGfLogit] = logit;
    x[kGfCamelCut] = is_lower(tok[c - 1]) && is_upper(tok[c]) ? 1 : 0;
    x[kGfAllCamel] = all_camel ? 1 : 0;
    x[kGfCapital] = is_upper(tok[0]) ? 1 : 0;
    x[kGfLogMinCount] = std::log(std::max(1.0, min_count));
    x[kGfLogLeft] = std::log(std::max(1.0, counts[k]));
    x[kGfLogRight] = std::log(std::max(1.0, counts[k + 1]));
    x[kGfMinLen] = static_cast<double>(std::min<size_t>(8, std::min(w1.size(), w2.size())));
    x[kGfShort] = std::min(w1.size(), w2.size()) <= 2 ? 1 : 0;
    x[kGfCuts] = static_cast<double>(cuts.size());
    x[kGfLogPair] = std::log1p(pr.dash + pr.nbsp);
    x[kGfLogGlueL] = std::log1p(gl.dash + gl.nbsp);
    x[kGfLogGlueR] = std::log1p(gr.dash + gr.nbsp);
    x[kGfAcronym] = acro[k] || acro[k + 1] ? 1 : 0;
    x[kGfLength] = static_cast<double>(n) / 10.0;
    const double pd = std::clamp(dash_share(w1, w2), 1e-6, 1 - 1e-6);
    x[kGfDashLogit] = std::clamp(std::log(pd / (1 - pd)), -8.0, 8.0);
    if (doc) {
      const double n = static_cast<double>(doc->words);
      const double absent = -n / (n + kDocWordsHalf);
      x[kGfDocLeft] = doc->uses(w1) > 0 ? 1 : absent;
      x[kGfDocRight] = doc->uses(w2) > 0 ? 1 : absent;
      x[kGfDocToken] = std::log1p(std::max(0, doc->uses(key) - 1));
    }
    x[kGfLineEnd] = line_end ? 1 : 0;
    out.features.push_back(x);
    out.p_cut.push_back(first_pass(x));
    out.p_dash.push_back(dash_probability(x));
  }
  out.evidence = "unknown word \"" + std::string(tok) + "\" =";
  for (const auto& p : parts) out.evidence += " \"" + p + "\"";
  out.parts = std::move(parts);
  return true;
}

void glue_examples(const GlueSegmenter& seg, const RestoreModel& model, std::string_view clean,
                   double weight, double token_weight, std::string& out) {
  const StrippedText s = strip_channel(clean);
  const TokenList toks = tokenize(s.text);
  auto lower = [](std::string_view w) {
    std::string key(w);
    for (char& c : key)
      if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
    return key;
  };
  // The lexicon counted this document too: a word it holds only because of
  // this document is unknown to a stage reading new text.
  const DocWordCounts uses = doc_word_counts(s.text, toks);
  Segmentation sg;
  char buf[64];
  struct Row {
    std::string head;  // weight, label, separator, token, cut
    GlueFeatures x;
    bool sure;
  };
  std::vector<Row> rows;
  int sure = 0;
  for (size_t i = 0; i < toks.size(); ++i) {
    const Token& t = toks[i];
    if (t.kind != TokenKind::kWord || t.end - t.begin < 5) continue;
    const std::string_view tok = t.in(s.text);
    if (!std::all_of(tok.begin(), tok.end(), [](char c) { return is_lower(c) || is_upper(c); }))
      continue;
    if (std::none_of(tok.begin(), tok.end(), is_lower)) continue;  // acronyms
    // Inside an address ("www.", "x@y", "a/b"): the stage leaves these alone.
    auto addr = [&](size_t k) {
      return k < s.text.size() &&
             std::string_view("@/_#").find(s.text[k]) != std::string_view::npos;
    };
    if (addr(t.end) || (t.begin > 0 && addr(t.begin - 1))) continue;
    const std::string key = lower(tok);
    const LexEntry* e = model.lookup(key);
    if (e && e->total() - uses.uses(key) * token_weight >= kMinLexiconCount)
      continue;  // known tokens: the stage's glued_known()
    if (!seg.segment(tok, key, sg, &uses, ends_line(s.text, t.end))) continue;
    for (size_t k = 0; k < sg.cuts.size(); ++k) {
      const char sep = separator_in(s.deleted_before(t.begin + sg.cuts[k]));
      std::snprintf(buf, sizeof buf, "%.4g\t%d\t%c\t", weight, sep ? 1 : 0, sep ? sep : '-');
      rows.push_back({buf + std::string(tok) + '\t' + std::to_string(sg.cuts[k]), sg.features[k],
                      sg.p_cut[k] >= kSureCut});
      sure += rows.back().sure;
    }
  }
  for (Row& r : rows) {
    r.x[kGfDocSplits] = std::log1p(sure - (r.sure ? 1 : 0));
    out += r.head;
    for (double v : r.x) {
      std::snprintf(buf, sizeof buf, "\t%.5g", v);
      out += buf;
    }
    out += '\n';
  }
}

}  // namespace copydesk::restore
