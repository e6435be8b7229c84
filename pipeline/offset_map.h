// OffsetMap: the byte-offset correspondence between a stage's input text and
// its output text, built from the edits the stage applied. Mapping is a
// binary search over the sorted replacements.
//
// A position strictly inside a replaced span has no exact image. Bias says
// which end of a span the position is: a span's begin maps to the start of a
// replacement it falls in, its end to the end, so a mapped span covers
// everything its source touched. At a pure insertion point the inserted text
// stays outside: a begin maps after it, an end before it, so the word
// "country" keeps its span when an apostrophe is inserted right after it.
#pragma once

#include <vector>

#include "pipeline/span.h"

namespace copydesk {

enum class Bias { kBegin, kEnd };

struct Replacement {
  Span in;   // in the stage's input
  Span out;  // in the stage's output
};

class OffsetMap {
 public:
  OffsetMap() = default;
  // replacements sorted by in.begin, non-overlapping, consistent sizes.
  explicit OffsetMap(std::vector<Replacement> replacements) : reps_(std::move(replacements)) {}

  size_t forward(size_t in_pos, Bias bias) const;
  size_t backward(size_t out_pos, Bias bias) const;
  Span forward(Span s) const;
  Span backward(Span s) const;
  const std::vector<Replacement>& replacements() const { return reps_; }

 private:
  std::vector<Replacement> reps_;
};

}  // namespace copydesk
