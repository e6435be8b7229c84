// Tests for the glued-word segmenter (stages/restore_glued.h): segmentation
// and fitted probabilities on the shipped tables, the weights file's errors,
// the fitting examples, and the document feature's effect in the stage.
// Fixtures are written here by hand; none is copied from shared/.
#include "stages/restore_glued.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "pipeline/stage.h"
#include "stages/restore_model.h"
#include "tests/test_support.h"

using copydesk::Document;
using copydesk::testing::findings_of;
using copydesk::testing::run_stages;
using namespace copydesk::restore;

namespace {

const std::string kDir = std::string(COPYDESK_SOURCE_CONFIG_DIR) + "/restore";

const RestoreModel& model() {
  static const RestoreModel m = RestoreModel::load(kDir);
  return m;
}

const GlueSegmenter& segmenter() {
  static const GlueSegmenter s(model(), load_glue_weights(kDir + "/glued.tsv"));
  return s;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("restore glued: segmentation and first-pass probability") {
  struct Row {
    const char* label;
    const char* token;
    const char* doc;    // the document it is read in (the kGfDoc* features)
    const char* parts;  // space-separated; "" = no split proposed or below 0.5
    double min_p, max_p;
  };
  const Row rows[] = {
      {"two common words", "thecommittee", "Then thecommittee met. The committee voted.",
       "the committee", 0.9, 1.0},
      {"camel seam between known words", "GreenValley",
       "GreenValley Park opens. The green hills of the valley.", "green valley", 0.9, 1.0},
      {"three words", "strongerthantheflood", "We are strongerthantheflood.",
       "stronger than the flood", 0.5, 1.0},
  };
  for (const Row& r : rows) {
    const std::string label = r.label;
    CAPTURE(label);
    Segmentation s;
    const DocWordCounts doc = doc_word_counts(r.doc, copydesk::tokenize(r.doc));
    REQUIRE(segmenter().segment(r.token, lower(r.token), s, &doc));
    std::string parts;
    for (const auto& p : s.parts) parts += (parts.empty() ? "" : " ") + p;
    CHECK(parts == r.parts);
    REQUIRE(s.p_cut.size() == s.cuts.size());
    REQUIRE(s.p_dash.size() == s.cuts.size());
    for (double p : s.p_cut) {
      CHECK(p >= r.min_p);
      CHECK(p <= r.max_p);
    }
    for (double p : s.p_dash) CHECK((p >= 0 && p <= 1));
  }
}

TEST_CASE("restore glued: an unknown name is not split with confidence") {
  // Invented names: whatever pieces they hold, a capitalised unknown word
  // is a name more often than a glued pair.
  for (const char* tok : {"Kestrelwick", "Brannowen"}) {
    const std::string label = tok;
    CAPTURE(label);
    Segmentation s;
    if (segmenter().segment(tok, lower(tok), s))
      for (double p : s.p_cut) CHECK(p < 0.5);
  }
}

TEST_CASE("restore glued: the document's own spellings move a cut") {
  // The same token in three documents: alone; in a page that also writes its
  // parts as words of their own (likelier a cut); in a page that writes the
  // token again as one word (a name, less likely a cut).
  auto p = [](const std::string& text) {
    const DocWordCounts doc = doc_word_counts(text, copydesk::tokenize(text));
    Segmentation s;
    REQUIRE(segmenter().segment("ValleyOffice", "valleyoffice", s, &doc));
    REQUIRE(s.cuts.size() == 1);
    CHECK(s.cuts[0] == 6);
    return s.p_cut[0];
  };
  Segmentation s;
  REQUIRE(segmenter().segment("ValleyOffice", "valleyoffice", s));
  const double p_none = s.p_cut[0];
  const double p_alone = p("ValleyOffice");
  const double p_parts = p("The ValleyOffice is in the valley, beside the post office.");
  const double p_again = p("ValleyOffice, ValleyOffice and ValleyOffice.");
  CHECK(p_alone == doctest::Approx(p_none).epsilon(0.01));  // one word: no evidence
  CHECK(p_parts > p_alone);
  CHECK(p_again < p_alone);
  // The counts are the stage's view: lowercased word tokens.
  const std::string text = "Peru and PERU; inPeru.";
  const DocWordCounts c = doc_word_counts(text, copydesk::tokenize(text));
  CHECK(c.uses("peru") == 2);
  CHECK(c.uses("inperu") == 1);
  CHECK(c.uses(";") == 0);
  CHECK(c.words == 4);
}

TEST_CASE("restore glued: a title's last two words glued") {
  // A typesetter keeps a title's last two words together with a no-break
  // space; the channel glues them. At the end of a line the cut is likelier
  // than inside it.
  const std::string inside = "Remarks on the AutoIndustry and jobs\nThe auto industry grew.";
  const std::string at_end = "Remarks on jobs and the AutoIndustry\nThe auto industry grew.";
  auto p = [](const std::string& text) {
    const DocWordCounts doc = doc_word_counts(text, copydesk::tokenize(text));
    const size_t at = text.find("AutoIndustry");
    Segmentation s;
    REQUIRE(segmenter().segment("AutoIndustry", "autoindustry", s, &doc,
                                ends_line(text, at + std::string("AutoIndustry").size())));
    REQUIRE(s.cuts.size() == 1);
    return s.p_cut[0];
  };
  CHECK(p(at_end) > p(inside));
  CHECK(ends_line("ab\ncd", 2));
  CHECK(ends_line("ab", 2));
  CHECK(!ends_line("ab cd", 2));
}

TEST_CASE("restore glued: the second pass's output goes through the calibration bins") {
  GlueWeights w;
  w.v[kGfLogit] = 1;
  w.calibration = {{0.0, 0.1}, {0.5, 0.6}, {0.9, 0.95}};
  const GlueSegmenter seg(model(), w);
  GlueFeatures x{};
  const struct { double logit, expected; } rows[] = {{-5, 0.1}, {0, 0.6}, {1, 0.6}, {5, 0.95}};
  for (const auto& r : rows) {
    CAPTURE(r.logit);
    x[kGfLogit] = r.logit;
    CHECK(seg.probability(x) == doctest::Approx(r.expected));
    CHECK(seg.first_pass(x) == doctest::Approx(0.5));  // w is all zero
  }
}

TEST_CASE("restore glued: fitting examples label each cut by what the channel deleted") {
  std::string out;
  // "the\u00a0committee" reaches the stage as "thecommittee": a cut with a
  // deleted no-break space; "breakfast" is a known word, no candidate.
  glue_examples(segmenter(), model(), "We met the\u00a0committee at breakfast.", 2.0, 0.0, out);
  REQUIRE(!out.empty());
  CHECK(out.find("2\t1\tn\tthecommittee\t3\t") == 0);
  CHECK(out.find("breakfast") == std::string::npos);
  // A dash, and a token the lexicon holds only through this document's uses
  // (token weight large enough to explain its whole count) is a candidate.
  out.clear();
  glue_examples(segmenter(), model(), "They waited\u2014hoping for news.", 1.0, 0.0, out);
  CHECK(out.find("\t1\td\twaitedhoping\t6\t") != std::string::npos);
}

TEST_CASE("restore glued: bad weight files are configuration errors") {
  struct Row {
    const char* label;
    const char* text;
  };
  std::string all_rows;
  for (const char* kind : {"w", "v", "s"})
    for (int k = 0; k < kGlueFeatures; ++k)
      all_rows += std::string(kind) + "\t" + glue_feature_name(k) + "\t0.5\n";
  const std::string good = all_rows + "c\t0\t0.1\nc\t0.5\t0.6\n";
  CHECK_NOTHROW(load_glue_weights(write_temp("glued_good.tsv", good)));
  const std::string rows[] = {
      all_rows + "x\tbias\t1\n",                                 // unknown row kind
      all_rows + "w\tno_such_feature\t1\n",                      // unknown feature
      all_rows + "w\tbias\tone\n",                               // not a number
      all_rows + "c\t0.5\t0.1\nc\t0.2\t0.6\n",                   // edges not increasing
      all_rows + "c\t0\t1.5\n",                                  // probability above 1
      all_rows.substr(0, all_rows.find("s\t")) + "c\t0\t0.1\n",  // no s rows
  };
  for (size_t i = 0; i < std::size(rows); ++i) {
    CAPTURE(i);
    CHECK_THROWS_AS(load_glue_weights(write_temp("glued_bad.tsv", rows[i])), copydesk::ConfigError);
  }
  CHECK_THROWS_AS(load_glue_weights("/nonexistent/glued.tsv"), copydesk::ConfigError);
}

TEST_CASE("restore glued: a document that lost many separators makes its cuts surer") {
  // The same glued pair, alone and in a page whose other glued tokens are
  // sure cuts: the second pass's document feature raises its probability.
  const std::string alone = "They walked along theriverbank slowly.";
  const std::string many =
      "They walked along theriverbank slowly. Thecommittee met theboard and thegovernor "
      "toreview thebudget for thecounty and thestate.";
  auto conf = [](const std::string& text) {
    Document d = run_stages({"restore"}, text);
    for (const auto& e : d.edits)
      if (e.rule.rfind("restore.glued", 0) == 0 && e.orig.begin == 21) return e.confidence;
    for (const auto& f : findings_of(d, "restore.glued"))
      if (f.orig.begin == 21) return f.finding.confidence;
    return 0.0;
  };
  CHECK(conf(many) > conf(alone));
}
