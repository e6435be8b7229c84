#include "stages/decode.h"

#include <unicode/utf8.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace copydesk {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

constexpr const char* kRuleBom = "decode.bom.v1";
constexpr const char* kRuleNewline = "decode.newline.v1";
constexpr const char* kRuleInvalid = "decode.invalid-utf8.v1";

// The encoding the input bytes are in. Only UTF-8 is decoded today; legacy
// encodings (windows-1252, ISO-8859-x, ...) will be added here, each with its
// own decoder function below.
enum class SourceEncoding { kUtf8 };

SourceEncoding detect_encoding(std::string_view /*bytes*/) { return SourceEncoding::kUtf8; }

// True when none of the eight bytes of w is non-ASCII or CR: the block needs
// no work. (x - 0x01..) & ~x & 0x80.. is non-zero exactly when x has a zero
// byte, and x = w ^ 0x0D.. has a zero byte exactly where w has a CR.
inline bool plain_block(uint64_t w) {
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  if (w & kHigh) return false;
  const uint64_t x = w ^ (kOnes * '\r');
  return ((x - kOnes) & ~x & kHigh) == 0;
}

// Edits for a CR at bytes[i]: CR LF -> LF, lone CR -> LF. Returns the bytes
// consumed. Shared by every decoder: line breaks are ASCII in all of them.
size_t newline_edit(std::string_view bytes, size_t i, std::vector<Edit>& edits) {
  if (i + 1 < bytes.size() && bytes[i + 1] == '\n') {
    edits.push_back({{i, i + 2}, "\n", kRuleNewline, 1.0, "CR LF line break"});
    return 2;
  }
  edits.push_back({{i, i + 1}, "\n", kRuleNewline, 1.0, "lone CR line break"});
  return 1;
}

// Valid UTF-8 passes through; each maximal subpart of an ill-formed sequence
// becomes U+FFFD (U8_NEXT consumes exactly one maximal subpart, at least one
// byte, when it returns a negative code point).
void decode_utf8(std::string_view bytes, size_t from, StageResult& result) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  size_t invalid_count = 0;
  Span first_invalid;
  size_t i = from;
  while (i < n) {
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (!plain_block(w)) break;
      i += 8;
    }
    if (i >= n) break;
    const uint8_t b = p[i];
    if (b < 0x80) {
      if (b == '\r')
        i += newline_edit(bytes, i, result.edits);
      else
        ++i;
      continue;
    }
    // U8_NEXT takes int32_t offsets; documents are far below 2 GiB (the
    // runner caps them), but step from a local base to stay exact anyway.
    const size_t start = i;
    const size_t window = n - start < 4 ? n - start : 4;
    int32_t k = 0;
    UChar32 c;
    U8_NEXT(p + start, k, static_cast<int32_t>(window), c);
    i = start + static_cast<size_t>(k);
    if (c >= 0) continue;
    if (invalid_count++ == 0) first_invalid = {start, i};
    result.edits.push_back(
        {{start, i}, std::string(kReplacementChar), kRuleInvalid, 1.0, "invalid UTF-8 sequence"});
  }
  if (invalid_count > 0) {
    Finding f;
    f.span = first_invalid;
    f.rule = kRuleInvalid;
    f.severity = Severity::kError;
    f.message = std::to_string(invalid_count) +
                " invalid UTF-8 sequence(s) replaced with U+FFFD; first at byte " +
                std::to_string(first_invalid.begin);
    f.confidence = 1.0;
    result.findings.push_back(std::move(f));
  }
}

class DecodeStage final : public Stage {
 public:
  std::string_view name() const override { return "decode"; }

  StageResult run(const TextView& view) const override {
    const std::string_view bytes = view.text;
    StageResult result;
    size_t from = 0;
    if (bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
      result.edits.push_back({{0, kUtf8Bom.size()}, "", kRuleBom, 1.0, "UTF-8 byte order mark"});
      from = kUtf8Bom.size();
    }
    switch (detect_encoding(bytes)) {
      case SourceEncoding::kUtf8:
        decode_utf8(bytes, from, result);
        break;
    }
    return result;
  }
};

}  // namespace

std::unique_ptr<Stage> make_decode_stage(const StageContext&) {
  return std::make_unique<DecodeStage>();
}

}  // namespace copydesk
