#include "pipeline/explain_command.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "pipeline/config_files.h"
#include "pipeline/runner.h"

namespace po = boost::program_options;

namespace copydesk {
namespace {

std::string char_name(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  char buf[256];
  int32_t n = u_charName(c, U_EXTENDED_CHAR_NAME, buf, sizeof buf, &status);
  if (U_FAILURE(status) || n <= 0) return "?";
  return std::string(buf, static_cast<size_t>(n));
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (static_cast<unsigned char>(c) < 0x20)
      out += '?';
    else
      out += c;
  }
  return out;
}

}  // namespace

int run_explain_command(const std::vector<std::string>& args) {
  std::string stages = "decode,repair,normalise";
  std::string data_dir;
  std::vector<std::string> texts;
  po::options_description desc(
      "Usage: copydesk explain [--stages A,B] TEXT...\n\n"
      "Prints each character with its code point and Unicode name, then what the\n"
      "stages (default decode,repair,normalise) change, e.g. copydesk explain 'donâ€™t'");
  desc.add_options()("help,h", "show this help")("stages", po::value(&stages)->value_name("A,B"),
                                                 "stages whose edits are shown")(
      "data-dir", po::value(&data_dir)->value_name("DIR"),
      "data folder (see copydesk clean --help)");
  po::options_description hidden;
  hidden.add_options()("text", po::value(&texts));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("text", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "copydesk: error: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help") || texts.empty()) {
    std::cout << desc << "\n";
    return texts.empty() && !vm.count("help") ? 2 : 0;
  }
  PipelineSettings settings;
  settings.data_dir = find_data_dir(data_dir);
  std::vector<std::string> names;
  for (size_t start = 0; start <= stages.size();) {
    size_t comma = stages.find(',', start);
    if (comma == std::string::npos) comma = stages.size();
    if (comma > start) names.push_back(stages.substr(start, comma - start));
    start = comma + 1;
  }
  Pipeline pipeline;
  try {
    pipeline = Pipeline::build(names, settings);
  } catch (const std::exception& e) {
    std::cerr << "copydesk: configuration error: " << e.what() << "\n";
    return 2;
  }
  std::string text;
  for (size_t i = 0; i < texts.size(); ++i) text += (i ? " " : "") + texts[i];
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < n;) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    std::string shown = c < 0 ? "\\x" : printable(std::string_view(text).substr(start, i - start));
    char line[64];
    if (c < 0)
      std::snprintf(line, sizeof line, "%6d  %-4s  invalid byte 0x%02X", start, "", p[start]);
    else
      std::snprintf(line, sizeof line, "%6d  %-4s  U+%04X  ", start, shown.c_str(),
                    static_cast<unsigned>(c));
    std::cout << line << (c < 0 ? "" : char_name(c)) << "\n";
  }
  Document doc;
  doc.id = "explain";
  doc.original = text;
  pipeline.run(doc);
  if (doc.error) {
    std::cout << "\n" << doc.error->message << "\n";
    return 2;
  }
  std::cout << "\n";
  if (doc.edits.empty() && doc.findings.empty()) std::cout << "no change: nothing to repair\n";
  for (const auto& e : doc.edits)
    std::cout << "bytes " << e.orig.begin << "-" << e.orig.end << ": '" << printable(e.before)
              << "' -> '" << printable(e.after) << "'  " << e.rule << " (" << e.evidence
              << ", confidence " << e.confidence << ")\n";
  for (const auto& f : doc.findings)
    std::cout << "bytes " << f.orig.begin << "-" << f.orig.end << ": "
              << severity_name(f.finding.severity) << " " << f.finding.rule << ": "
              << f.finding.message << "\n";
  if (!doc.edits.empty()) std::cout << "result: " << printable(doc.text) << "\n";
  return 0;
}

}  // namespace copydesk
