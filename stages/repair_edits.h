// Edits inside the repair stage: each repair pass (entities, one mojibake
// layer) proposes edits on the text it sees; the stage applies the sure ones
// to get the next pass's text and composes the passes into one list of edits
// on the stage's input (what the runner gets).
//
//   std::vector<RepairEdit> e1 = ...;                  // on t0
//   std::string t1 = apply_repair_edits(t0, e1);
//   std::vector<RepairEdit> e2 = ...;                  // on t1
//   std::vector<RepairEdit> e02 = compose_repair_edits(e1, t1, e2);  // on t0
//   // apply_repair_edits(t0, e02) == apply_repair_edits(t1, e2)
//
// Offsets are UTF-8 byte offsets, half-open.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/span.h"

namespace copydesk::repair {

struct RepairEdit {
  Span span;
  std::string replacement;
  std::string rule;
  double confidence = 1.0;
  std::string evidence;
};

// Applies sorted, non-overlapping edits.
std::string apply_repair_edits(std::string_view text, const std::vector<RepairEdit>& edits);

// Composes edits `first` (on t0, giving t1) with `second` (on t1): the result
// is on t0 and gives what applying both in turn gives. An edit of `second`
// that overlaps outputs of `first` is merged with them into one edit; the
// merged edit carries the rules of both (joined by '+', second last), the
// lowest confidence and both evidences. Untouched edits keep their identity.
std::vector<RepairEdit> compose_repair_edits(const std::vector<RepairEdit>& first,
                                             std::string_view t1,
                                             const std::vector<RepairEdit>& second);

// Maps a span of t1 back to t0 through `edits` (on t0, giving t1); nullopt
// when it overlaps the output of an edit (that text did not exist in t0).
std::optional<Span> map_back(const std::vector<RepairEdit>& edits, Span span_in_t1);

}  // namespace copydesk::repair
