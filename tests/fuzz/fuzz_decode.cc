// libFuzzer target: the decode stage (invalid UTF-8, BOM, CR/CRLF, legacy
// encodings) on one document of arbitrary bytes. Its output must be valid
// UTF-8, and inverting the edit log must give back the input. Built by
// tools/fuzz.sh.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pipeline/runner.h"
#include "pipeline/utf8.h"

using namespace copydesk;

namespace {
const Pipeline& pipeline() {
  static const Pipeline p = [] {
    PipelineSettings s;
    s.data_dir = COPYDESK_FUZZ_CONFIG_DIR;
    return Pipeline::build({"decode"}, s);
  }();
  return p;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Document doc;
  doc.id = "fuzz";
  doc.original.assign(reinterpret_cast<const char*>(data), size);
  pipeline().run(doc);
  if (doc.error) return 0;
  if (!is_valid_utf8(doc.text)) std::abort();
  if (invert_edits(doc.text, doc.edits) != doc.original) std::abort();
  return 0;
}
