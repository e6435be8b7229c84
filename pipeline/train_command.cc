#include "pipeline/train_command.h"

#include <simdjson.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "pipeline/atomic_file.h"
#include "pipeline/exit_status.h"
#include "pipeline/json_writer.h"
#include "pipeline/logging.h"
#include "pipeline/reader.h"
#include "pipeline/stage.h"
#include "pipeline/utf8.h"
#include "stages/restore_accents.h"
#include "stages/restore_channel.h"
#include "stages/restore_context.h"
#include "stages/restore_labels.h"
#include "stages/restore_quotes.h"
#include "stages/restore_train.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace copydesk {
namespace {

struct TrainOptions {
  std::vector<std::string> inputs;
  std::string out = "restore-model";
  std::string text_field = "gold";
  std::string id_field = "id";
  std::string input_format = "auto";
  std::vector<std::string> shares;
  std::string holdout;
  std::vector<std::string> holdout_from;
  std::string from_tsv;
  bool tsv = false;
  std::vector<std::string> counters;  // empty: all
  std::string counters_list;
};

// Every counter `copydesk train` feeds, in one place: a new family of
// restore tables adds its counter here (name for --counters, factory).
struct CounterKind {
  const char* name;
  std::unique_ptr<restore::Counter> (*make)(const TrainOptions&);
};
const CounterKind kCounters[] = {
    {"restore",
     [](const TrainOptions& o) { return restore::make_restore_counter({o.tsv}); }},  // model.bin
    {"quotes", [](const TrainOptions&) { return restore::make_quote_counter(); }},   // quotes.tsv
    {"accents", [](const TrainOptions&) { return make_accent_counter(); }},          // accents.tsv
    {"context",
     [](const TrainOptions&) { return restore::make_context_counter(); }},          // context2.tsv
    {"labels", [](const TrainOptions&) { return restore::make_label_counter(); }},  // labels2.tsv
};

std::vector<std::unique_ptr<restore::Counter>> train_counters(const TrainOptions& o) {
  std::vector<std::unique_ptr<restore::Counter>> c;
  for (const CounterKind& k : kCounters)
    if (o.counters.empty() ||
        std::find(o.counters.begin(), o.counters.end(), k.name) != o.counters.end())
      c.push_back(k.make(o));
  return c;
}

// SHA-1 (FIPS 180-4) of a byte string, as 40 lower-case hex digits: the
// hold-out rule hashes document ids with it.
std::string sha1_hex(std::string_view msg) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string m(msg);
  const uint64_t bits = static_cast<uint64_t>(msg.size()) * 8;
  m += static_cast<char>(0x80);
  while (m.size() % 64 != 56) m += '\0';
  for (int i = 7; i >= 0; --i) m += static_cast<char>((bits >> (8 * i)) & 0xFF);
  auto rol = [](uint32_t x, int k) { return (x << k) | (x >> (32 - k)); };
  for (size_t off = 0; off < m.size(); off += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i)
      w[i] = static_cast<uint32_t>(static_cast<unsigned char>(m[off + 4 * i])) << 24 |
             static_cast<uint32_t>(static_cast<unsigned char>(m[off + 4 * i + 1])) << 16 |
             static_cast<uint32_t>(static_cast<unsigned char>(m[off + 4 * i + 2])) << 8 |
             static_cast<uint32_t>(static_cast<unsigned char>(m[off + 4 * i + 3]));
    for (int i = 16; i < 80; ++i) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20)
        f = (b & c) | (~b & d), k = 0x5A827999;
      else if (i < 40)
        f = b ^ c ^ d, k = 0x6ED9EBA1;
      else if (i < 60)
        f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
      else
        f = b ^ c ^ d, k = 0xCA62C1D6;
      const uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d, d = c, c = rol(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (uint32_t v : h)
    for (int i = 28; i >= 0; i -= 4) out += kHex[(v >> i) & 15];
  return out;
}

bool held_out(const std::string& id) {
  return std::stoul(sha1_hex(id).substr(0, 8), nullptr, 16) % 20 == 0;
}

// The "source" member of a record's passthrough JSON, or "".
std::string source_of(const Document& doc) {
  if (doc.passthrough_json.empty()) return "";
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string json("{" + doc.passthrough_json + "}");
  simdjson::dom::element root;
  if (parser.parse(json).get(root)) return "";
  std::string_view sv;
  if (root["source"].get(sv)) return "";
  return std::string(sv);
}

std::string file_name(const InputFile& f) { return fs::path(f.path).filename().string(); }

