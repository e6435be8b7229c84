#include "pipeline/eval_command.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "pipeline/atomic_file.h"
#include "pipeline/config_files.h"
#include "pipeline/eval_score.h"
#include "pipeline/exit_status.h"
#include "pipeline/json_writer.h"
#include "pipeline/logging.h"
#include "pipeline/reader.h"
#include "pipeline/runner.h"
#include "pipeline/stage_registry.h"
#include "pipeline/stage_settings.h"
#include "pipeline/utf8.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace copydesk {
namespace {

using eval::CharClass;
using eval::kNumClasses;

struct EvalOptions {
  std::vector<std::string> inputs;
  std::string config_file;
  std::string data_dir;
  std::string stages = "restore";
  std::string calibrate = "restore";
  std::string damage = "strip-nonascii";
  double apply_threshold = 0.9;
  size_t max_document_bytes = 32u << 20;
  std::vector<std::string> sets;
  std::string input_format = "auto";
  std::string text_field = "text";
  std::string id_field = "id";
  std::string json_file;
  size_t show = 0;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t b = item.find_first_not_of(" \t");
    size_t e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

struct Parsed {
  EvalOptions opt;
  PipelineSettings settings;
  std::vector<std::string> stages;
  std::set<std::string> calibrate;
  eval::DamageMode damage = eval::DamageMode::kStripNonAscii;
  InputFormat format = InputFormat::kAuto;
  bool exit_now = false;
};

Parsed parse(const std::vector<std::string>& args) {
  Parsed out;
  EvalOptions& o = out.opt;
  po::options_description visible(
      "Usage: copydesk eval [OPTIONS] INPUT...\n\n"
      "Damages clean text as eval/damage.py does, runs the pipeline over it and scores the\n"
      "restoration as eval/score.py does, with a confidence calibration table");
  visible.add_options()("help,h", "show this help")(
      "damage", po::value(&o.damage)->value_name("MODE"),
      "strip-nonascii (delete every code point above U+007F, the default) or strip-apostrophes "
      "(delete ASCII ' and U+2019 only)")(
      "input-format", po::value(&o.input_format)->value_name("FMT"),
      "text (one document per file), jsonl (one JSON object per line), or auto (default)")(
      "text-field", po::value(&o.text_field)->value_name("F"),
      "JSON Lines field with the clean text")("id-field", po::value(&o.id_field)->value_name("F"),
                                              "JSON Lines field with the document id")(
      "config,c", po::value(&o.config_file)->value_name("FILE"),
      "read options from this INI file (default: .copydesk.ini here or above)")(
      "data-dir", po::value(&o.data_dir)->value_name("DIR"),
      "folder with copydesk.ini and the data files")(
      "stages", po::value(&o.stages)->value_name("A,B"), "stages to run (default restore)")(
      "calibrate", po::value(&o.calibrate)->value_name("A,B"),
      "stages whose proposed edits go into the calibration table (default restore)")(
      "apply-threshold", po::value(&o.apply_threshold)->value_name("P"),
      "apply an edit whose confidence is at least P (default 0.9)")(
      "max-document-bytes", po::value(&o.max_document_bytes)->value_name("N"),
      "a larger document fails (default 33554432)")(
      "set", po::value(&o.sets)->composing()->value_name("STAGE.KEY=VALUE"),
      "set a stage key (repeatable)")("json", po::value(&o.json_file)->value_name("FILE"),
                                      "write every figure as JSON to FILE")(
      "show", po::value(&o.show)->value_name("N"),
      "print up to N misses, false insertions and collateral edits in context");
  po::options_description hidden;
  hidden.add_options()("input", po::value(&o.inputs)->composing());
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description pos;
  pos.add("input", -1);
  // What a config file may set for eval (stages is left out on purpose).
  po::options_description from_config;
  from_config.add_options()("apply-threshold", po::value(&o.apply_threshold))(
      "max-document-bytes", po::value(&o.max_document_bytes));

  std::map<std::string, std::string> stage_values;
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << visible;
      out.exit_now = true;
      return out;
    }
    for (const auto& s :
         vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{}) {
      size_t eq = s.find('='), dot = s.find('.');
      if (eq == std::string::npos || dot == std::string::npos || dot > eq ||
          !find_stage(s.substr(0, dot)))
        throw UsageError("--set expects STAGE.KEY=VALUE with a known stage, got '" + s + "'");
      stage_values.emplace(s.substr(0, eq), s.substr(eq + 1));
    }
    const bool threshold_given = vm.count("apply-threshold") > 0;  // see clean --help
    o.data_dir = find_data_dir(vm.count("data-dir") ? vm["data-dir"].as<std::string>() : "");
    std::vector<std::string> config_files;
    if (vm.count("config"))
      config_files.push_back(vm["config"].as<std::string>());
    else if (auto found = discover_config(); !found.empty())
      config_files.push_back(found);
    if (fs::exists(o.data_dir + "/copydesk.ini"))
      config_files.push_back(o.data_dir + "/copydesk.ini");
    for (const auto& file : config_files) {
      std::ifstream in(file);
      if (!in) throw UsageError("cannot read config file '" + file + "'");
      auto parsed = po::parse_config_file(in, from_config, /*allow_unregistered=*/true);
      po::store(parsed, vm);
      for (const auto& opt : parsed.options) {
        if (!opt.unregistered) continue;
        size_t dot = opt.string_key.find('.');
        if (dot == std::string::npos) continue;  // an option of clean/check (stages, fail-on, ...)
        if (!find_stage(opt.string_key.substr(0, dot)))
          throw UsageError(file + ": unknown option '" + opt.string_key + "'");
        if (threshold_given && is_threshold_key(opt.string_key)) continue;
        stage_values.emplace(opt.string_key, opt.value.empty() ? "" : opt.value.front());
      }
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }

