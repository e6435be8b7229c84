// libFuzzer target: the JSON Lines reader (plain, gzip, zstd) on arbitrary bytes.
// The first byte picks the file name's suffix (.jsonl, .jsonl.gz, .jsonl.zst,
// .txt); the rest is the file. Every record must be a document or an error
// record, and nothing may throw. Built by tools/fuzz.sh.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pipeline/reader.h"
#include "pipeline/utf8.h"

using namespace copydesk;

namespace {
std::string temp_base() {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/copydesk-fuzz-reader-" +
         std::to_string(getpid());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kSuffixes[] = {".jsonl", ".jsonl.gz", ".jsonl.zst", ".txt"};
  const std::string path = temp_base() + kSuffixes[data[0] % 4];
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  std::fwrite(data + 1, 1, size - 1, f);
  std::fclose(f);

  ReaderOptions ro;
  ro.max_document_bytes = 4096;  // small, so the too-large path runs too
  DocumentReader reader(expand_inputs({path}), ro);
  Document doc;
  while (reader.next(doc)) {
    if (!doc.error && doc.original.size() > ro.max_document_bytes) std::abort();
    if (!is_valid_utf8(doc.passthrough_json)) std::abort();  // passed through into JSON output
    if (!is_valid_utf8(doc.id)) std::abort();
    // No bound on records per input byte: the reader recognises gzip and
    // zstd by their magic bytes whatever the suffix, and a compressed member
    // of 127 bytes can hold hundreds of lines.
  }
  std::remove(path.c_str());
  return 0;
}
