#include "stages/restore.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "stages/restore_model.h"

namespace copydesk {
namespace {

using restore::GapCounts;
using restore::GlueCounts;
using restore::LexEntry;
using restore::RestoreModel;

constexpr std::string_view kApostrophe = "\u2019";
constexpr std::string_view kEmDash = "\u2014";
constexpr std::string_view kNbsp = "\u00a0";

// Confidence ceilings: the share of natural text (typos, double spacing) that
// the training gold cannot show, since its deletions are the only source of
// these patterns there.
constexpr double kMaxConfidence = 0.99;
constexpr double kNaturalGapFactor = 0.985;
constexpr double kLineEndFactor = 0.95;
constexpr double kMinPartCount = 3.0;  // weighted count of each part of a glued split

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool has_digit(std::string_view s) { return std::any_of(s.begin(), s.end(), is_digit); }
bool all_upper(std::string_view s) {
  return s.size() >= 2 && std::none_of(s.begin(), s.end(), is_lower);
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

struct Insertion {
  size_t pos;
  std::string text;
  std::string rule;
  double confidence;
  std::string evidence;
};

class RestoreStage final : public Stage {
 public:
  explicit RestoreStage(const StageContext& ctx)
      : model_(RestoreModel::load(ctx.data_path(ctx.get("data", "restore")))),
        line_end_dash_(ctx.get_bool("line-end-dash", true)) {}

  std::string_view name() const override { return "restore"; }

  StageResult run(const TextView& view) const override {
    Run r{view, {}, {}, {}};
    prepare(r);
    for (size_t i = 0; i < view.tokens.size(); ++i) {
      const Token& t = view.tokens[i];
      if (r.protected_tok[i]) continue;
      if (t.kind == TokenKind::kWord && t.ascii) word(r, i);
      else if (t.kind == TokenKind::kSpace) space(r, i);
      else if (t.kind == TokenKind::kPunct) punct(r, i);
    }
    return finish(r);
  }

 private:
  struct Run {
    const TextView& view;
    std::vector<bool> protected_tok;          // inside a URL or e-mail address
    std::unordered_set<std::string_view> doc_words;
    std::vector<Insertion> out;
  };

  // A token the channel deletes entirely (non-ASCII, or an ASCII apostrophe).
  static bool deleted(const TextView& v, size_t i) {
    const Token& t = v.tokens[i];
    if (t.kind == TokenKind::kNewline) return false;
    return !t.ascii || t.in(v.text) == "'";
  }
  static bool is_apostrophe(const TextView& v, size_t i) {
    std::string_view s = v.tokens[i].in(v.text);
    return s == "'" || s == kApostrophe || s == "\u02bc";
  }

  void prepare(Run& r) const {
    const auto& toks = r.view.tokens;
    r.protected_tok.assign(toks.size(), false);
    // Chunks: maximal runs of tokens without ASCII space or line break.
    size_t i = 0;
    while (i < toks.size()) {
      if (toks[i].kind == TokenKind::kNewline || (toks[i].kind == TokenKind::kSpace && toks[i].ascii)) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < toks.size() && toks[j].kind != TokenKind::kNewline &&
             !(toks[j].kind == TokenKind::kSpace && toks[j].ascii))
        ++j;
      std::string chunk = ascii_lower(r.view.text.substr(toks[i].begin, toks[j - 1].end - toks[i].begin));
      bool prot = chunk.find('@') != std::string::npos || chunk.find("://") != std::string::npos ||
                  chunk.find("www.") != std::string::npos || chunk.find('/') != std::string::npos ||
                  chunk.find('_') != std::string::npos || chunk.find('#') != std::string::npos;
      for (std::string_view tld : {".com", ".org", ".gov", ".net", ".edu", ".int", ".mil", ".io", ".co.", ".uk"}) {
        size_t p = chunk.find(tld);
        if (p != std::string::npos) {
          size_t e = p + tld.size();
          if (e >= chunk.size() || !is_lower(chunk[e])) prot = true;
        }
      }
      if (prot)
        for (size_t k = i; k < j; ++k) r.protected_tok[k] = true;
      i = j;
    }
    for (const Token& t : toks)
      if (t.kind == TokenKind::kWord) r.doc_words.insert(t.in(r.view.text));
  }

  // The neighbour the channel would show: the next (dir +1) or previous word
  // in the stripped text, lowercased (word pieces glued by deleted characters
  // are joined), else the punctuation character, "<s>" / "</s>" at line edges.
  static std::string neighbour(const TextView& v, size_t i, int dir) {
    const auto& toks = v.tokens;
    auto at_end = [&](long k) { return k < 0 || k >= static_cast<long>(toks.size()); };
    long k = static_cast<long>(i) + dir;
    while (!at_end(k) && (toks[k].kind == TokenKind::kSpace || deleted(v, k))) k += dir;
    if (at_end(k) || toks[k].kind == TokenKind::kNewline) return dir > 0 ? "</s>" : "<s>";
    const Token& t = toks[k];
    if (t.kind != TokenKind::kWord && t.kind != TokenKind::kNumber) return std::string(t.in(v.text));
    std::vector<std::string_view> parts{t.in(v.text)};
    long m = k + dir;
    while (true) {
      long p = m;
      while (!at_end(p) && deleted(v, p) && toks[p].kind != TokenKind::kSpace) p += dir;
      if (at_end(p) || p == m) break;
      if (toks[p].kind != TokenKind::kWord && toks[p].kind != TokenKind::kNumber) break;
      parts.push_back(toks[p].in(v.text));
      m = p + dir;
    }
    if (dir < 0) std::reverse(parts.begin(), parts.end());
    std::string w;
    for (auto p : parts) w += p;
    return ascii_lower(w);
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
    for (std::string_view suf : {"n\u2019t", "\u2019ll", "\u2019re", "\u2019ve", "\u2019d", "\u2019m", "\u2019s"})
      if (ends(suf) && form.size() == key.size() + 3) return Pattern::kContraction;
    return Pattern::kOther;
  }

  // Insertion points of `form` (key + inserted characters) into the token:
  // returns false when an insertion is not an apostrophe (accents: later work).
  static bool apostrophe_insertions(std::string_view key, std::string_view form, std::vector<size_t>& pos) {
    size_t k = 0, f = 0;
    while (f < form.size()) {
      if (k < key.size() && form[f] == key[k]) {
        ++k;
        ++f;
      } else if (form.substr(f, 3) == kApostrophe) {
        pos.push_back(k);
        f += 3;
      } else if (form[f] == '\'') {
        pos.push_back(k);
        ++f;
      } else {
        return false;
      }
    }
    return k == key.size() && !pos.empty();
  }

  // Confidence that an unknown capitalised "Xs" is "X's": X must be a name
  // (written in this document, or capitalised in the lexicon), not a common
  // word ("Yess"), and names ending like X must mostly take possessives
  // rather than plurals ("Nairobis" yes, "Chileans" no).
  double possessive_confidence(const Run& r, std::string_view tok, std::string& why) const {
    if (tok.size() < 4 || tok.back() != 's' || !is_upper(tok[0]) || all_upper(tok.substr(0, tok.size() - 1)))
      return 0;
    std::string_view base = tok.substr(0, tok.size() - 1);
    const LexEntry* e = model_.lookup(ascii_lower(base));
    if (e && e->cap_share < 0.5) return 0;
    const double p = model_.possessive_share(base);
    if (r.doc_words.count(base)) {
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
    if ((i > 0 && is_apostrophe(v, i - 1)) || (i + 1 < v.tokens.size() && is_apostrophe(v, i + 1))) return;
    // A piece glued to a word by deleted characters belongs to a longer token.
    if (label(r, i)) return;
    // Acronyms (OFN, TLL, ITS): only an unmistakable negation (DONT, CANT).
    if (all_upper(tok) && tok.size() <= 4 && !(tok.size() == 4 && tok.substr(2) == "NT")) return;
    const std::string key = ascii_lower(tok);
    const LexEntry* e = model_.lookup(key);
    if (e && !e->forms.empty()) {
      if (lexicon_apostrophe(r, i, key, *e)) return;
    }
    if (has_digit(tok) || !std::all_of(tok.begin(), tok.end(), [](char c) { return is_lower(c) || is_upper(c); }))
      return;
    if (e) {
      // A known token can still be two glued words when the pair is far more
      // frequent glued by a deleted separator than the token itself
      // ("JoeBiden": 8 as written, 303 as "Joe\u00a0Biden").
      if (e->forms.empty()) glued(r, i, key, e->plain);
      return;
    }
    std::string why;
    double pc = possessive_confidence(r, tok, why);
    if (pc > 0) {
      r.out.push_back({t.end - 1, std::string(kApostrophe), "restore.possessive.v1", pc,
                       "unknown word; " + why});
      return;
    }
    glued(r, i, key, 0.0);
  }

  // A line-initial label followed by a space ("Q Do you...", "END 12:56"):
  // the run the training text had after it (no-break spaces in transcripts).
  bool label(Run& r, size_t i) const {
    const TextView& v = r.view;
    const Token& t = v.tokens[i];
    if (i > 0 && v.tokens[i - 1].kind != TokenKind::kNewline) return false;
    if (i + 1 < v.tokens.size()) {
      const Token& n = v.tokens[i + 1];
      if (!(n.kind == TokenKind::kNewline || (n.kind == TokenKind::kSpace && n.in(v.text) == " "))) return false;
    }
    const RestoreModel::Label* l = model_.label(t.in(v.text));
    if (!l || l->share < 0.5) return false;
    r.out.push_back({t.end, l->run, "restore.label-space.v1", l->share * kNaturalGapFactor,
                     "line-initial label \"" + std::string(t.in(v.text)) + "\" is followed by no-break spaces"});
    return true;
  }

  // Returns true when the token was decided (edit or deliberate no-edit).
  // A word of the text: token i, or a part of a glued token i ([begin, end)
  // bytes of the text) whose neighbours inside the token are given.
  struct WordRef {
    size_t i;
    size_t begin, end;
    const std::string* left = nullptr;   // neighbour overrides (parts of a glued token)
    const std::string* right = nullptr;
  };

  bool lexicon_apostrophe(Run& r, size_t i, const std::string& key, const LexEntry& e) const {
    const Token& t = r.view.tokens[i];
    return lexicon_apostrophe(r, WordRef{i, t.begin, t.end}, key, e, 1.0);
  }

  // cap: upper bound for the confidence (a part of a glued token is no
  // surer than the split itself).
  bool lexicon_apostrophe(Run& r, const WordRef& w, const std::string& key, const LexEntry& e, double cap) const {
    const TextView& v = r.view;
    const size_t i = w.i;
    std::string_view tok = v.text.substr(w.begin, w.end - w.begin);
    std::vector<double> post;
    size_t best = 0;
    std::string evidence;
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
        case Pattern::kContraction: prior = 0.9, strength = 1.0; break;
        case Pattern::kPossessive: prior = 0.3, strength = 3.0; break;
        case Pattern::kOther: prior = 0.4, strength = 4.0; break;
      }
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
      double pc = possessive_confidence(r, tok, why);
      if (pc > conf) {
        conf = pc;
        evidence += "; " + why;
      }
    }
    conf = std::min({conf, kMaxConfidence, cap});
    for (size_t p : pos)
      r.out.push_back({w.begin + p, std::string(kApostrophe), "restore.apostrophe.v1", conf, evidence});
    return true;
  }

