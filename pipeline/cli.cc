#include "pipeline/cli.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "pipeline/atomic_file.h"
#include "pipeline/config_files.h"
#include "pipeline/engine.h"
#include "pipeline/eval_command.h"
#include "pipeline/exit_status.h"
#include "pipeline/explain_command.h"
#include "pipeline/json_writer.h"
#include "pipeline/logging.h"
#include "pipeline/merge_reports.h"
#include "pipeline/path_glob.h"
#include "pipeline/reader.h"
#include "pipeline/record.h"
#include "pipeline/report.h"
#include "pipeline/review.h"
#include "pipeline/runner.h"
#include "pipeline/shard.h"
#include "pipeline/signals.h"
#include "pipeline/stage_registry.h"
#include "pipeline/stage_settings.h"
#include "pipeline/suppress.h"
#include "pipeline/train_command.h"
#include "pipeline/unified_diff.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace copydesk {
namespace {

// Standard output that remembers its first write error (a full disk, a closed
// pipe): results are never silently short. check_stdout() throws it at the end.
class StdoutSink {
 public:
  void write(std::string_view s) {
    if (failed_ || s.empty()) return;
    if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size()) failed_ = true, errno_ = errno;
  }
  void check() {
    if (!failed_ && (std::fflush(stdout) != 0 || std::ferror(stdout)))
      failed_ = true, errno_ = errno;
    if (failed_)
      throw OutputError(std::string("cannot write standard output: ") + std::strerror(errno_));
  }

 private:
  bool failed_ = false;
  int errno_ = 0;
};

