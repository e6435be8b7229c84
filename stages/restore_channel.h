// The deletion channel the restore stage decodes, and the interface its
// trainers share. A lossy scraper deleted every non-ASCII character and the
// ASCII apostrophe; running the same channel over clean prose shows, at every
// gap of the stripped text, what had been deleted there. Every restore table
// is counted that way and is therefore indexed by what the stage will see.
//
//   StrippedText s = strip_channel("We\u2019re at the caf\u00e9");
//   // s.text == "Were at the caf"; s.deleted_before(2) == "\u2019";
//   // s.deleted_before(15) == "\u00e9" (the gap at the end of the text)
//
// Invisible characters that leave no trace and that no restorer can know
// (U+2060 WORD JOINER, U+200A/B/C/D, U+FEFF, U+00AD) are dropped, not recorded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace copydesk::restore {

struct StrippedText {
  std::string text;  // what survives the channel (ASCII, minus the apostrophe)
  // Gaps where something was deleted, in increasing order of `at` (a byte
  // offset of `text`, 0..text.size()); `run` is the deleted UTF-8 run.
  struct Deletion {
    uint32_t at;
    std::string run;
  };
  std::vector<Deletion> deletions;

  // The run deleted right before text[at] ("" when nothing was); O(log n).
  std::string_view deleted_before(size_t at) const;
};

// True for the code points the channel deletes (every non-ASCII one, and ').
inline bool channel_deletes(char32_t c) { return c > 0x7F || c == U'\''; }

// Runs the channel over clean UTF-8 text. Invalid UTF-8 bytes are deleted
// like non-ASCII characters (kept in the runs as they were).
StrippedText strip_channel(std::string_view clean);

// Where a written form puts apostrophes into its stripped key ("dont",
// "don\u2019t" -> {3}): the byte offsets in the key, in `pos`. False when the
// form inserts anything but apostrophes (U+2019 or ').
bool apostrophe_insertions(std::string_view key, std::string_view form, std::vector<size_t>& pos);

// A trainer: counts one family of restore tables from clean documents.
// `copydesk train` feeds every document of the training corpus to every
// counter once (weight: the document's share of its source, so that each
// source carries a fixed share of the counts), then asks each to write its
// files into the model directory.
//
// A counter that must see the whole corpus before it knows what to count in
// detail (which words are ambiguous) asks for more passes: the trainer calls
// begin_pass(p) and then feeds every document again, for p = 0 .. passes()-1.
class Counter {
 public:
  virtual ~Counter() = default;
  virtual int passes() const { return 1; }
  virtual void begin_pass(int /*pass*/) {}
  virtual void add(std::string_view clean, const StrippedText& stripped, double weight) = 0;
  virtual void write(const std::string& dir) const = 0;
};

}  // namespace copydesk::restore
