// Mojibake: UTF-8 text that was decoded as windows-1252, Latin-1 or MacRoman
// ("don\u00E2\u20AC\u2122t" for "don\u2019t", "\u00C3\u00A9" for "\u00E9",
// "\u221A\u00A9" for "\u00E9" in MacRoman), and stray C1 controls.
//
//   MojibakeFixer f(ctx.data_path("repair/codepages.tsv"));
//   MojibakeFixer::Prior prior;
//   auto edits = f.find_layer(text, prior);   // one layer; call again on the
//                                             // result for double encoding
//
// How a fix is decided (ftfy's design: a re-encoding is accepted only when it
// makes the text less weird; the code and the weights here are our own):
//   unit     a character whose byte in the codepage is a UTF-8 lead byte
//            (0xC2..0xF4) followed by the characters whose bytes complete a
//            valid UTF-8 sequence ("\u00C3" + "\u00A9" = C3 A9 = U+00E9).
//            windows-1252 is "sloppy": its five undefined bytes 81 8D 8F 90
//            9D, and the C1 controls a Latin-1 decoder produces, map to the
//            byte of the same value, so Latin-1 mojibake is the same case.
//   cluster  adjacent units, decided together (a whole mis-decoded word).
//   delta    weirdness(before) - weirdness(after), over the cluster and one
//            character of context on each side. Weirdness counts: C1
//            controls and unassigned characters (3), a combining mark not on
//            a letter (2), letters of two scripts side by side (2), an IPA
//            letter next to a capital, lowercase then non-ASCII capital, a
//            non-ASCII capital followed by a non-ASCII symbol, symbols of two
//            kinds side by side, a symbol or a run of two non-letters inside a
//            word, a lone spacing diacritic, a mark of another script on a
//            Latin letter (1 or 2 each); the classic mojibake pairs
//            ("\u00C3" or "\u00C2" + a continuation character,
//            "\u00E2\u20AC", "\u221A" + MacRoman continuation ...: 2 each; 0
//            after a capital at a word end for the closing punctuation that
//            correct text has there: \u00BB \u201D \u2018 \u203A \u00B4);
//            and the length in characters (a fix always shortens the text).
//            The "after" side is decoded on while the result is itself
//            made of units of the same codepage, so a double encoding is
//            judged by its final text. Where windows-1252 and MacRoman
//            readings overlap, the larger delta wins.
//   prior    once a document has shown two clusters with delta >= 4 in a
//            codepage, its weaker clusters of that codepage get +1.
//   confidence by delta: 2 -> 0.75 (a suggestion), 3 -> 0.93, 4 -> 0.97,
//            5 or more -> 0.99. The runner applies >= 0.9 by default, so a
//            cluster needs delta 3: "Caf\u00C3\u00A9" (delta 5) is fixed,
//            "JOS\u00C9\u2019S" (would give an IPA letter; delta 0) is not.
// C1 controls left outside clusters (text decoded as Latin-1 that was
// windows-1252) become the windows-1252 character (0.95); the five bytes
// windows-1252 leaves undefined are suggested for deletion (0.6).
// Rules: repair.mojibake.v1, repair.c1-control.v1. Offsets are UTF-8 bytes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stages/repair_edits.h"

namespace copydesk::repair {

class MojibakeFixer {
 public:
  // Loads tools/repair/gen_tables.py's codepages.tsv; ConfigError on bad data.
  explicit MojibakeFixer(const std::string& codepages_path);

  // Evidence carried from one layer to the next in one document.
  struct Prior {
    std::array<int, 2> strong{0, 0};  // clusters with delta >= 4, per codepage
  };

  // True when the text holds nothing this class could change: no C1 control
  // and no character that could start a unit in either codepage followed by
  // one that could continue it. One pass over the bytes; ASCII is skipped
  // eight bytes at a time.
  bool clean(std::string_view text) const;

  // Edits for one layer, sorted, confidence >= 0.5.
  std::vector<RepairEdit> find_layer(std::string_view text, Prior& prior) const;

  // windows-1252 characters for bytes 0x80..0x9F (undefined ones: the C1
  // control of the same value).
  std::array<char32_t, 32> c1_map() const;

 private:
  struct Codepage {
    std::string name;
    std::array<char32_t, 128> high{};               // byte 0x80 + i -> code point
    std::unordered_map<char32_t, uint8_t> to_byte;  // non-ASCII code point -> byte
    int byte_of(char32_t cp) const {
      if (cp < 0x80) return static_cast<int>(cp);
      auto it = to_byte.find(cp);
      return it == to_byte.end() ? -1 : it->second;
    }
  };
  struct Unit {
    size_t begin, end;  // character indexes
    char32_t result;
  };
  bool unit_at(const Codepage& cp, const std::vector<char32_t>& s, size_t i, Unit& u) const;
  int weirdness(const std::vector<char32_t>& w, size_t inner_begin, size_t inner_end) const;
  bool is_lead_then_cont(char32_t a, char32_t b) const;

  std::array<Codepage, 2> pages_;  // [0] windows-1252 (sloppy, covers Latin-1), [1] MacRoman
};

}  // namespace copydesk::repair
