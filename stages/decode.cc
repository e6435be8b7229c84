#include "stages/decode.h"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/utf8.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "pipeline/utf8.h"

namespace copydesk {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

constexpr const char* kRuleBom = "decode.bom.v1";
constexpr const char* kRuleNewline = "decode.newline.v1";
constexpr const char* kRuleInvalid = "decode.invalid-utf8.v1";
constexpr const char* kRuleLegacy = "decode.legacy.v1";
constexpr const char* kRuleEncoding = "decode.encoding.v1";

// A single-byte legacy encoding (windows-1252, ISO-8859-x, KOI8-R ...) as a
// table: byte 0x80..0xFF -> its character in UTF-8 ("" when undefined).
struct LegacyTable {
  std::string name;
  std::array<std::string, 128> high;
};

// Builds the table with ICU's converter; nullopt when ICU does not know the
// name or the encoding is not single-byte and ASCII-compatible.
std::optional<LegacyTable> make_legacy_table(const std::string& name) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* conv = ucnv_open(name.c_str(), &status);
  if (U_FAILURE(status)) return std::nullopt;
  const bool single_byte = ucnv_getMaxCharSize(conv) == 1;
  LegacyTable t;
  t.name = name;
  if (single_byte) {
    for (int b = 0x80; b < 0x100; ++b) {
      char in = static_cast<char>(b);
      char out[8];
      UErrorCode st = U_ZERO_ERROR;
      ucnv_reset(conv);
      ucnv_setToUCallBack(conv, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &st);
      UChar u[4];
      int32_t ulen = ucnv_toUChars(conv, u, 4, &in, 1, &st);
      if (U_FAILURE(st) || ulen == 0 || (ulen == 1 && u[0] == 0xFFFD)) continue;
      int32_t olen = 0;
      UBool err = false;
      for (int32_t k = 0; k < ulen;) {
        UChar32 c;
        U16_NEXT(u, k, ulen, c);
        U8_APPEND(reinterpret_cast<uint8_t*>(out), olen, 8, c, err);
      }
      if (!err) t.high[b - 0x80].assign(out, static_cast<size_t>(olen));
    }
  }
  ucnv_close(conv);
  if (!single_byte) return std::nullopt;
  return t;
}

