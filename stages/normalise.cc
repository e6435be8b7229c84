#include "stages/normalise.h"

#include <unicode/bytestream.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "pipeline/offset_map.h"

namespace copydesk {
namespace {

constexpr const char* kRuleControl = "normalise.control.v1";
constexpr const char* kRuleInvisible = "normalise.invisible.v1";
constexpr const char* kRuleNfc = "normalise.nfc.v1";
constexpr const char* kRuleSpaceRun = "normalise.space-run.v1";
constexpr const char* kRuleTrailingSpace = "normalise.trailing-space.v1";

// The first lead byte of a code point NFC can change (U+0300 is CC 80): text
// without such a byte (apart from the stable ones below) is already NFC.
constexpr uint8_t kFirstNfcLead = 0xCC;

// True for code points NFC leaves alone in any context (NFC_QC=Yes, ccc=0,
// never the second of a composition): everything below U+0300, and the
// General Punctuation block U+2002..U+206F (quotes, dashes, ellipsis) that news
// text is full of, so typographic quotes alone do not send a text to ICU.
// U+2000/U+2001 (quads) have singleton decompositions and are not stable.
constexpr bool nfc_stable(UChar32 c) { return c < 0x300 || (c >= 0x2002 && c <= 0x206F); }

enum class Removal : uint8_t { kKeep, kControl, kInvisible };

constexpr Removal classify(UChar32 c) {
  if (c < 0x20) return (c == '\t' || c == '\n') ? Removal::kKeep : Removal::kControl;
  if (c < 0x7F) return Removal::kKeep;
  if (c <= 0x9F) return Removal::kControl;  // DEL and the C1 controls
  if (c == 0x00AD || c == 0x061C || c == 0x200B || c == 0x200E || c == 0x200F || c == 0xFEFF)
    return Removal::kInvisible;
  if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
      (c >= 0x2066 && c <= 0x206F) || (c >= 0xFFF9 && c <= 0xFFFB))
    return Removal::kInvisible;
  return Removal::kKeep;
}

// Lead bytes of every code point classify() may remove (U+0080..U+00BF,
// U+061C, U+2000..U+2FFF, U+F000..U+FFFF); other non-ASCII characters are
// skipped without decoding.
constexpr bool may_remove_lead(uint8_t b) {
  return b == 0xC2 || b == 0xD8 || b == 0xE2 || b == 0xEF;
}

constexpr std::array<bool, 128> make_ascii_control_table() {
  std::array<bool, 128> t{};
  for (int c = 0; c < 128; ++c) t[c] = classify(c) == Removal::kControl;
  return t;
}
constexpr auto kAsciiControl = make_ascii_control_table();

// True when the eight bytes of w are ASCII and none is below 0x20 or DEL: the
// block holds nothing to remove. hasless(x, n) = (x - n*ones) & ~x & high is
// exact for "some byte < n" when every byte is below 0x80.
inline bool plain_block(uint64_t w) {
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  if (w & kHigh) return false;
  if ((w - kOnes * 0x20) & ~w & kHigh) return false;
  const uint64_t del = w ^ (kOnes * 0x7F);
  return ((del - kOnes) & ~del & kHigh) == 0;
}

std::string code_point_label(UChar32 c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

// "U+0065 U+0301" for short strings, "" when s has more than max code points.
std::string code_points(std::string_view s, size_t max) {
  std::string out;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  size_t count = 0;
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (++count > max) return "";
    if (!out.empty()) out += ' ';
    out += code_point_label(c);
  }
  return out;
}

std::string removal_evidence(UChar32 c, Removal kind) {
  std::string out = code_point_label(c);
  if (kind == Removal::kControl) return out + " control character";
  char name[96];
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = u_charName(c, U_UNICODE_CHAR_NAME, name, sizeof name, &err);
  if (U_SUCCESS(err) && len > 0) out += ' ' + std::string(name, static_cast<size_t>(len));
  return out;
}

struct RemovedChar {
  Span span;  // in the input
  Removal kind;
  UChar32 c;
};

// The input with the removed characters cut out ("F"), and the way back to
// input offsets. F is the concatenation of the kept runs.
class Filtered {
 public:
  Filtered(std::string_view input, const std::vector<RemovedChar>& removed) {
    if (removed.empty()) {
      text_ = input;
      if (!input.empty()) runs_.push_back({0, 0, input.size()});
      return;
    }
    owned_.reserve(input.size());
    size_t pos = 0;
    auto keep = [&](size_t end) {
      if (end == pos) return;
      runs_.push_back({owned_.size(), pos, end - pos});
      owned_.append(input, pos, end - pos);
    };
    for (const RemovedChar& r : removed) {
      keep(r.span.begin);
      pos = r.span.end;
    }
    keep(input.size());
    text_ = owned_;
  }