  // known_plain > 0: the token is itself a known word that often; then only a
  // split with pair evidence far above that count is proposed.
  void glued(Run& r, size_t i, const std::string& key, double known_plain) const {
    const TextView& v = r.view;
    const Token& t = v.tokens[i];
    std::string_view tok = t.in(v.text);
    if (tok.size() < 5 || all_upper(tok)) return;
    struct Cand {
      size_t at;
      double score;
      bool camel;
      GlueCounts pair;
      std::vector<size_t> w2_apos;  // apostrophes to insert in the second word
    };
    std::vector<Cand> cands;
    for (size_t k = 2; k + 2 <= tok.size(); ++k) {
      std::string_view w1(key.data(), k), w2(key.data() + k, key.size() - k);
      double c1 = model_.word_count(w1), c2 = model_.word_count(w2);
      std::vector<size_t> w2_apos;  // "JoeBidens": the second word is "Biden\u2019s"
      if (c2 < kMinPartCount) c2 = apostrophe_part(w2, w2_apos);
      if (c1 < kMinPartCount || c2 < kMinPartCount) continue;
      bool camel = is_lower(tok[k - 1]) && is_upper(tok[k]);
      // Inner capitals elsewhere than at the split: not two plain words.
      bool other_caps = false;
      for (size_t j = 1; j < tok.size(); ++j)
        if (j != k && is_upper(tok[j])) other_caps = true;
      if (other_caps) continue;
      GlueCounts pr = model_.pair(w1, w2);
      if (known_plain > 0 && pr.dash + pr.nbsp < 4 * (known_plain + 1)) continue;
      double s = std::log(c1) + std::log(c2) + (camel ? 6.0 : 0.0) + std::log1p(pr.dash + pr.nbsp) * 2;
      cands.push_back({k, s, camel, pr, std::move(w2_apos)});
    }
    if (cands.empty()) return;
    double z = 0, best_s = -1e300;
    size_t best = 0;
    for (size_t c = 0; c < cands.size(); ++c)
      if (cands[c].score > best_s) best_s = cands[c].score, best = c;
    for (const auto& c : cands) z += std::exp(c.score - best_s);
    const Cand& c = cands[best];
    std::string w1 = key.substr(0, c.at), w2 = key.substr(c.at);
    std::vector<size_t> unused;
    double c1 = model_.word_count(w1), c2 = model_.word_count(w2);
    if (!c.w2_apos.empty()) c2 = apostrophe_part(w2, unused);
    // How likely the token is two glued words rather than an unknown word
    // (names are the risk: "Hollowell", "DeVan"). Calibrated on dev.
    const bool solid = std::min(c1, c2) >= 20 && w1.size() >= 3 && w2.size() >= 3;
    double base;
    if (c.pair.dash + c.pair.nbsp >= 2) base = 0.97;
    else if (c.camel && solid) base = 0.97;
    else if (c.camel) base = 0.7;
    else if (is_upper(tok[0])) base = 0.5;
    else if (solid && std::min(c1, c2) >= 100) base = 0.93;
    else base = 0.6;
    double p_split = base / z;
    if (known_plain > 0) p_split *= (c.pair.dash + c.pair.nbsp) / (c.pair.dash + c.pair.nbsp + known_plain + 1);
    // Separator: naive Bayes over the words' glue statistics, then the pair.
    GlueCounts prior = model_.glue_prior();
    double pd = prior.dash / (prior.dash + prior.nbsp), pn = 1 - pd;
    constexpr double kSmooth = 5.0;
    GlueCounts gl = model_.glue(w1, 'L'), gr = model_.glue(w2, 'R');
    auto cond = [&](const GlueCounts& g, double prior_s, double n_s) {
      return (n_s + kSmooth * prior_s) / (g.dash + g.nbsp + kSmooth);
    };
    double sd = cond(gl, pd, gl.dash) * cond(gr, pd, gr.dash) / pd;
    double sn = cond(gl, pn, gl.nbsp) * cond(gr, pn, gr.nbsp) / pn;
    double p_dash = sd / (sd + sn);
    double m = c.pair.dash + c.pair.nbsp;
    if (m > 0) p_dash = (c.pair.dash + kSmooth * p_dash) / (m + kSmooth);
    bool dash = p_dash >= 0.5;
    double conf = std::min(kMaxConfidence, p_split * (dash ? p_dash : 1 - p_dash));
    r.out.push_back({t.begin + c.at, std::string(dash ? kEmDash : kNbsp),
                     dash ? "restore.glued-dash.v1" : "restore.glued-space.v1", conf,
                     "unknown word \"" + std::string(tok) + "\" = \"" + w1 + "\" + \"" + w2 + "\""});
    // Each part gets what it would get as a word of its own (so that a second
    // run, which sees the parts apart, changes nothing): "JoeBidens" ->
    // "Joe\u00a0Biden\u2019s", "knowits" -> "know\u2014it\u2019s" by context.
    const std::string left = neighbour(v, i, -1), right = neighbour(v, i, +1);
    if (const LexEntry* e1 = model_.lookup(w1); e1 && !e1->forms.empty())
      lexicon_apostrophe(r, WordRef{i, t.begin, t.begin + c.at, nullptr, &w2}, w1, *e1, conf);
    if (const LexEntry* e2 = model_.lookup(w2); e2 && !e2->forms.empty())
      lexicon_apostrophe(r, WordRef{i, t.begin + c.at, t.end, &w1, nullptr}, w2, *e2, conf);
  }