// Everything as read from flags and config files, before validation.
struct RawOptions {
  std::string command;
  std::vector<std::string> inputs;
  std::string config_file;
  std::string data_dir;
  std::string stages;
  std::string log_level;
  bool quiet = false;
  bool progress = false;     // --progress: force the progress line
  bool no_progress = false;  // --no-progress
  double apply_threshold = 0.9;
  double review_threshold = 0.5;
  size_t max_document_bytes = 32u << 20;
  size_t threads = 0;
  std::string encoding;
  std::string punctuation;
  std::vector<std::string> sets;
  std::string input_format;
  std::string text_field;
  std::string id_field;
  std::string format;
  std::string output_dir;
  std::string fail_on;
  bool keep_footer = false;
  std::string report_edits_from;
  std::string shard;
  bool shard_from_env = false;
  size_t shard_count = 0;
  std::string inputs_from;
  bool force = false;
  std::string findings_file;
  std::string stats_file;
  bool backup = false;
  bool diff = false;
  std::string allowlist;
  std::string baseline;
  std::string write_baseline;
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

po::options_description general_options(RawOptions& raw) {
  po::options_description d("General");
  d.add_options()("help,h", "show this help and exit")("version", "print the version and exit")(
      "list-stages", "list the stages in their default order and exit")(
      "config,c", po::value(&raw.config_file)->value_name("FILE"),
      "read options from this INI file (same names as the flags; [stage] sections set stage "
      "keys); without it, .copydesk.ini in this folder or the nearest one above is read")(
      "data-dir", po::value(&raw.data_dir)->value_name("DIR"),
      "folder with copydesk.ini and the data files (default: $COPYDESK_DATA_DIR, or the config/ "
      "folder installed with the binary)")(
      "log-level", po::value(&raw.log_level)->default_value("info")->value_name("LEVEL"),
      "stderr log level: trace, debug, info, warn, error, off")(
      "quiet,q", po::bool_switch(&raw.quiet), "log only warnings and errors")(
      "progress", po::bool_switch(&raw.progress),
      "show a progress line on stderr (documents, MB, MB/s, ETA, errors) even when stderr is "
      "not a terminal (then one plain line a second)")(
      "no-progress", po::bool_switch(&raw.no_progress),
      "never show the progress line (by default it shows when stderr is a terminal, unless "
      "--quiet or the results go to the same terminal)");
  return d;
}

po::options_description pipeline_options(RawOptions& raw) {
  po::options_description d("Pipeline");
  d.add_options()("stages", po::value(&raw.stages)->value_name("A,B,C"),
                  "stages to run, in this order (default from copydesk.ini; see --list-stages)")(
      "apply-threshold", po::value(&raw.apply_threshold)->value_name("P"),
      "apply an edit whose confidence is at least P (default 0.9); raising it trades recall "
      "for precision. copydesk.ini sets some rules' own thresholds ([restore] "
      "apostrophe.apply-threshold); given here, it replaces them all")(
      "review-threshold", po::value(&raw.review_threshold)->value_name("P"),
      "an edit with confidence in [review, apply) becomes a suggestion finding instead; below "
      "it is dropped (default 0.5); given here, it also replaces the config files' per-stage "
      "and per-rule review thresholds")(
      "max-document-bytes", po::value(&raw.max_document_bytes)->value_name("N"),
      "a larger document becomes an error record (default 33554432)")(
      "threads,j", po::value(&raw.threads)->value_name("N"),
      "worker threads (default 0: the CPUs this process may use, from SLURM_CPUS_PER_TASK or "
      "the affinity mask); output order is input order whatever N is")(
      "encoding", po::value(&raw.encoding)->value_name("NAME"),
      "input encoding for bytes that are not UTF-8: auto (ICU's detector picks a single-byte "
      "encoding, the default), utf-8 (invalid bytes become U+FFFD), or a name such as "
      "windows-1252 (same as --set decode.encoding=NAME)")(
      "punctuation", po::value(&raw.punctuation)->value_name("STYLE"),
      "what restore puts back: unicode (\u2019 \u201c \u201d \u2014 and no-break spaces, the "
      "default) or "
      "ascii (' \" -- and plain spaces); same as --set restore.punctuation=STYLE")(
      "set", po::value(&raw.sets)->composing()->value_name("STAGE.KEY=VALUE"),
      "set a stage key, e.g. --set normalise.collapse-spaces=true (repeatable)");
  return d;
}

po::options_description input_options(RawOptions& raw) {
  po::options_description d("Input");
  d.add_options()(
      "input-format", po::value(&raw.input_format)->default_value("auto")->value_name("FMT"),
      "text (one document per file), jsonl (one JSON object per line), or auto: jsonl for "
      ".jsonl/.ndjson (.gz too), text otherwise")(
      "text-field", po::value(&raw.text_field)->default_value("text")->value_name("F"),
      "JSON Lines field that holds the document text")(
      "id-field", po::value(&raw.id_field)->default_value("id")->value_name("F"),
      "JSON Lines field that holds the document id (default id; else FILE:LINE)");
  return d;
}

po::options_description output_options(RawOptions& raw, const std::string& command) {
  po::options_description d("Output");
  if (command == "fix") {
    d.add_options()("diff", po::bool_switch(&raw.diff),
                    "print a unified diff of the fixes instead of writing")(
        "backup", po::bool_switch(&raw.backup), "keep the original as FILE.orig");
    return d;
  }
  if (command == "check") {
    d.add_options()(
        "format", po::value(&raw.format)->default_value("auto")->value_name("FMT"),
        "line: 'path:line:col: severity rule: message'; pretty: the same in colour with the "
        "source line (the default on a terminal; NO_COLOR turns colour off); json: one object "
        "per document; sarif: SARIF 2.1.0; github: GitHub Actions annotations; gitlab: GitLab "
        "Code Quality JSON")(
        "fail-on", po::value(&raw.fail_on)->default_value("warning")->value_name("LEVEL"),
        "exit 1 when a finding is at or above LEVEL: suggestion, warning, error, never")(
        "report-edits-from",
        po::value(&raw.report_edits_from)->default_value("restore")->value_name("A,B"),
        "stages whose changes are reported as suggestion findings (check changes nothing)")(
        "allowlist", po::value(&raw.allowlist)->value_name("FILE"),
        "terms used on purpose, one per line: findings on exactly these words are not reported")(
        "baseline", po::value(&raw.baseline)->value_name("FILE"),
        "report only findings that are not in this baseline (see --write-baseline)")(
        "write-baseline", po::value(&raw.write_baseline)->value_name("FILE"),
        "record every current finding in FILE by fingerprint (rule, document, nearby text), "
        "so that a later --baseline FILE reports only new ones");
  } else {
    d.add_options()(
        "format", po::value(&raw.format)->default_value("auto")->value_name("FMT"),
        "text: the cleaned body; jsonl: one record per document (README: Output schema); "
        "auto: jsonl for JSON Lines input, text otherwise")(
        "output-dir,o", po::value(&raw.output_dir)->value_name("DIR"),
        "write per-input files here instead of stdout: NAME.txt, NAME.footer.txt and "
        "NAME.findings.jsonl (text), or NAME.jsonl (jsonl)")(
        "keep-footer", po::bool_switch(&raw.keep_footer),
        "keep the footer in the cleaned text (it is still reported)")(
        "findings", po::value(&raw.findings_file)->value_name("FILE"),
        "also write every finding to FILE as JSON Lines (id, input, record, finding)")(
        "stats", po::value(&raw.stats_file)->value_name("FILE"),
        "write the run's statistics as JSON: documents, edits and time per stage, findings per "
        "rule, footers per family")(
        "shard", po::value(&raw.shard)->value_name("K/N"),
        "process shard K of N: input i of the byte-sorted listing (or of --inputs-from) when "
        "i % N == K; needs --output-dir, writes reports/K.findings.jsonl, stats/K.json and, "
        "last, done/K.json; a rerun skips a shard whose manifest matches")(
        "shard-from-env", po::bool_switch(&raw.shard_from_env),
        "take K from SLURM_ARRAY_TASK_ID (N still from --shard-count)")(
        "shard-count", po::value(&raw.shard_count)->value_name("N"), "N for --shard-from-env")(
        "inputs-from", po::value(&raw.inputs_from)->value_name("FILE"),
        "read the input listing from FILE, one path per line, in that order")(
        "force", po::bool_switch(&raw.force), "redo a shard even if its manifest says done")(
        "fail-on", po::value(&raw.fail_on)->default_value("never")->value_name("LEVEL"),
        "exit 1 when a finding is at or above LEVEL: suggestion, warning, error, never");
  }
  return d;
}

void print_usage(std::ostream& os) {
  os << "copydesk " COPYDESK_VERSION
        ": clean and check scraped text\n\n"
        "Usage:\n"
        "  copydesk clean [OPTIONS] [FILE|DIR|-]...   clean documents, write text or JSON Lines\n"
        "  copydesk check [OPTIONS] [FILE|DIR|-]...   report findings, change nothing\n"
        "  copydesk fix [--diff] [--backup] FILE...   apply the edits to files in place\n"
        "  copydesk merge-reports DIR                 join the findings and statistics of shards\n"
        "  copydesk review RUN.jsonl -o review.html   an HTML page for editors from clean's JSON "
        "Lines\n"
        "  copydesk eval --damage MODE CLEAN...       damage clean text, restore it, score it\n"
        "  copydesk train [--out DIR] CLEAN...        build the restore model from clean prose\n"
        "  copydesk explain TEXT                      each character, its name, and what repair "
        "does\n"
        "  copydesk COMMAND --help                    options of a command\n"
        "  copydesk --list-stages | --version\n\n"
        "Inputs: text files (one document each), JSON Lines (.jsonl, one document per line),\n"
        "directories (recursive, sorted), - for standard input; .gz is read transparently.\n\n"
        "Exit status: 0 done (or shard skipped); 1 findings at or above --fail-on; 2 usage,\n"
        "configuration or input error (every document still gets an output record); 3 a\n"
        "retryable failure: an output could not be written, or a stop signal (SIGTERM/SIGINT).\n";
}

void list_stages(std::ostream& os) {
  for (const auto& s : all_stages()) os << s.name << "\t" << s.summary << "\n";
}

void setup_logging(const RawOptions& raw) {
  use_stderr_logger();
  auto level = spdlog::level::from_str(raw.log_level);
  if (raw.log_level != "off" && level == spdlog::level::off)
    throw UsageError("unknown --log-level '" + raw.log_level + "'");
  if (raw.quiet && level < spdlog::level::warn) level = spdlog::level::warn;
  spdlog::set_level(level);
}

// A per-path section of a config file ("[news/**]"): stages and stage keys
// for the files under it. The last matching section wins.
struct PathSection {
  std::string pattern;
  std::string base_dir;                       // folder of the config file
  std::map<std::string, std::string> values;  // "stages" and "stage.key"
};

struct ParsedCommandLine {
  RawOptions raw;
  PipelineSettings settings;
  std::vector<std::string> stages;
  std::vector<PathSection> path_sections;
  bool exit_now = false;
  int exit_code = kExitOk;
};

// True when `name` is an option of some command (a shared config file may
// set options that only some commands have, such as fail-on).
bool option_of_any_command(const std::string& name) {
  for (const char* command : {"clean", "check", "fix"}) {
    RawOptions scratch;
    if (output_options(scratch, command).find_nothrow(name, false)) return true;
  }
  return false;
}

// "news/**.flag-slips.doubled-word.severity": a key inside a per-path
// section. Splits it into the pattern and the key when the section name looks
// like a path pattern and the rest is "stages" or a known stage's key.
bool split_path_key(const std::string& key, std::string& pattern, std::string& rest) {
  for (size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', dot + 1)) {
    std::string p = key.substr(0, dot), r = key.substr(dot + 1);
    if (p.find_first_of("/*?") == std::string::npos) continue;
    size_t d2 = r.find('.');
    if (r == "stages" || (d2 != std::string::npos && find_stage(r.substr(0, d2)))) {
      pattern = p;
      rest = r;
      return true;
    }
  }
  return false;
}

// Collects "stage.key = value" options that Program_options did not know,
// and keys of per-path sections.
void collect_stage_settings(const po::parsed_options& parsed,
                            std::map<std::string, std::string>& into, const std::string& origin,
                            std::vector<PathSection>* sections = nullptr) {
  for (const auto& opt : parsed.options) {
    if (!opt.unregistered) continue;
    const std::string& key = opt.string_key;
    std::string pattern, rest;
    if (sections && split_path_key(key, pattern, rest)) {
      auto it = std::find_if(sections->begin(), sections->end(), [&](const PathSection& s) {
        return s.pattern == pattern && s.base_dir == fs::path(origin).parent_path().string();
      });
      if (it == sections->end()) {
        sections->push_back({pattern, fs::path(origin).parent_path().string(), {}});
        it = std::prev(sections->end());
      }
      it->values.emplace(rest, opt.value.empty() ? "" : opt.value.front());
      continue;
    }
    size_t dot = key.find('.');
    if (dot == std::string::npos && option_of_any_command(key))
      continue;  // another command's option
    if (dot == std::string::npos || !find_stage(key.substr(0, dot)))
      throw UsageError(origin + ": unknown option '" + key + "'");
    std::string value = opt.value.empty() ? "" : opt.value.front();
    into.emplace(key, value);  // first source wins, like Program_options
  }
}

ParsedCommandLine parse(int argc, char** argv, const std::string& command) {
  ParsedCommandLine out;
  RawOptions& raw = out.raw;
  raw.command = command;
  po::options_description visible;
  visible.add(general_options(raw))
      .add(pipeline_options(raw))
      .add(input_options(raw))
      .add(output_options(raw, command));
  po::options_description hidden;
  hidden.add_options()("input", po::value(&raw.inputs)->composing());
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description pos;
  pos.add("input", -1);

  po::variables_map vm;
  std::map<std::string, std::string> stage_values;
  try {
    auto parsed = po::command_line_parser(argc, argv).options(all).positional(pos).run();
    po::store(parsed, vm);
    if (vm.count("help")) {
      std::cout << "Usage: copydesk " << command << " [OPTIONS] [FILE|DIR|-]...\n\n" << visible;
      out.exit_now = true;
      return out;
    }
    if (vm.count("version") || vm.count("list-stages")) {
      if (vm.count("version")) std::cout << "copydesk " COPYDESK_VERSION "\n";
      if (vm.count("list-stages")) list_stages(std::cout);
      out.exit_now = true;
      return out;
    }
    // --set values are stage keys given on the command line: they win.
    if (vm.count("set")) {
      for (const auto& s : vm["set"].as<std::vector<std::string>>()) {
        size_t eq = s.find('=');
        size_t dot = s.find('.');
        if (eq == std::string::npos || dot == std::string::npos || dot > eq ||
            !find_stage(s.substr(0, dot)))
          throw UsageError("--set expects STAGE.KEY=VALUE with a known stage, got '" + s + "'");
        stage_values.emplace(s.substr(0, eq), s.substr(eq + 1));
      }
    }
    std::string data_dir =
        find_data_dir(vm.count("data-dir") ? vm["data-dir"].as<std::string>() : "");
    std::vector<std::string> config_files;
    if (vm.count("config")) {
      config_files.push_back(vm["config"].as<std::string>());
    } else if (auto found = discover_config(); !found.empty()) {
      config_files.push_back(found);
    }
    const std::string default_ini = data_dir + "/copydesk.ini";
    if (fs::exists(default_ini)) config_files.push_back(default_ini);
    // A threshold on the command line is the user's word for every edit: the
    // files' per-stage and per-rule thresholds give way (--set ones do not).
    const bool thresholds_given = vm.count("apply-threshold") || vm.count("review-threshold");
    for (const auto& file : config_files) {
      std::ifstream in(file);
      if (!in) throw UsageError("cannot read config file '" + file + "'");
      auto parsed_file = po::parse_config_file(in, all, /*allow_unregistered=*/true);
      po::store(parsed_file, vm);
      std::map<std::string, std::string> from_file;
      collect_stage_settings(parsed_file, from_file, file, &out.path_sections);
      for (auto& [k, v] : from_file)
        if (!(thresholds_given && is_threshold_key(k))) stage_values.emplace(k, v);
    }
    po::notify(vm);
    raw.data_dir = data_dir;
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }

  // Validate into settings.
  if (raw.apply_threshold < 0 || raw.apply_threshold > 1 || raw.review_threshold < 0 ||
      raw.review_threshold > raw.apply_threshold)
    throw UsageError("thresholds must satisfy 0 <= review-threshold <= apply-threshold <= 1");
  out.settings.data_dir = raw.data_dir;
  out.settings.policy = {raw.apply_threshold, raw.review_threshold};
  out.settings.max_document_bytes = raw.max_document_bytes;
  if (!raw.encoding.empty()) stage_values.insert_or_assign("decode.encoding", raw.encoding);
  if (!raw.punctuation.empty())
    stage_values.insert_or_assign("restore.punctuation", raw.punctuation);
  for (const auto& [k, v] : stage_values) set_stage_key(out.settings, k, v);
  out.stages = split_list(
      raw.stages.empty() ? "decode,repair,normalise,restore,split-footer,flag-slips" : raw.stages);
  if (out.stages.empty()) throw UsageError("--stages names no stage");
  for (const auto& s : out.stages)
    if (!find_stage(s)) {
      std::ostringstream known;
      list_stages(known);
      throw UsageError("unknown stage '" + s + "'; known stages:\n" + known.str());
    }
  if (raw.inputs.empty() && raw.inputs_from.empty()) {
    if (isatty(0)) throw UsageError("no input given (name files or directories, or - for stdin)");
    raw.inputs.push_back("-");
  }
  return out;
}

// The progress line: forced on or off, else shown when stderr is a terminal,
// not with --quiet, and not when results are printed on a terminal too.
ProgressMode progress_mode(const RawOptions& raw, bool results_on_stdout) {
  if (raw.progress && raw.no_progress)
    throw UsageError("--progress and --no-progress contradict each other");
  if (raw.progress) return ProgressMode::kAlways;
  if (raw.no_progress || raw.quiet || (results_on_stdout && isatty(1))) return ProgressMode::kNever;
  return ProgressMode::kAuto;
}

std::optional<Severity> parse_fail_on(const std::string& s) {
  if (s == "never") return std::nullopt;
  auto sev = parse_severity(s);
  if (!sev)
    throw UsageError("--fail-on expects suggestion, warning, error or never, got '" + s + "'");
  return sev;
}

// NAME for --output-dir: the input's relative path without .gz and its extension.
std::string output_stem(const std::string& relative) {
  std::string r = relative;
  if (r.size() > 3 && r.compare(r.size() - 3, 3, ".gz") == 0) r.resize(r.size() - 3);
  if (r.size() > 4 && r.compare(r.size() - 4, 4, ".zst") == 0) r.resize(r.size() - 4);
  fs::path p(r);
  if (p.has_extension()) p.replace_extension();
  return p.string();
}

struct RunTotals {
  size_t documents = 0;
  size_t failed = 0;
  size_t findings_at_fail_level = 0;
  std::vector<std::string> stage_order;            // first appearance
  std::map<std::string, StageCounters> per_stage;  // by stage name
};

void add_counters(RunTotals& t, const Pipeline& p, const std::vector<StageCounters>& c) {
  const auto names = p.stage_names();
  for (size_t i = 0; i < c.size() && i < names.size(); ++i) {
    auto [it, fresh] = t.per_stage.try_emplace(names[i]);
    if (fresh) t.stage_order.push_back(names[i]);
    StageCounters& into = it->second;
    into.edits_applied += c[i].edits_applied;
    into.edits_reviewed += c[i].edits_reviewed;
    into.edits_dropped += c[i].edits_dropped;
    into.edits_rejected += c[i].edits_rejected;
    into.findings += c[i].findings;
    into.seconds += c[i].seconds;
  }
}

void log_summary(const RunTotals& t) {
  spdlog::info("{} document(s), {} failed", t.documents, t.failed);
  for (const auto& name : t.stage_order) {
    const auto& c = t.per_stage.at(name);
    spdlog::info("  {}: {} edit(s) applied, {} as suggestions, {} dropped, {} finding(s)", name,
                 c.edits_applied, c.edits_reviewed, c.edits_dropped, c.findings);
  }
}

// The pipeline for each document: the default one, or the one of the last
// per-path config section that matches the document's file.
class PipelineSet {
 public:
  PipelineSet(const ParsedCommandLine& cl) : default_(Pipeline::build(cl.stages, cl.settings)) {
    for (const auto& sec : cl.path_sections) {
      PipelineSettings settings = cl.settings;
      std::vector<std::string> stages = cl.stages;
      for (const auto& [k, v] : sec.values) {
        if (k == "stages") {
          stages = split_list(v);
          for (const auto& st : stages)
            if (!find_stage(st))
              throw UsageError("[" + sec.pattern + "]: unknown stage '" + st + "'");
        } else {
          settings.values[k] = v;
        }
      }
      sections_.push_back({sec, Pipeline::build(stages, settings)});
    }
  }
  const Pipeline& for_document(const Document& doc) const {
    if (!doc.source_path.empty() && doc.source_path != "-")
      for (auto it = sections_.rbegin(); it != sections_.rend(); ++it)
        if (path_section_matches(it->first.pattern, it->first.base_dir, doc.source_path))
          return it->second;
    return default_;
  }
  const Pipeline& default_pipeline() const { return default_; }
  std::vector<RuleInfo> rules() const {
    std::vector<RuleInfo> r = default_.rules();
    for (const auto& s : sections_) {
      auto more = s.second.rules();
      r.insert(r.end(), more.begin(), more.end());
    }
    return r;
  }
  PipelineChooser chooser() const {
    return [this](const Document& d) -> const Pipeline& { return for_document(d); };
  }