  std::string_view text() const { return text_; }

  // Input offset of an F position; at a place where characters were removed,
  // kBegin maps after them and kEnd before them, so a mapped span contains
  // only the removed characters that lie strictly inside it.
  size_t to_input(size_t f, Bias bias) const {
    auto it = bias == Bias::kBegin
                  ? std::upper_bound(runs_.begin(), runs_.end(), f,
                                     [](size_t v, const Run& r) { return v < r.f; })
                  : std::lower_bound(runs_.begin(), runs_.end(), f,
                                     [](const Run& r, size_t v) { return r.f < v; });
    if (it == runs_.begin()) return f;  // only for f == 0 with kEnd
    --it;
    return it->in + (f - it->f);
  }

 private:
  struct Run {
    size_t f;   // start in F
    size_t in;  // start in the input
    size_t len;
  };
  std::string owned_;
  std::string_view text_;
  std::vector<Run> runs_;
};

// A change of one step, before it is mapped to input offsets.
struct Change {
  Span in;   // in the step's input text
  Span out;  // in the step's output text
  const char* rule;
  std::string evidence;
};

class NormaliseStage final : public Stage {
 public:
  explicit NormaliseStage(const StageContext& ctx)
      : collapse_spaces_(ctx.get_bool("collapse-spaces", false)) {
    UErrorCode err = U_ZERO_ERROR;
    nfc_ = icu::Normalizer2::getNFCInstance(err);
    if (U_FAILURE(err) || !nfc_)
      throw ConfigError(std::string("ICU NFC data unavailable: ") + u_errorName(err));
  }

  std::string_view name() const override { return "normalise"; }

  StageResult run(const TextView& view) const override {
    const std::string_view text = view.text;
    StageResult result;

    // 1. One scan: characters to remove, and whether NFC can change anything.
    std::vector<RemovedChar> removed;
    bool nfc_candidate = false;
    scan(text, removed, nfc_candidate);
    if (removed.empty() && !nfc_candidate && !collapse_spaces_) return result;

    // 2. NFC over the text without the removed characters (so that removing
    //    a ZWSP between a letter and its accent still gives NFC output).
    const Filtered filtered(text, removed);
    const std::string_view f = filtered.text();
    std::string nfc_out;
    std::vector<Change> nfc_changes;
    std::string_view g = f;
    if (nfc_candidate) {
      UErrorCode err = U_ZERO_ERROR;
      const icu::StringPiece piece(f.data(), static_cast<int32_t>(f.size()));
      if (!nfc_->isNormalizedUTF8(piece, err)) {
        icu::Edits edits;
        icu::StringByteSink<std::string> sink(&nfc_out, static_cast<int32_t>(f.size()));
        nfc_->normalizeUTF8(0, piece, sink, &edits, err);
        if (U_FAILURE(err)) {
          result.document_error = std::string("NFC normalisation failed: ") + u_errorName(err);
          return result;
        }
        g = nfc_out;
        for (auto it = edits.getCoarseChangesIterator(); it.next(err);) {
          if (!it.hasChange()) continue;
          Span in{static_cast<size_t>(it.sourceIndex()),
                  static_cast<size_t>(it.sourceIndex() + it.oldLength())};
          Span out{static_cast<size_t>(it.destinationIndex()),
                   static_cast<size_t>(it.destinationIndex() + it.newLength())};
          if (in.in(f) == out.in(g)) continue;
          std::string before = code_points(in.in(f), 6);
          std::string after = code_points(out.in(g), 6);
          nfc_changes.push_back({in, out, kRuleNfc,
                                 before.empty() || after.empty()
                                     ? std::string("NFC")
                                     : "NFC: " + before + " -> " + after});
        }
      }
      if (U_FAILURE(err)) {
        result.document_error = std::string("NFC check failed: ") + u_errorName(err);
        return result;
      }
    }

    // 3. Spaces, over the NFC text, mapped back to F through the NFC changes.
    std::vector<Change> space_changes;
    if (collapse_spaces_) space_changes = space_edits(g, nfc_changes);

    // 4. Everything in input offsets. A removed character inside an NFC or
    //    space change goes with that change (its bytes are part of the
    //    replaced span and do not reappear in the replacement).
    std::vector<Edit> composite;
    composite.reserve(nfc_changes.size() + space_changes.size());
    auto add_composite = [&](const Change& c, std::string replacement) {
      Span in{filtered.to_input(c.in.begin, Bias::kBegin), filtered.to_input(c.in.end, Bias::kEnd)};
      composite.push_back({in, std::move(replacement), c.rule, 1.0, c.evidence});
    };
    for (const Change& c : nfc_changes) add_composite(c, std::string(c.out.in(g)));
    for (const Change& c : space_changes) add_composite(c, "");
    std::sort(composite.begin(), composite.end(),
              [](const Edit& a, const Edit& b) { return a.span.begin < b.span.begin; });

    result.edits.reserve(composite.size() + removed.size());
    size_t ci = 0;
    for (const RemovedChar& r : removed) {
      while (ci < composite.size() && composite[ci].span.end <= r.span.begin)
        result.edits.push_back(std::move(composite[ci++]));
      if (ci < composite.size() && composite[ci].span.begin <= r.span.begin) continue;  // inside
      result.edits.push_back({r.span, "",
                              r.kind == Removal::kControl ? kRuleControl : kRuleInvisible, 1.0,
                              removal_evidence(r.c, r.kind)});
    }
    while (ci < composite.size()) result.edits.push_back(std::move(composite[ci++]));
    return result;
  }