// ICU's charset detector over the bytes: the best single-byte legacy
// encoding it proposes, with its confidence (0-100).
std::optional<std::pair<std::string, int>> detect_legacy(std::string_view bytes) {
  UErrorCode status = U_ZERO_ERROR;
  UCharsetDetector* det = ucsdet_open(&status);
  if (U_FAILURE(status)) return std::nullopt;
  // The detector reads at most what it needs; cap the sample for speed.
  const int32_t len = static_cast<int32_t>(std::min<size_t>(bytes.size(), 1 << 16));
  ucsdet_setText(det, bytes.data(), len, &status);
  int32_t found = 0;
  const UCharsetMatch** matches = ucsdet_detectAll(det, &found, &status);
  std::optional<std::pair<std::string, int>> best;
  for (int32_t i = 0; U_SUCCESS(status) && i < found && !best; ++i) {
    UErrorCode st = U_ZERO_ERROR;
    const char* name = ucsdet_getName(matches[i], &st);
    int conf = ucsdet_getConfidence(matches[i], &st);
    if (U_FAILURE(st) || !name) continue;
    std::string n = name;
    bool single = n.rfind("ISO-8859-", 0) == 0 || n.rfind("windows-125", 0) == 0 || n == "KOI8-R";
    if (single) best = std::make_pair(n, conf);
  }
  ucsdet_close(det);
  return best;
}

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
void decode_utf8(std::string_view bytes, size_t from, StageResult& result,
                 const LegacyTable* legacy = nullptr) {
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
    if (legacy) {
      // Bytes of another encoding: each byte is one character there.
      std::string text;
      bool complete = true;
      for (size_t k = start; k < i; ++k) {
        const std::string& ch = legacy->high[p[k] - 0x80];
        if (ch.empty()) complete = false;
        text += ch.empty() ? std::string(kReplacementChar) : ch;
      }
      result.edits.push_back({{start, i},
                              std::move(text),
                              kRuleLegacy,
                              complete ? 1.0 : 0.95,
                              "byte(s) decoded as " + legacy->name});
      continue;
    }
    result.edits.push_back(
        {{start, i}, std::string(kReplacementChar), kRuleInvalid, 1.0, "invalid UTF-8 sequence"});
  }
  if (invalid_count > 0 && legacy) {
    Finding f;
    f.span = first_invalid;
    f.rule = kRuleEncoding;
    f.severity = Severity::kWarning;
    f.message = "the text is not valid UTF-8: " + std::to_string(invalid_count) +
                " sequence(s) decoded as " + legacy->name + "; first at byte " +
                std::to_string(first_invalid.begin);
    f.confidence = 1.0;
    result.findings.push_back(std::move(f));
  } else if (invalid_count > 0) {
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
  // encoding: "auto" (default): UTF-8, and when the bytes are not valid UTF-8,
  // ICU's detector picks a single-byte legacy encoding for the invalid bytes
  // if it is at least min-confidence sure (else U+FFFD); "utf-8": invalid
  // bytes always become U+FFFD; any other ICU name: invalid bytes are read in
  // that single-byte encoding.
  explicit DecodeStage(const StageContext& ctx)
      : encoding_(ctx.get("encoding", "auto")),
        min_confidence_(static_cast<int>(ctx.get_double("min-confidence", 20))) {
    std::string lower;
    for (char c : encoding_)
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "utf-8" || lower == "utf8") {
      encoding_ = "utf-8";
    } else if (lower != "auto") {
      fixed_ = make_legacy_table(encoding_);
      if (!fixed_)
        throw ConfigError("encoding '" + encoding_ +
                          "' is not a single-byte encoding ICU knows "
                          "(e.g. windows-1252, ISO-8859-2, KOI8-R)");
    }
  }

  std::string_view name() const override { return "decode"; }

  std::vector<RuleInfo> rules() const override {
    return {{kRuleInvalid, "invalid UTF-8 replaced with U+FFFD", "Check the input's encoding.",
             Severity::kError},
            {kRuleEncoding, "the input is in a legacy encoding", "Convert the source to UTF-8.",
             Severity::kWarning},
            {kRuleLegacy, "bytes decoded from a legacy encoding", "", Severity::kSuggestion},
            {kRuleBom, "byte order mark removed", "", Severity::kSuggestion},
            {kRuleNewline, "CR LF or CR turned into LF", "", Severity::kSuggestion}};
  }

  StageResult run(const TextView& view) const override {
    const std::string_view bytes = view.text;
    StageResult result;
    size_t from = 0;
    if (bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
      result.edits.push_back({{0, kUtf8Bom.size()}, "", kRuleBom, 1.0, "UTF-8 byte order mark"});
      from = kUtf8Bom.size();
    }
    const LegacyTable* legacy = nullptr;
    std::optional<LegacyTable> detected;
    if (encoding_ != "utf-8" && !is_valid_utf8(bytes.substr(from))) {
      if (fixed_) {
        legacy = &*fixed_;
      } else if (auto guess = detect_legacy(bytes); guess && guess->second >= min_confidence_) {
        detected = make_legacy_table(guess->first);
        if (detected) {
          detected->name += " (detected, confidence " + std::to_string(guess->second) + "%)";
          legacy = &*detected;
        }
      }
    }
    decode_utf8(bytes, from, result, legacy);
    return result;
  }

 private:
  std::string encoding_;
  int min_confidence_;
  std::optional<LegacyTable> fixed_;
};

}  // namespace

std::unique_ptr<Stage> make_decode_stage(const StageContext& ctx) {
  return std::make_unique<DecodeStage>(ctx);
}

}  // namespace copydesk