 private:
  Pipeline default_;
  std::vector<std::pair<PathSection, Pipeline>> sections_;
};

void note_document(const Document& doc, RunTotals& totals, std::optional<Severity> fail_on,
                   const std::vector<MappedFinding>& findings) {
  ++totals.documents;
  if (doc.error) {
    ++totals.failed;
    spdlog::error("{}: {} ({})", doc.id, doc.error->message, doc.error->code);
  }
  if (fail_on)
    for (const auto& f : findings)
      if (f.finding.severity >= *fail_on) ++totals.findings_at_fail_level;
}

int exit_status(const RunTotals& t) {
  if (t.failed > 0) return kExitError;
  if (t.findings_at_fail_level > 0) return kExitFindings;
  return kExitOk;
}

// Findings and statistics that add up across shards (merge-reports sums them).
struct RunReport {
  std::map<std::string, size_t> findings_per_rule;
  std::map<std::string, size_t> footers_per_family;
  size_t edits = 0;

  void add(const Document& doc) {
    for (const auto& f : doc.findings) ++findings_per_rule[f.finding.rule];
    edits += doc.edits.size();
    if (auto footer = find_footer(doc)) {
      std::string family;
      for (const auto& [k, v] : footer->footer->region.attributes)
        if (k == "family") family = v;
      ++footers_per_family[family.empty() ? "unknown" : family];
    }
  }
};

std::string stats_json(const RunTotals& t, const RunReport& r) {
  JsonWriter w;
  w.begin_object();
  w.key("documents").integer(static_cast<int64_t>(t.documents));
  w.key("failed").integer(static_cast<int64_t>(t.failed));
  w.key("edits").integer(static_cast<int64_t>(r.edits));
  w.key("stages").begin_object();
  for (const auto& name : t.stage_order) {
    const auto& c = t.per_stage.at(name);
    w.key(name)
        .begin_object()
        .key("edits_applied")
        .integer(static_cast<int64_t>(c.edits_applied))
        .key("edits_reviewed")
        .integer(static_cast<int64_t>(c.edits_reviewed))
        .key("edits_dropped")
        .integer(static_cast<int64_t>(c.edits_dropped))
        .key("edits_rejected")
        .integer(static_cast<int64_t>(c.edits_rejected))
        .key("findings")
        .integer(static_cast<int64_t>(c.findings))
        .key("seconds")
        .number(c.seconds)
        .end_object();
  }
  w.end_object();
  w.key("findings_per_rule").begin_object();
  for (const auto& [k, v] : r.findings_per_rule) w.key(k).integer(static_cast<int64_t>(v));
  w.end_object();
  w.key("footers_per_family").begin_object();
  for (const auto& [k, v] : r.footers_per_family) w.key(k).integer(static_cast<int64_t>(v));
  w.end_object();
  w.end_object();
  return w.take() + "\n";
}

// One findings-report line: enough to merge shards back into input order.
// The shard is the file's name (reports/KKKKK.findings.jsonl), not a field,
// so merged reports do not depend on the shard count.
std::string report_line(const Document& doc, const MappedFinding& f) {
  std::string s = "{\"id\":";
  append_json_string(s, doc.id);
  s += ",\"input\":" + std::to_string(doc.input_index) +
       ",\"record\":" + std::to_string(doc.record_index) + ",\"source\":";
  append_json_string(s, doc.source_name);
  s += ",\"finding\":" + finding_json(doc, f) + "}\n";
  return s;
}

std::vector<std::string> config_parts(const ParsedCommandLine& cl) {
  const RawOptions& raw = cl.raw;
  std::vector<std::string> parts = {"copydesk " COPYDESK_VERSION};
  for (const auto& s : cl.stages) parts.push_back("stage=" + s);
  parts.push_back("apply=" + std::to_string(cl.settings.policy.apply_threshold));
  parts.push_back("review=" + std::to_string(cl.settings.policy.review_threshold));
  for (const auto& [k, v] : cl.settings.values) parts.push_back(k + "=" + v);
  for (const auto& [k, v] : cl.settings.stage_policy)
    parts.push_back(k + ".policy=" + std::to_string(v.apply_threshold) + "/" +
                    std::to_string(v.review_threshold));
  for (const auto& [k, v] : cl.settings.rule_policy)
    parts.push_back(k +
                    ".policy=" + (v.apply_threshold ? std::to_string(*v.apply_threshold) : "-") +
                    "/" + (v.review_threshold ? std::to_string(*v.review_threshold) : "-"));
  for (const auto& v : {raw.input_format, raw.text_field, raw.id_field, raw.format,
                        std::string(raw.keep_footer ? "keep-footer" : "cut-footer"),
                        std::to_string(raw.max_document_bytes)})
    parts.push_back(v);
  return parts;
}

std::vector<std::string> read_listing(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read --inputs-from '" + path + "'");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

int run_clean(const ParsedCommandLine& cl) {
  const RawOptions& raw = cl.raw;
  const auto fail_on = parse_fail_on(raw.fail_on);
  ReaderOptions ro;
  ro.format = parse_input_format(raw.input_format);
  ro.text_field = raw.text_field;
  ro.id_field = raw.id_field;
  ro.max_document_bytes = raw.max_document_bytes;
  ro.stop = &stop_flag();

  // The listing: given order, or (for shards) byte-wise sorted, or a manifest file.
  std::optional<ShardSpec> shard;
  if (!raw.shard.empty() || raw.shard_from_env) {
    std::string spec = raw.shard;
    if (raw.shard_from_env) {
      const char* k = std::getenv("SLURM_ARRAY_TASK_ID");
      if (!k || !*k) throw UsageError("--shard-from-env: SLURM_ARRAY_TASK_ID is not set");
      if (raw.shard_count == 0) throw UsageError("--shard-from-env needs --shard-count N");
      spec = std::string(k) + "/" + std::to_string(raw.shard_count);
    }
    std::string err;
    shard = parse_shard(spec, err);
    if (!shard) throw UsageError(err);
    if (raw.output_dir.empty())
      throw UsageError("--shard needs --output-dir (for outputs and the done/ manifest)");
  }
  std::vector<InputFile> files;
  if (!raw.inputs_from.empty()) {
    files = expand_inputs(read_listing(raw.inputs_from));
  } else {
    files = expand_inputs(raw.inputs);
    if (shard) {
      std::sort(files.begin(), files.end(),
                [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
      for (size_t i = 0; i < files.size(); ++i) files[i].index = i;
    }
  }
  if (shard) files = select_shard(files, *shard);

  bool jsonl = raw.format == "jsonl";
  if (raw.format == "auto") {
    jsonl = ro.format == InputFormat::kJsonl;
    if (ro.format == InputFormat::kAuto) {
      jsonl = !files.empty();
      for (const auto& f : files) jsonl &= format_for(f.path, ro.format) == InputFormat::kJsonl;
    }
  } else if (raw.format != "text" && raw.format != "jsonl") {
    throw UsageError("--format expects text, jsonl or auto, got '" + raw.format + "'");
  }

  const PipelineSet pipelines(cl);
  const std::string out_dir = raw.output_dir;
  std::string manifest_path, hash;
  if (shard) {
    manifest_path = out_dir + "/done/" + shard_name(shard->index) + ".json";
    hash = config_hash(config_parts(cl), cl.settings.data_dir);
    if (auto m = read_manifest(manifest_path); m && !raw.force) {
      std::vector<std::string> inputs;
      for (const auto& f : files) inputs.push_back(f.path);
      if (m->config_hash != hash)
        throw UsageError("shard " + std::to_string(shard->index) + "/" +
                         std::to_string(shard->count) + " was done with another configuration (" +
                         manifest_path + "); use --force to redo it");
      if (m->inputs != inputs || m->shard.count != shard->count)
        throw UsageError("shard " + std::to_string(shard->index) + " was done with other inputs (" +
                         manifest_path + "); use --force to redo it");
      spdlog::info("shard {}/{}: skipped, already done ({})", shard->index, shard->count,
                   manifest_path);
      return kExitOk;
    }
  }

  RecordOptions rec;
  rec.keep_footer = raw.keep_footer;
  RunTotals totals;
  RunReport report;
  Manifest manifest;
  // Outputs of the input file being written (--output-dir), and the shard's report.
  std::string current;
  std::unique_ptr<AtomicFile> body_file, footer_file, findings_file, jsonl_file;
  std::unique_ptr<AtomicFile> report_file;
  if (shard)
    report_file = std::make_unique<AtomicFile>(out_dir + "/reports/" + shard_name(shard->index) +
                                               ".findings.jsonl");
  else if (!raw.findings_file.empty())
    report_file = std::make_unique<AtomicFile>(raw.findings_file);

  auto commit = [&](std::unique_ptr<AtomicFile>& f) {
    if (!f) return;
    f->commit();
    std::string rel = fs::relative(f->path(), out_dir.empty() ? "." : out_dir).string();
    manifest.outputs.push_back({rel, f->records(), f->bytes(), f->sha256()});
    f.reset();
  };
  auto finish_file = [&]() {
    commit(jsonl_file);
    commit(body_file);
    commit(footer_file);
    commit(findings_file);
  };
  auto open_file = [&](const Document& doc) {
    const std::string base = out_dir + "/" + output_stem(doc.source_name);
    if (jsonl) {
      // Compressed inputs give outputs compressed the same way.
      const std::string& name = doc.source_name;
      auto has = [&](std::string_view ext) {
        return name.size() > ext.size() &&
               name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
      };
      jsonl_file = std::make_unique<AtomicFile>(base + ".jsonl" +
                                                (has(".gz")    ? ".gz"
                                                 : has(".zst") ? ".zst"
                                                               : ""));
    } else {
      body_file = std::make_unique<AtomicFile>(base + ".txt");
      footer_file = std::make_unique<AtomicFile>(base + ".footer.txt");
      findings_file = std::make_unique<AtomicFile>(base + ".findings.jsonl");
    }
  };

  DocumentReader reader(files, ro);
  StdoutSink out;
  std::string key_of_current;
  run_engine(reader, pipelines.chooser(),
             {.threads = raw.threads, .progress = progress_mode(raw, out_dir.empty())},
             [&](Document& doc, const std::vector<StageCounters>& counters) {
               add_counters(totals, pipelines.for_document(doc), counters);
               note_document(doc, totals, fail_on, doc.findings);
               report.add(doc);
               const std::string key = std::to_string(doc.input_index) + "\n" + doc.source_name;
               if (!out_dir.empty() && key != key_of_current) {
                 finish_file();
                 key_of_current = key;
                 open_file(doc);
               }
               if (report_file)
                 for (const auto& f : doc.findings) report_file->write(report_line(doc, f));
               if (jsonl) {
                 std::string line = record_json(doc, rec);
                 line += '\n';
                 if (out_dir.empty())
                   out.write(line);
                 else
                   jsonl_file->write(line);
                 return;
               }
               std::string_view body = output_text(doc, rec);
               if (out_dir.empty()) {
                 out.write(body);
                 return;
               }
               body_file->write(body);
               footer_file->write(footer_text(doc));
               std::string lines;
               for (const auto& f : doc.findings) {
                 lines += "{\"id\":";
                 append_json_string(lines, doc.id);
                 lines += ",\"finding\":" + finding_json(doc, f) + "}\n";
               }
               if (doc.error) {
                 JsonWriter w;
                 w.begin_object().key("id").string(doc.id).key("error");
                 write_error_json(w, doc.error);
                 w.end_object();
                 lines += w.str() + "\n";
               }
               findings_file->write(lines);
             });
  if (!stop_flag().load()) out.check();
  if (stop_flag().load()) {
    // Abandon: the AtomicFiles' destructors remove their temporaries; no manifest.
    spdlog::error("interrupted by signal {}; temporary files removed, no manifest written",
                  stop_signal());
    return kExitRetryable;
  }
  finish_file();
  if (report_file) commit(report_file);
  const std::string stats = stats_json(totals, report);
  std::string stats_path =
      shard ? out_dir + "/stats/" + shard_name(shard->index) + ".json" : raw.stats_file;
  if (!stats_path.empty()) {
    AtomicFile f(stats_path);
    f.write(stats);
    f.commit();
  }
  if (shard) {
    manifest.shard = *shard;
    manifest.version = COPYDESK_VERSION;
    manifest.config_hash = hash;
    for (const auto& f : files) manifest.inputs.push_back(f.path);
    manifest.documents = totals.documents;
    manifest.failed = totals.failed;
    AtomicFile m(manifest_path);
    m.write(manifest_json(manifest));
    m.commit();
    spdlog::info("shard {}/{}: done, manifest {}", shard->index, shard->count, manifest_path);
  }
  log_summary(totals);
  for (const auto& [family, n] : report.footers_per_family)
    spdlog::info("  footers {}: {}", family, n);
  return exit_status(totals);
}

int run_check(const ParsedCommandLine& cl) {
  const RawOptions& raw = cl.raw;
  const auto fail_on = parse_fail_on(raw.fail_on);
  const bool tty = isatty(1);
  const char* no_colour = std::getenv("NO_COLOR");
  const bool colour = tty && !(no_colour && *no_colour);
  std::string format_name = raw.format == "auto" ? (tty ? "pretty" : "line") : raw.format;
  auto format = parse_report_format(format_name);
  if (!format)
    throw UsageError("--format expects line, pretty, json, sarif, github or gitlab, got '" +
                     raw.format + "'");
  ReaderOptions ro;
  ro.format = parse_input_format(raw.input_format);
  ro.text_field = raw.text_field;
  ro.id_field = raw.id_field;
  ro.max_document_bytes = raw.max_document_bytes;
  ro.detect_markup = true;
  const PipelineSet pipelines(cl);
  const auto edit_stages = split_list(raw.report_edits_from);
  DocumentReader reader(expand_inputs(raw.inputs), ro);
  RunTotals totals;
  Suppressions suppressions;
  if (!raw.allowlist.empty()) suppressions.load_allowlist(raw.allowlist);
  if (!raw.baseline.empty()) suppressions.load_baseline(raw.baseline);
  BaselineWriter baseline_out;
  size_t suppressed = 0;
  auto reporter = make_reporter(*format, std::cout, pipelines.rules(), colour);
  run_engine(reader, pipelines.chooser(),
             {.threads = raw.threads, .progress = progress_mode(raw, true)},
             [&](Document& doc, const std::vector<StageCounters>& counters) {
               add_counters(totals, pipelines.for_document(doc), counters);
               auto findings = reportable_findings(doc, edit_stages);
               suppressed += suppressions.filter(doc, findings);
               if (!raw.write_baseline.empty()) baseline_out.add(doc, findings);
               note_document(doc, totals, fail_on, findings);
               reporter->document(doc, findings);
             });
  reporter->finish();
  if (!raw.write_baseline.empty()) baseline_out.write(raw.write_baseline);
  if (suppressed)
    spdlog::info("{} finding(s) suppressed (allowlist, inline ignores, baseline)", suppressed);
  std::cout.flush();
  if (!std::cout) throw OutputError("cannot write standard output");
  log_summary(totals);
  return exit_status(totals);
}

// Replays the applied edits, stage by stage, on `text`. For a plain document
// this gives doc.text; for Markdown or HTML it fixes the real file, whose
// hidden parts the stages never saw (same offsets, see markup.h).
std::string replay_edits(const std::string& text, const std::vector<AppliedEdit>& edits) {
  std::string cur = text;
  size_t i = 0;
  while (i < edits.size()) {
    size_t j = i;
    while (j < edits.size() && edits[j].version == edits[i].version) ++j;
    std::string next;
    size_t pos = 0;
    for (size_t k = i; k < j; ++k) {
      next.append(cur, pos, edits[k].in.begin - pos);
      next += edits[k].after;
      pos = edits[k].in.end;
    }
    next.append(cur, pos, std::string::npos);
    cur = std::move(next);
    i = j;
  }
  return cur;
}

int run_fix(const ParsedCommandLine& cl) {
  const RawOptions& raw = cl.raw;
  ReaderOptions ro;
  ro.format = InputFormat::kText;
  ro.max_document_bytes = raw.max_document_bytes;
  ro.detect_markup = true;
  auto files = expand_inputs(raw.inputs);
  for (const auto& f : files)
    if (f.path == "-") throw UsageError("fix works on files, not standard input (use clean)");
  // Stages that only report (split-footer, flag-slips) change nothing here.
  const PipelineSet pipelines(cl);
  DocumentReader reader(files, ro);
  RunTotals totals;
  StdoutSink diff_out;
  size_t changed = 0;
  run_engine(reader, pipelines.chooser(),
             {.threads = raw.threads, .progress = progress_mode(raw, raw.diff)},
             [&](Document& doc, const std::vector<StageCounters>& counters) {
               add_counters(totals, pipelines.for_document(doc), counters);
               note_document(doc, totals, std::nullopt, {});
               if (doc.error || doc.edits.empty()) return;
               const std::string fixed = replay_edits(doc.original, doc.edits);
               if (fixed == doc.original) return;
               ++changed;
               if (raw.diff) {
                 std::string d = unified_diff(doc.original, fixed, "a/" + doc.source_path,
                                              "b/" + doc.source_path);
                 diff_out.write(d);
                 return;
               }
               fs::path path(doc.source_path);
               std::error_code ec;
               auto perms = fs::status(path, ec).permissions();
               if (raw.backup) {
                 fs::copy_file(path, fs::path(doc.source_path + ".orig"),
                               fs::copy_options::overwrite_existing, ec);
                 if (ec)
                   throw std::runtime_error("cannot write backup '" + doc.source_path +
                                            ".orig': " + ec.message());
               }
               AtomicFile out(path.string());
               out.write(fixed);
               out.commit();
               fs::permissions(path, perms, ec);
               spdlog::info("fixed {} ({} edit(s))", doc.source_path, doc.edits.size());
             });
  diff_out.check();
  spdlog::info("{} file(s) {}", changed, raw.diff ? "would change" : "changed");
  log_summary(totals);
  return exit_status(totals);
}

}  // namespace

int run_cli(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command.empty() || command == "--help" || command == "-h" || command == "help") {
      print_usage(command.empty() ? std::cerr : std::cout);
      return command.empty() ? kExitError : kExitOk;
    }
    if (command == "--version") {
      std::cout << "copydesk " COPYDESK_VERSION "\n";
      return kExitOk;
    }
    if (command == "--list-stages") {
      list_stages(std::cout);
      return kExitOk;
    }
    if (command == "explain")
      return run_explain_command(std::vector<std::string>(argv + 2, argv + argc));
    if (command == "eval") return run_eval_command(std::vector<std::string>(argv + 2, argv + argc));
    if (command == "train")
      return run_train_command(std::vector<std::string>(argv + 2, argv + argc));
    if (command == "review")
      return run_review_command(std::vector<std::string>(argv + 2, argv + argc));
    if (command == "merge-reports")
      return run_merge_reports(std::vector<std::string>(argv + 2, argv + argc));
    if (command != "clean" && command != "check" && command != "fix")
      throw UsageError("unknown command '" + command + "' (try copydesk --help)");
    ParsedCommandLine cl = parse(argc - 1, argv + 1, command);
    if (cl.exit_now) return cl.exit_code;
    setup_logging(cl.raw);
    install_stop_handlers();
    if (cl.raw.command == "clean") return run_clean(cl);
    if (cl.raw.command == "fix") return run_fix(cl);
    return run_check(cl);
  } catch (const UsageError& e) {
    std::cerr << "copydesk: error: " << e.what() << "\n";
    return kExitError;
  } catch (const ConfigError& e) {
    std::cerr << "copydesk: configuration error: " << e.what() << "\n";
    return kExitError;
  } catch (const OutputError& e) {
    std::cerr << "copydesk: output error (retryable): " << e.what() << "\n";
    return kExitRetryable;
  } catch (const std::exception& e) {
    std::cerr << "copydesk: error: " << e.what() << "\n";
    return kExitError;
  }
}

}  // namespace copydesk