 private:
  static void scan(std::string_view text, std::vector<RemovedChar>& removed, bool& nfc_candidate) {
    const auto* p = reinterpret_cast<const uint8_t*>(text.data());
    const size_t n = text.size();
    size_t i = 0;
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
        if (kAsciiControl[b]) removed.push_back({{i, i + 1}, Removal::kControl, b});
        ++i;
        continue;
      }
      const size_t start = i;
      const size_t window = std::min<size_t>(n - start, 4);
      int32_t k = 0;
      if (may_remove_lead(b)) {
        UChar32 c;
        U8_NEXT(p + start, k, static_cast<int32_t>(window), c);
        const Removal kind = c < 0 ? Removal::kKeep : classify(c);
        if (kind != Removal::kKeep)
          removed.push_back({{start, start + k}, kind, c});
        else if (!nfc_stable(c))
          nfc_candidate = true;
      } else {
        if (b >= kFirstNfcLead) nfc_candidate = true;
        U8_FWD_1(p + start, k, static_cast<int32_t>(window));
      }
      i = start + static_cast<size_t>(k);
    }
  }

  // Space runs in g (the NFC text), as changes whose `in` is in F. Runs inside
  // a line keep one space; runs before "\n" or the end go; indentation stays.
  static std::vector<Change> space_edits(std::string_view g, const std::vector<Change>& nfc) {
    std::vector<Change> out;
    const size_t n = g.size();
    size_t ni = 0;        // first NFC change not wholly before the current run
    long long delta = 0;  // F offset minus g offset after the last change before ni
    size_t i = 0;
    while (i < n) {
      const void* sp = std::memchr(g.data() + i, ' ', n - i);
      if (!sp) break;
      const size_t a = static_cast<size_t>(static_cast<const char*>(sp) - g.data());
      // Only a space followed by a space, a line break or the end matters.
      if (a + 1 < n && g[a + 1] != ' ' && g[a + 1] != '\n') {
        i = a + 2;
        continue;
      }
      size_t b = a;
      while (b < n && g[b] == ' ') ++b;
      i = b;
      const bool line_start = a == 0 || g[a - 1] == '\n';
      const bool line_end = b == n || g[b] == '\n';
      Span span;
      const char* rule;
      std::string evidence;
      if (line_end) {
        span = {a, b};
        rule = kRuleTrailingSpace;
        evidence = std::to_string(b - a) + " trailing space(s)";
      } else if (!line_start && b - a >= 2) {
        span = {a + 1, b};
        rule = kRuleSpaceRun;
        evidence = "run of " + std::to_string(b - a) + " spaces";
      } else {
        continue;
      }
      while (ni < nfc.size() && nfc[ni].out.end <= span.begin) {
        delta = static_cast<long long>(nfc[ni].in.end) - static_cast<long long>(nfc[ni].out.end);
        ++ni;
      }
      // NFC never changes an ASCII space (it neither composes nor reorders
      // with one), so this does not happen; skip rather than overlap.
      if (ni < nfc.size() && nfc[ni].out.begin < span.end) continue;
      const Span in{static_cast<size_t>(static_cast<long long>(span.begin) + delta),
                    static_cast<size_t>(static_cast<long long>(span.end) + delta)};
      out.push_back({in, span, rule, std::move(evidence)});
    }
    return out;
  }

  bool collapse_spaces_;
  const icu::Normalizer2* nfc_ = nullptr;
};

}  // namespace

std::unique_ptr<Stage> make_normalise_stage(const StageContext& ctx) {
  return std::make_unique<NormaliseStage>(ctx);
}

}  // namespace copydesk