// Reads every document of the inputs, calling fn(file index, doc); a
// document that cannot be read is an error (a training corpus must be whole).
template <class Fn>
void each_document(const std::vector<InputFile>& files, const TrainOptions& o, Fn&& fn) {
  ReaderOptions ro;
  ro.text_field = o.text_field;
  ro.id_field = o.id_field;
  ro.format = parse_input_format(o.input_format);
  DocumentReader reader(files, ro);
  Document doc;
  while (reader.next(doc)) {
    if (doc.error) {
      std::string where = doc.source_path;
      if (doc.source_line) where += ":" + std::to_string(doc.source_line);
      throw UsageError(where + ": " + doc.error->message + " (" + doc.error->code + ")");
    }
    if (doc.original.empty()) continue;
    fn(doc.input_index, doc);
  }
}

struct Parsed {
  TrainOptions opt;
  bool exit_now = false;
};

Parsed parse(const std::vector<std::string>& args) {
  Parsed out;
  TrainOptions& o = out.opt;
  po::options_description visible(
      "copydesk train [OPTIONS] INPUT...: build the restore model from clean prose\n\n"
      "Runs the deletion channel (every non-ASCII character and ' deleted) over the\n"
      "clean INPUT text and counts what was deleted where; writes OUT/model.bin\n"
      "(use it with: copydesk clean --set restore.data=/abs/path/OUT ...).\n"
      "INPUT: JSON Lines (.jsonl, .jsonl.gz, .ndjson), text files, directories.\n\n"
      "Options");
  // clang-format off
  visible.add_options()
      ("help,h", "show this help")
      ("out,o", po::value(&o.out)->value_name("DIR"), "write the model into DIR (default restore-model)")
      ("text-field", po::value(&o.text_field)->value_name("F"), "JSON Lines field with the clean text (default gold)")
      ("id-field", po::value(&o.id_field)->value_name("F"), "JSON Lines field with the document id (default id)")
      ("input-format", po::value(&o.input_format)->value_name("FMT"), "auto, jsonl or text (default auto)")
      ("share", po::value(&o.shares)->composing()->value_name("NAME=X"),
       "share of the counts for the input file NAME (repeatable); files without a share split the rest equally")
      ("holdout", po::value(&o.holdout)->value_name("FILE"),
       "leave every 20th document (by SHA-1 of its id) out of the counts and write it to FILE (JSON Lines)")
      ("holdout-from", po::value(&o.holdout_from)->composing()->value_name("PREFIX"),
       "hold out only from input files whose name starts with PREFIX (repeatable; default every file)")
      ("tsv", po::bool_switch(&o.tsv), "also write the restore tables as TSV files, for inspection")
      ("counters", po::value(&o.counters_list)->value_name("A,B"),
       "train only these counters: restore (model.bin), quotes (quotes.tsv), accents (accents.tsv), "
       "context (context2.tsv), labels (labels2.tsv); default all")
      ("from-tsv", po::value(&o.from_tsv)->value_name("DIR"),
       "build model.bin from the TSV tables in DIR instead of counting (no INPUT)");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("input", po::value(&o.inputs)->composing());
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description pos;
  pos.add("input", -1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << visible;
      out.exit_now = true;
      return out;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  for (size_t start = 0; start < o.counters_list.size();) {
    size_t comma = o.counters_list.find(',', start);
    if (comma == std::string::npos) comma = o.counters_list.size();
    std::string name = o.counters_list.substr(start, comma - start);
    if (std::none_of(std::begin(kCounters), std::end(kCounters),
                     [&](const CounterKind& k) { return name == k.name; }))
      throw UsageError("--counters: unknown counter '" + name +
                       "' (restore, quotes, accents, context, labels)");
    o.counters.push_back(name);
    start = comma + 1;
  }
  if (o.from_tsv.empty() && o.inputs.empty())
    throw UsageError("no INPUT given (try copydesk train --help)");
  if (!o.from_tsv.empty() && !o.inputs.empty()) throw UsageError("--from-tsv takes no INPUT");
  for (const auto& in : o.inputs)
    if (in == "-") throw UsageError("train reads its inputs twice: give files, not standard input");
  parse_input_format(o.input_format);  // throws on a bad value before any work
  return out;
}

// Weight per input file: share / chars of the file * chars of all files.
std::vector<double> file_weights(const std::vector<InputFile>& files,
                                 const std::vector<uint64_t>& chars, const TrainOptions& o) {
  std::map<std::string, double> named;
  for (const auto& s : o.shares) {
    size_t eq = s.rfind('=');
    double v = -1;
    try {
      if (eq != std::string::npos) v = std::stod(s.substr(eq + 1));
    } catch (const std::exception&) {
    }
    if (eq == std::string::npos || eq == 0 || !(v > 0))
      throw UsageError("--share expects NAME=X with X > 0, got '" + s + "'");
    named[s.substr(0, eq)] = v;
  }
  std::vector<double> share(files.size(), -1);
  std::map<std::string, bool> used;
  double named_sum = 0;
  size_t unnamed = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    for (const std::string& name : {file_name(files[i]), files[i].relative, files[i].path}) {
      auto it = named.find(name);
      if (it != named.end()) {
        share[i] = it->second;
        used[it->first] = true;
        break;
      }
    }
    if (share[i] >= 0)
      named_sum += share[i];
    else
      ++unnamed;
  }
  for (const auto& [name, v] : named)
    if (!used.count(name)) throw UsageError("--share " + name + ": no input file of that name");
  if (unnamed) {
    if (!named.empty() && named_sum >= 1.0)
      throw UsageError(
          "--share: the named shares sum to 1 or more, nothing is left for the other inputs");
    const double each = named.empty() ? 1.0 / unnamed : (1.0 - named_sum) / unnamed;
    for (double& s : share)
      if (s < 0) s = each;
  }
  double norm = 0, total = 0;
  for (size_t i = 0; i < files.size(); ++i)
    if (chars[i]) norm += share[i], total += static_cast<double>(chars[i]);
  std::vector<double> w(files.size(), 0.0);
  for (size_t i = 0; i < files.size(); ++i)
    if (chars[i]) w[i] = (share[i] / norm) * total / static_cast<double>(chars[i]);
  return w;
}