  // Count of the unambiguous apostrophe reading of a key that is not a word
  // itself ("bidens" -> "biden\u2019s"); 0 if there is none. Fills the
  // insertion offsets.
  double apostrophe_part(std::string_view w, std::vector<size_t>& pos) const {
    const LexEntry* e = model_.lookup(w);
    if (!e || e->forms.empty() || model_.is_ambiguous(w)) return 0;
    const auto& f = *std::max_element(e->forms.begin(), e->forms.end(),
                                      [](const auto& a, const auto& b) { return a.count < b.count; });
    if (f.count < 10 * (e->plain + 0.5)) return 0;
    pos.clear();
    if (!apostrophe_insertions(w, f.form, pos)) return 0;
    return f.count;
  }

  void space(Run& r, size_t i) const {
    const TextView& v = r.view;
    const Token& t = v.tokens[i];
    std::string_view s = t.in(v.text);
    if (i == 0 || v.tokens[i - 1].kind == TokenKind::kNewline || v.tokens[i - 1].kind == TokenKind::kSpace) return;
    char left = v.text[t.begin - 1];
    if (left == '.' || left == '?' || left == '!' || left == ':') return;  // sentence spacing
    if (s == "  " && i + 1 < v.tokens.size() && v.tokens[i + 1].kind != TokenKind::kNewline) {
      char right = v.text[t.end];
      const GapCounts* g = model_.gap("space2", char_class(left), char_class(right));
      if (!g) return;
      double p = share(*g, restore::kDash);
      if (p < 0.5) return;
      r.out.push_back({t.begin + 1, std::string(kEmDash), "restore.glued-dash.v1", p * kNaturalGapFactor,
                       "two spaces between words: a deleted dash"});
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
    if ((prev.kind == TokenKind::kWord || prev.kind == TokenKind::kNumber) && prev.ascii) lw = prev.in(v.text);
    std::string_view rc = word_class(rw);
    if (p == '.' && (rc == "l" || rc == "1")) return;  // domains, abbreviations
    // "Caliber.Az", "News.Az": a dot glued to a word that is rare in prose is a
    // site or product name more often than a lost sentence space; sentences
    // start with common words (weighted count >= 100 in the training prose).
    if (p == '.') {
      if (model_.word_count(ascii_lower(rw)) < 100.0) return;
    }
    std::string kind = "punct";
    kind += p;
    const GapCounts* g = model_.gap(kind, word_class(lw), rc);
    if (!g) return;
    double pn = share(*g, restore::kNbsp), pd = share(*g, restore::kDash);
    bool dash = pd > pn;
    double pr = dash ? pd : pn;
    if (pr < 0.5) return;
    r.out.push_back({t.end, std::string(dash ? kEmDash : kNbsp),
                     dash ? "restore.glued-dash.v1" : "restore.space-after-punct.v1", pr * kNaturalGapFactor,
                     std::string("\"") + p + "\" glued to the next word"});
  }

  StageResult finish(Run& r) const {
    // Two insertions at one gap ("leaders" + "\u2019" + "\u00a0" + "summit") are
    // one edit: the apostrophe first, then the separator; the edit is as sure
    // as its less sure part.
    auto rank = [](const Insertion& a) { return a.text == kApostrophe ? 0 : 1; };
    std::stable_sort(r.out.begin(), r.out.end(), [&](const Insertion& a, const Insertion& b) {
      if (a.pos != b.pos) return a.pos < b.pos;
      return rank(a) < rank(b);
    });
    StageResult res;
    for (const auto& ins : r.out) {
      if (!res.edits.empty() && res.edits.back().span.begin == ins.pos) {
        Edit& prev = res.edits.back();
        if (prev.replacement == ins.text) continue;
        prev.replacement += ins.text;
        prev.confidence = std::min(prev.confidence, ins.confidence);
        prev.evidence += "; " + ins.evidence;
        continue;
      }
      res.edits.push_back(Edit{{ins.pos, ins.pos}, ins.text, ins.rule, ins.confidence, ins.evidence});
    }
    return res;
  }

  RestoreModel model_;
  bool line_end_dash_;
};

}  // namespace

std::unique_ptr<Stage> make_restore_stage(const StageContext& ctx) {
  return std::make_unique<RestoreStage>(ctx);
}

}  // namespace copydesk