  auto mode = eval::parse_damage_mode(o.damage);
  if (!mode)
    throw UsageError("--damage expects strip-nonascii or strip-apostrophes, got '" + o.damage +
                     "'");
  out.damage = *mode;
  out.format = parse_input_format(o.input_format);
  if (o.apply_threshold < 0 || o.apply_threshold > 1)
    throw UsageError("--apply-threshold must be in [0, 1]");
  out.settings.data_dir = o.data_dir;
  out.settings.policy = {o.apply_threshold, 0.0};
  out.settings.max_document_bytes = o.max_document_bytes;
  for (const auto& [k, v] : stage_values) set_stage_key(out.settings, k, v);
  // Review threshold 0 everywhere: every proposed edit is seen (applied ones do not change).
  for (auto& [_, p] : out.settings.stage_policy) p.review_threshold = 0.0;
  for (auto& [_, p] : out.settings.rule_policy) p.review_threshold = 0.0;
  out.stages = split_list(o.stages);
  if (out.stages.empty()) throw UsageError("--stages names no stage");
  for (const auto& s : out.stages)
    if (!find_stage(s)) throw UsageError("unknown stage '" + s + "'");
  for (const auto& s : split_list(o.calibrate)) out.calibrate.insert(s);
  if (o.inputs.empty())
    throw UsageError("no input given (name clean files, directories or JSON Lines)");
  return out;
}

// --- Collected figures --------------------------------------------------------

struct RuleStats {
  size_t count = 0, applied = 0, right = 0, applied_right = 0;
};

struct ExampleLine {
  std::string kind, cls, text, context;
};

struct Results {
  eval::EvalTotals totals;
  eval::Calibration calibration;
  std::map<std::string, RuleStats> rules;
  size_t docs_skipped = 0;  // unreadable clean text: not scored
  size_t coarse_regions = 0;
  std::vector<ExampleLine> examples[3];  // fn, fp, collateral
};

bool is_edit_finding(const MappedFinding& f) {
  const std::string& m = f.finding.message;
  return f.finding.severity == Severity::kSuggestion &&
         (m.rfind("possible restoration: ", 0) == 0 || m.rfind("possible fix: ", 0) == 0);
}

std::string context(const std::u32string& text, size_t pos, size_t width = 25) {
  size_t b = pos > width ? pos - width : 0;
  std::string s = eval::to_utf8(std::u32string_view(text).substr(b, pos - b)) + "|" +
                  eval::to_utf8(std::u32string_view(text).substr(pos, width));
  std::string out;
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string quoted(const std::u32string& s) {
  std::string out = "'";
  for (char c : eval::to_utf8(s)) {
    if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out + "'";
}

void score_one(Document& doc, const std::string& clean, const eval::Damaged& d, const Parsed& cl,
               eval::EvalAligner& aligner, Results& r) {
  const std::string& output = doc.error ? d.text : doc.text;
  const std::u32string in32 = eval::to_u32(d.text), gold32 = eval::to_u32(clean),
                       out32 = eval::to_u32(output);
  const bool want_examples =
      cl.opt.show > 0 && (r.examples[0].size() < cl.opt.show ||
                          r.examples[1].size() < cl.opt.show || r.examples[2].size() < cl.opt.show);
  eval::DocScore s =
      eval::score_document(in32, gold32, out32, eval::gold_runs(d, gold32), aligner, want_examples);
  r.totals.add(s);
  if (doc.error) ++r.totals.docs_failed;
  for (const auto& ex : s.examples) {
    auto& list = r.examples[ex.kind];
    if (list.size() >= cl.opt.show) continue;
    static const char* kKinds[] = {"FN", "FP", "COLLATERAL"};
    if (ex.kind == eval::Example::kCollateral)
      list.push_back({kKinds[ex.kind], "", quoted(ex.replaced) + " -> " + quoted(ex.text),
                      context(in32, ex.input_cp)});
    else
      list.push_back({kKinds[ex.kind], std::string(eval::class_name(ex.cls)), quoted(ex.text),
                      context(in32, ex.input_cp)});
  }
  if (doc.error) return;

  auto judge = [&](eval::Proposal p) {
    bool right = eval::proposal_right(p, d.text, d);
    r.calibration.add(p.confidence, p.applied, right);
    RuleStats& rs = r.rules[p.rule];
    ++rs.count;
    rs.applied += p.applied;
    rs.right += right;
    rs.applied_right += p.applied && right;
  };
  for (const AppliedEdit& e : doc.edits)
    if (cl.calibrate.count(e.stage))
      judge({e.orig.begin, e.orig.end, e.after, e.confidence, true, e.rule});
  for (const MappedFinding& f : doc.findings)
    if (cl.calibrate.count(f.stage) && is_edit_finding(f))
      judge({f.orig.begin, f.orig.end, f.finding.suggestion, f.finding.confidence, false,
             f.finding.rule});
}

// --- Output ------------------------------------------------------------------------

std::string fmt3(std::optional<double> x) { return x ? fmt::format("{:.3f}", *x) : "    -"; }

std::string pct(size_t num, size_t den) {
  return den ? fmt::format("{:.4f}%", 100.0 * static_cast<double>(num) / static_cast<double>(den))
             : "-";
}

void print_table(std::ostream& os, const Results& r, const Parsed& cl) {
  const eval::EvalTotals& t = r.totals;
  std::string rule_thresholds;
  for (const auto& [rule, p] : cl.settings.rule_policy)
    if (p.apply_threshold)
      rule_thresholds +=
          fmt::format("{}{} {}", rule_thresholds.empty() ? " (" : ", ", rule, *p.apply_threshold);
  if (!rule_thresholds.empty()) rule_thresholds += ")";
  os << fmt::format(
      "docs {} (failed in the pipeline {}, unreadable {}, returned unchanged {}); input {} chars; "
      "damage {}; stages {}; apply threshold {}{}\n",
      t.docs, t.docs_failed, r.docs_skipped, t.docs_unchanged_output, t.input_chars,
      eval::damage_mode_name(cl.damage), cl.opt.stages, cl.settings.policy.apply_threshold,
      rule_thresholds);
  os << fmt::format("{:<7} {:<11} {:>7} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6}\n", "view", "class",
                    "gold", "TP", "FP", "FN", "P", "R", "F1");
  for (const char* view : {"exact", "folded"}) {
    const eval::Counts& c = std::string(view) == "exact" ? t.exact : t.folded;
    std::vector<std::pair<std::string, eval::PRF>> rows;
    for (size_t k = 0; k < kNumClasses; ++k)
      rows.emplace_back(eval::class_name(static_cast<CharClass>(k)), c.c[k]);
    rows.emplace_back("ALL", c.micro());
    rows.emplace_back("ALL-space", c.micro_excl_space());
    for (const auto& [cls, p] : rows) {
      if (cls.rfind("ALL", 0) != 0 && !(p.gold || p.fp)) continue;
      os << fmt::format("{:<7} {:<11} {:>7} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6}\n", view, cls,
                        p.gold, p.tp, p.fp, p.fn, fmt3(p.precision()), fmt3(p.recall()),
                        fmt3(p.f1()));
    }
  }
  const double per10k = t.input_chars ? 1e4 / static_cast<double>(t.input_chars) : 0.0;
  os << fmt::format(
      "collateral: {} input chars deleted or substituted = {:.2f} per 10k input chars ({} of them "
      "style-only, equal after folding)\n",
      t.collateral, static_cast<double>(t.collateral) * per10k, t.collateral_style);
  const size_t n = t.docs ? t.docs : 1;
  os << fmt::format("docs restored exactly: {}/{} = {:.3f} (folded: {}); improved {}, worse {}\n",
                    t.docs_exact, t.docs,
                    static_cast<double>(t.docs_exact) / static_cast<double>(n), t.docs_exact_folded,
                    t.docs_improved, t.docs_worse);
  os << fmt::format("CER vs gold: input {}, output {}, output folded {}\n",
                    pct(t.dist_before, t.gold_chars), pct(t.dist_after, t.gold_chars),
                    pct(t.dist_after_folded, t.gold_chars));
  if (r.coarse_regions)
    os << fmt::format(
        "note: {} changed regions too large to align by character were counted whole\n",
        r.coarse_regions);

  os << "calibration (every edit proposed by " << cl.opt.calibrate
     << "; right = gives the clean text over its span, folded view):\n";
  os << fmt::format("{:<13} {:>7} {:>7} {:>7} {:>8} {:>9}\n", "confidence", "edits", "applied",
                    "right", "share", "mean conf");
  size_t total = 0, right = 0, applied = 0;
  for (const auto& b : r.calibration.buckets()) {
    total += b.count;
    right += b.right;
    applied += b.applied;
    if (!b.count) continue;
    const bool last = b.hi >= 1.0;
    os << fmt::format("[{:.2f},{:.2f}{} {:>7} {:>7} {:>7} {:>8.3f} {:>9.3f}\n", b.lo, b.hi,
                      last ? "]" : ")", b.count, b.applied, b.right,
                      static_cast<double>(b.right) / static_cast<double>(b.count),
                      b.confidence_sum / static_cast<double>(b.count));
  }
  os << fmt::format(
      "{:<13} {:>7} {:>7} {:>7} {:>8}\n", "all", total, applied, right,
      total ? fmt::format("{:.3f}", static_cast<double>(right) / static_cast<double>(total)) : "-");
  if (!r.rules.empty()) {
    os << fmt::format("{:<36} {:>7} {:>7} {:>7} {:>14}\n", "rule", "edits", "right", "applied",
                      "applied right");
    for (const auto& [rule, s] : r.rules)
      os << fmt::format("{:<36} {:>7} {:>7} {:>7} {:>14}\n", rule, s.count, s.right, s.applied,
                        s.applied_right);
  }
  if (cl.opt.show) {
    os << "examples (exact view; | marks the input offset):\n";
    for (const auto& list : r.examples)
      for (const auto& e : list)
        os << fmt::format("{:<10} {:<10} {} at input {}\n", e.kind, e.cls, e.text, e.context);
  }
}

void json_opt(JsonWriter& w, std::optional<double> x) {
  if (x)
    w.raw(fmt::format("{}", *x));
  else
    w.null();
}

void json_prf(JsonWriter& w, const eval::PRF& p) {
  w.begin_object();
  w.key("gold").integer(static_cast<int64_t>(p.gold));
  w.key("tp").integer(static_cast<int64_t>(p.tp));
  w.key("fp").integer(static_cast<int64_t>(p.fp));
  w.key("fn").integer(static_cast<int64_t>(p.fn));
  w.key("precision");
  json_opt(w, p.precision());
  w.key("recall");
  json_opt(w, p.recall());
  w.key("f1");
  json_opt(w, p.f1());
  w.end_object();
}

std::optional<double> ratio(size_t num, size_t den) {
  if (!den) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

std::string results_json(const Results& r, const Parsed& cl) {
  const eval::EvalTotals& t = r.totals;
  JsonWriter w;
  auto integer = [&](const char* k, size_t v) { w.key(k).integer(static_cast<int64_t>(v)); };
  w.begin_object();
  w.key("scoring").string("insertions");
  w.key("damage").begin_array().string(eval::damage_mode_name(cl.damage)).end_array();
  w.key("stages").begin_array();
  for (const auto& s : cl.stages) w.string(s);
  w.end_array();
  w.key("apply_threshold").raw(fmt::format("{}", cl.settings.policy.apply_threshold));
  integer("docs", t.docs);
  integer("docs_failed", t.docs_failed);
  integer("docs_unreadable", r.docs_skipped);
  integer("docs_unchanged_output", t.docs_unchanged_output);
  integer("input_chars", t.input_chars);
  integer("gold_chars", t.gold_chars);
  integer("docs_exact", t.docs_exact);
  w.key("docs_exact_fraction");
  json_opt(w, ratio(t.docs_exact, t.docs));
  integer("docs_exact_folded", t.docs_exact_folded);
  integer("docs_improved", t.docs_improved);
  integer("docs_worse", t.docs_worse);
  w.key("cer_before");
  json_opt(w, ratio(t.dist_before, t.gold_chars));
  w.key("cer_after");
  json_opt(w, ratio(t.dist_after, t.gold_chars));
  w.key("cer_after_folded");
  json_opt(w, ratio(t.dist_after_folded, t.gold_chars));
  integer("coarse_regions", r.coarse_regions);
  for (const char* view : {"exact", "folded"}) {
    const eval::Counts& c = std::string(view) == "exact" ? t.exact : t.folded;
    w.key(view).begin_object();
    w.key("classes").begin_object();
    for (size_t k = 0; k < kNumClasses; ++k) {
      w.key(eval::class_name(static_cast<CharClass>(k)));
      json_prf(w, c.c[k]);
    }
    w.end_object();
    w.key("micro");
    json_prf(w, c.micro());
    w.key("micro_excl_space");
    json_prf(w, c.micro_excl_space());
    w.end_object();
  }
  const double per10k = t.input_chars ? 1e4 / static_cast<double>(t.input_chars) : 0.0;
  integer("collateral_chars", t.collateral);
  w.key("collateral_per_10k").raw(fmt::format("{}", static_cast<double>(t.collateral) * per10k));
  integer("collateral_style_chars", t.collateral_style);
  w.key("collateral_nonstyle_per_10k")
      .raw(fmt::format("{}", static_cast<double>(t.collateral - t.collateral_style) * per10k));
  integer("gold_noninsert_chars", t.gold_noninsert);
  w.key("calibration").begin_array();
  for (const auto& b : r.calibration.buckets()) {
    w.begin_object();
    w.key("lo").raw(fmt::format("{}", b.lo));
    w.key("hi").raw(fmt::format("{}", b.hi));
    integer("count", b.count);
    integer("applied", b.applied);
    integer("right", b.right);
    w.key("share_right");
    json_opt(w, ratio(b.right, b.count));
    w.key("mean_confidence");
    if (b.count)
      w.raw(fmt::format("{}", b.confidence_sum / static_cast<double>(b.count)));
    else
      w.null();
    w.end_object();
  }
  w.end_array();
  w.key("rules").begin_object();
  for (const auto& [rule, s] : r.rules) {
    w.key(rule).begin_object();
    integer("count", s.count);
    integer("right", s.right);
    integer("applied", s.applied);
    integer("applied_right", s.applied_right);
    w.end_object();
  }
  w.end_object();
  w.end_object();
  return w.take() + "\n";
}

}  // namespace

int run_eval_command(const std::vector<std::string>& args) {
  use_stderr_logger();
  try {
    Parsed cl = parse(args);
    if (cl.exit_now) return kExitOk;
    const Pipeline pipeline = Pipeline::build(cl.stages, cl.settings);
    ReaderOptions ro;
    ro.format = cl.format;
    ro.text_field = cl.opt.text_field;
    ro.id_field = cl.opt.id_field;
    ro.max_document_bytes = cl.opt.max_document_bytes;
    DocumentReader reader(expand_inputs(cl.opt.inputs), ro);
    Results r;
    eval::EvalAligner aligner;
    Document doc;
    while (reader.next(doc)) {
      if (doc.error) {
        ++r.docs_skipped;
        spdlog::error("{}: cannot read the clean text: {} ({})", doc.id, doc.error->message,
                      doc.error->code);
        continue;
      }
      if (size_t bad = find_invalid_utf8(doc.original); bad != std::string::npos) {
        ++r.docs_skipped;
        spdlog::error("{}: the clean text is not valid UTF-8 (byte {})", doc.id, bad);
        continue;
      }
      const std::string clean = std::move(doc.original);
      const eval::Damaged d = eval::damage(cl.damage, clean);
      doc.original = d.text;
      if (d.text.empty()) {
        doc.text.clear();  // nothing left to restore (the pipeline would call it an error)
      } else {
        pipeline.run(doc);
      }
      if (doc.error)
        spdlog::error("{}: {} ({}); scored as returned unchanged", doc.id, doc.error->message,
                      doc.error->code);
      score_one(doc, clean, d, cl, aligner, r);
    }
    r.coarse_regions = aligner.coarse_regions();
    print_table(std::cout, r, cl);
    if (!cl.opt.json_file.empty()) {
      AtomicFile f(cl.opt.json_file);
      f.write(results_json(r, cl));
      f.commit();
    }
    if (r.totals.docs == 0) {
      spdlog::error("no document to score");
      return kExitError;
    }
    return r.docs_skipped || r.totals.docs_failed ? kExitError : kExitOk;
  } catch (const UsageError& e) {
    std::cerr << "copydesk: error: " << e.what() << "\n";
    return kExitError;
  } catch (const ConfigError& e) {
    std::cerr << "copydesk: error: " << e.what() << "\n";
    return kExitError;
  } catch (const OutputError& e) {
    std::cerr << "copydesk: error: " << e.what() << "\n";
    return kExitError;
  }
}

}  // namespace copydesk
