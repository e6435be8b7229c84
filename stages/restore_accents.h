// Accented letters for the restore stage: a lossy scraper deleted every
// non-ASCII character, so "Charg\u00e9" reached us as "Charg", "M\u00e9xico" as
// "Mxico", "FERN\u00c1NDEZ" as "FERNNDEZ". The restorer looks the damaged token
// up in a table counted from clean text through the same channel and puts the
// deleted letters back when the accented reading dominates.
//
//   AccentRestorer a = AccentRestorer::load(ctx.data_path("restore"));
//   std::vector<restore::Insertion> out;
//   a.word(view, i, out);   // view.tokens[i] = "Charg" (ASCII word, outside URLs)
//   // returns true; out = {pos = begin + 5, text = "\u00e9", rule = "restore.letter.v1",
//   //   confidence = about the share of "Charg\u00e9" among the readings of "Charg"}
//
// The table (config/restore/accents.tsv, see its README.md) is keyed by the
// token as the stage sees it, ASCII-lowercased, and splits the counts by the
// case of that token: lower ("communiqu"), capitalised ("Charg"; also "lyse"
// for "\u00c9lys\u00e9e" is lower, since its capital was deleted) and all
// capitals ("FERNNDEZ"). A token is decided with the counts of its own case;
// an all-capitals token of 4 letters or more pools every case (all-capitals
// text is rare in training) and gets upper-case letters; shorter ones are
// acronyms more often than names, so they need all-capitals evidence.
//
// Confidence = count(best accented form) / (count(every reading) + prior), the
// readings being the accented forms and "nothing deleted" (the key written as
// is, or having lost only punctuation). The prior stands for a plain word the
// training text never showed: large for short word-like keys ("mal", "jos"),
// small for keys with a letter trigram rare in plain words ("orbn"). An
// unknown "Xs" takes the letters of a known "X" ("Arvalos"); a reading next to
// an accented word (already accented, or itself read as accented) is boosted,
// since foreign names come in runs ("Jos Ral Mulino"). Only insertions at or
// above 0.5 are proposed. Trade-off: precision first: a name seen a few times
// only, or also seen plain, becomes a suggestion; unknown tokens are left
// alone ("Mxico" is restored only if "M\u00e9xico" was in the training text).
//
// Const and thread-safe after load. word() lowercases into a stack buffer and
// asks a 64-Kbit Bloom filter (one hash per token, no allocation); only
// filter hits reach the hash table, and only proposals allocate.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pipeline/stage.h"
#include "stages/restore_channel.h"
#include "stages/restore_insertion.h"

namespace copydesk {

class AccentRestorer {
 public:
  static constexpr const char* kRule = "restore.letter.v1";
  static constexpr const char* kFile = "accents.tsv";

  // Reads dir/accents.tsv; throws ConfigError (file:line:col) on bad data.
  static AccentRestorer load(const std::string& dir);

  // For an ASCII word token of view (outside URLs): appends the letters the
  // channel deleted in or around it, and returns true, when the table says an
  // accented reading is at least as likely as not (confidence >= 0.5). Returns
  // false, appending nothing, otherwise (unknown token, plain word, digits).
  bool word(const TextView& view, size_t token_index, std::vector<restore::Insertion>& out) const;

  // The same for a part of a token, text[begin, end) (a word of a glued token
  // the stage has split: "PresidentArvalo" -> "Arvalo"); no neighbour context.
  bool word_part(std::string_view text, size_t begin, size_t end,
                 std::vector<restore::Insertion>& out) const;

  size_t size() const { return entries_.size(); }

  // Case classes of a token as the stage sees it (also used by the counter).
  enum CaseClass : uint8_t { kLower, kCap, kUpper, kCaseClasses };
  // kLower: first letter lowercase; kUpper: two letters or more, all upper;
  // kCap: the rest (first letter upper). A final "s" after capitals ("MREs") is ignored.
  static CaseClass case_class(std::string_view ascii_word);

 private:
  struct Decision {
    std::vector<std::pair<uint16_t, std::string>> inserts;  // (offset in the token, UTF-8 letters)
    std::string form;                                       // the accented form chosen
    double confidence = 0;                                  // 0: leave the token alone
    double total = 0;                                       // weighted count of every reading
    uint16_t ascii_length = 0;                              // bytes of the token
  };
  struct Entry {
    std::array<Decision, kCaseClasses> by_case;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // The decision for a token (nullptr: none), with its confidence.
  const Decision* lookup(std::string_view tok, double& confidence) const;
  bool foreign_neighbour(const TextView& view, size_t i) const;
  static double boost(double p);
  static bool emit(std::string_view text, size_t begin, const Decision& d, double conf,
                   std::vector<restore::Insertion>& out);

  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;

  // A Bloom filter over the keys (2 bits per key, FNV-1a 64): the fast "no".
  static constexpr uint64_t kFnvBasis = 14695981039346656037ull;
  static constexpr uint64_t kFnvPrime = 1099511628211ull;
  static uint64_t fnv(std::string_view key);
  void filter_add(std::string_view key);
  bool filter_has(uint64_t h) const {
    return (filter_[(h >> 6) % filter_.size()] >> (h & 63) & 1) &&
           (filter_[(h >> 38) % filter_.size()] >> ((h >> 32) & 63) & 1);
  }
  std::array<uint64_t, 1024> filter_{};  // 64 Kbit
};

// The trainer: fed every clean training document with its stripped form,
// it counts, for every word token of the stripped text (runs of ASCII
// letters), which Latin letters the channel had deleted inside it or at its
// edges, by the token's case class; write(dir) writes dir/accents.tsv.
std::unique_ptr<restore::Counter> make_accent_counter();

}  // namespace copydesk
