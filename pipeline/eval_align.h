// Character alignment for `copydesk eval`: a faithful port of the Aligner in
// the shared scorer (eval/score.py), so that the insertions and collateral
// edits eval counts are the ones score.py would count.
//
//   std::u32string a = to_u32("dont go"), b = to_u32("don\u2019t go");
//   EvalAligner al;
//   auto ops = al.ops(a, b);   // {{3, 3, 3, 4}}: a[3:3] became b[3:4]
//
// Units: offsets are CODE POINT indices into std::u32string (score.py counts
// Python str characters), not UTF-8 bytes; convert at the edges.
//
// Method (as score.py): common prefix and suffix are trimmed; whitespace-
// delimited tokens (a run of non-ASCII-whitespace plus the ASCII whitespace
// after it) are aligned (patience-style anchors on tokens occurring equally
// often on both sides, optimal LCS in small gaps, difflib's SequenceMatcher in
// large ones); changed token regions a few tokens apart are merged; characters
// are aligned inside each merged region (optimal LCS up to 40,000 cells,
// SequenceMatcher up to 4,000,000, beyond that the region counts whole and
// coarse_regions() goes up). Tie-breaking follows the Python code exactly.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace copydesk::eval {

// a[i1, i2) became b[j1, j2); everything outside the ops is equal.
struct AlignOp {
  size_t i1 = 0, i2 = 0, j1 = 0, j2 = 0;
  friend bool operator==(const AlignOp&, const AlignOp&) = default;
};

class EvalAligner {
 public:
  std::vector<AlignOp> ops(const std::u32string& a, const std::u32string& b);
  size_t coarse_regions() const { return coarse_regions_; }

 private:
  void chars(const std::u32string& a, const std::u32string& b, size_t a0, size_t a1, size_t b0,
             size_t b1, std::vector<AlignOp>& out);
  size_t coarse_regions_ = 0;
};

// Sum over the regions of max(len(a side), len(b side)) (score.py edit_distance).
size_t edit_distance(const std::vector<AlignOp>& ops);

// Non-equal regions of difflib.SequenceMatcher(None, a, b, autojunk=False)
// .get_opcodes(), and its matched index pairs (get_matching_blocks expanded).
std::vector<AlignOp> difflib_ops(const std::vector<int>& a, const std::vector<int>& b);
std::vector<std::pair<size_t, size_t>> difflib_pairs(const std::vector<int>& a,
                                                     const std::vector<int>& b);

// Optimal LCS alignment's non-equal regions (score.py _lcs_ops).
std::vector<AlignOp> lcs_ops(const std::vector<int>& a, const std::vector<int>& b);

// UTF-8 <-> code points. Invalid bytes decode to U+FFFD, one per byte.
std::u32string to_u32(std::string_view utf8);
std::string to_utf8(std::u32string_view s);

}  // namespace copydesk::eval
