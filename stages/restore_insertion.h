// An insertion the restore stage proposes: text to put back at a gap of the
// damaged text. Every part of the stage (apostrophes, separators, quotes,
// accented letters) proposes Insertions; the stage merges those at one gap
// into one edit.
#pragma once

#include <cstddef>
#include <string>

namespace copydesk::restore {

struct Insertion {
  size_t pos;            // byte offset of the gap in the text the stage saw
  std::string text;      // UTF-8 to insert there
  std::string rule;      // versioned rule id ("restore.quote.v1")
  double confidence;     // probability that the insertion is right
  std::string evidence;  // short reason, for the edit log
};

}  // namespace copydesk::restore
