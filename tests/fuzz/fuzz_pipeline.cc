// libFuzzer target: every stage, in the default order, on one document, and
// the JSON Lines record written for it. Checks the pipeline's invariants:
// the output and the record are valid UTF-8, inverting the edit log gives
// back the input, every finding and region lies inside both texts. Built by
// tools/fuzz.sh.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pipeline/record.h"
#include "pipeline/runner.h"
#include "pipeline/utf8.h"

using namespace copydesk;

namespace {
const Pipeline& pipeline() {
  static const Pipeline p = [] {
    PipelineSettings s;
    s.data_dir = COPYDESK_FUZZ_CONFIG_DIR;
    return Pipeline::build(
        {"decode", "repair", "normalise", "restore", "split-footer", "flag-slips"}, s);
  }();
  return p;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Document doc;
  doc.id = "fuzz";
  doc.original.assign(reinterpret_cast<const char*>(data), size);
  pipeline().run(doc);
  if (!is_valid_utf8(record_json(doc, {}))) std::abort();
  if (doc.error) return 0;
  if (!is_valid_utf8(doc.text)) std::abort();
  if (invert_edits(doc.text, doc.edits) != doc.original) std::abort();
  for (const auto& f : doc.findings)
    if (f.orig.end > doc.original.size() || f.out.end > doc.text.size()) std::abort();
  for (const auto& r : doc.regions)
    if (r.orig.end > doc.original.size() || r.out.end > doc.text.size()) std::abort();
  return 0;
}