int train(const TrainOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) throw OutputError("cannot create '" + o.out + "': " + ec.message());
  if (!o.from_tsv.empty()) {
    restore::write_restore_model(restore::read_restore_tsv(o.from_tsv), o.out + "/model.bin");
    spdlog::info("wrote {}/model.bin from the tables in {}", o.out, o.from_tsv);
    return kExitOk;
  }
  const std::vector<InputFile> files = expand_inputs(o.inputs);
  if (files.empty()) throw UsageError("no input file found");

  // Pass 1: code points per file (for the shares).
  std::vector<uint64_t> chars(files.size(), 0);
  each_document(files, o,
                [&](size_t i, const Document& d) { chars[i] += count_chars(d.original); });
  const std::vector<double> weights = file_weights(files, chars, o);
  for (size_t i = 0; i < files.size(); ++i)
    spdlog::info("{}: {} characters, weight {:.3f} per character", files[i].path, chars[i],
                 weights[i]);

  // Pass 2: the counts.
  auto holdout_here = [&](size_t i) {
    if (o.holdout.empty()) return false;
    if (o.holdout_from.empty()) return true;
    const std::string name = file_name(files[i]);
    for (const auto& p : o.holdout_from)
      if (name.rfind(p, 0) == 0) return true;
    return false;
  };
  std::unique_ptr<AtomicFile> hold;
  if (!o.holdout.empty()) hold = std::make_unique<AtomicFile>(o.holdout);
  // Pass 2 (and more, for counters that ask): the counts. Every counter
  // sees every document once per pass it asked for.
  auto counters = train_counters(o);
  int passes = 0;
  for (const auto& c : counters) passes = std::max(passes, c->passes());
  size_t docs = 0, held = 0;
  for (int pass = 0; pass < passes; ++pass) {
    std::vector<restore::Counter*> active;
    for (auto& c : counters)
      if (c->passes() > pass) {
        c->begin_pass(pass);
        active.push_back(c.get());
      }
    docs = 0;
    each_document(files, o, [&](size_t i, const Document& d) {
      if (holdout_here(i) && held_out(d.id)) {
        if (pass > 0) return;
        std::string line = "{\"id\": ";
        append_json_string(line, d.id);
        line += ", \"source\": ";
        append_json_string(line, source_of(d));
        line += ", \"gold\": ";
        append_json_string(line, d.original);
        line += "}\n";
        hold->write(line);
        ++held;
        return;
      }
      const restore::StrippedText st = restore::strip_channel(d.original);
      for (auto* c : active) c->add(d.original, st, weights[i]);
      if (++docs % 1000 == 0)
        spdlog::info("pass {}: {} documents counted ({:.0f} s)", pass + 1, docs, seconds());
    });
  }
  if (hold) {
    hold->commit();
    spdlog::info("held out {} document(s) in {}", held, o.holdout);
  }
  spdlog::info("{} document(s) counted; writing {}", docs, o.out);
  for (auto& c : counters) c->write(o.out);
  spdlog::info("done in {:.0f} s", seconds());
  return kExitOk;
}

}  // namespace

int run_train_command(const std::vector<std::string>& args) {
  use_stderr_logger();
  try {
    Parsed p = parse(args);
    if (p.exit_now) return kExitOk;
    return train(p.opt);
  } catch (const UsageError& e) {
    std::cerr << "copydesk: error: " << e.what() << "\n";
  } catch (const ConfigError& e) {
    std::cerr << "copydesk: error: " << e.what() << "\n";
  } catch (const OutputError& e) {
    std::cerr << "copydesk: error: " << e.what() << "\n";
  }
  return kExitError;
}

}  // namespace copydesk
