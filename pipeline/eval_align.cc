#include "pipeline/eval_align.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>

#include "pipeline/utf8.h"

namespace copydesk::eval {
namespace {

// Constants of score.py.
constexpr size_t kLcsCells = 40'000;
constexpr size_t kCharRegionLimit = 4'000'000;
constexpr size_t kTokenLcsCells = 2'500;
constexpr size_t kMergeTokens = 3;
constexpr size_t kShiftTokens = 16;

using Region = std::array<size_t, 4>;  // i1, i2, j1, j2

// --- Optimal LCS (score.py _lcs_ops) -----------------------------------------

template <class T>
std::vector<AlignOp> lcs_ops_t(const T* a, size_t n, const T* b, size_t m) {
  const size_t w = m + 1;
  std::vector<uint32_t> table((n + 1) * w, 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return table[i * w + j]; };
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      if (a[i] == b[j]) {
        at(i, j) = at(i + 1, j + 1) + 1;
      } else {
        uint32_t x = at(i + 1, j), y = at(i, j + 1);
        at(i, j) = x >= y ? x : y;
      }
    }
  }
  auto diag = [&](size_t i, size_t j) {
    return i < n && j < m && a[i] == b[j] && at(i, j) == at(i + 1, j + 1) + 1;
  };
  std::vector<AlignOp> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (diag(i, j)) {
      ++i;
      ++j;
      continue;
    }
    size_t i0 = i, j0 = j;
    while (i < n || j < m) {
      if (diag(i, j)) break;
      if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j)))
        ++j;
      else
        ++i;
    }
    ops.push_back({i0, i, j0, j});
  }
  return ops;
}

// --- difflib.SequenceMatcher, isjunk=None, autojunk=False --------------------

struct Match {
  size_t i, j, k;
};

template <class T>
class SequenceMatcher {
 public:
  SequenceMatcher(const T* a, size_t la, const T* b, size_t lb) : a_(a), b_(b), la_(la), lb_(lb) {
    for (size_t j = 0; j < lb; ++j) b2j_[b[j]].push_back(j);
  }

  // get_matching_blocks(), with the final (la, lb, 0) sentinel.
  std::vector<Match> matching_blocks() const {
    std::vector<std::array<size_t, 4>> queue{{0, la_, 0, lb_}};
    std::vector<Match> blocks;
    while (!queue.empty()) {
      auto [alo, ahi, blo, bhi] = queue.back();
      queue.pop_back();
      Match x = longest_match(alo, ahi, blo, bhi);
      if (x.k) {
        blocks.push_back(x);
        if (alo < x.i && blo < x.j) queue.push_back({alo, x.i, blo, x.j});
        if (x.i + x.k < ahi && x.j + x.k < bhi) queue.push_back({x.i + x.k, ahi, x.j + x.k, bhi});
      }
    }
    std::sort(blocks.begin(), blocks.end(), [](const Match& p, const Match& q) {
      return p.i != q.i ? p.i < q.i : p.j != q.j ? p.j < q.j : p.k < q.k;
    });
    std::vector<Match> out;
    size_t i1 = 0, j1 = 0, k1 = 0;
    for (const Match& m : blocks) {
      if (i1 + k1 == m.i && j1 + k1 == m.j) {
        k1 += m.k;
      } else {
        if (k1) out.push_back({i1, j1, k1});
        i1 = m.i;
        j1 = m.j;
        k1 = m.k;
      }
    }
    if (k1) out.push_back({i1, j1, k1});
    out.push_back({la_, lb_, 0});
    return out;
  }

  // Non-"equal" opcodes.
  std::vector<AlignOp> ops() const {
    std::vector<AlignOp> out;
    size_t i = 0, j = 0;
    for (const Match& m : matching_blocks()) {
      if (i < m.i || j < m.j) out.push_back({i, m.i, j, m.j});
      i = m.i + m.k;
      j = m.j + m.k;
    }
    return out;
  }

 private:
  Match longest_match(size_t alo, size_t ahi, size_t blo, size_t bhi) const {
    size_t besti = alo, bestj = blo, bestsize = 0;
    std::unordered_map<size_t, size_t> j2len, newj2len;
    for (size_t i = alo; i < ahi; ++i) {
      newj2len.clear();
      auto it = b2j_.find(a_[i]);
      if (it != b2j_.end()) {
        for (size_t j : it->second) {
          if (j < blo) continue;
          if (j >= bhi) break;
          size_t prev = 0;
          if (j > 0) {
            auto p = j2len.find(j - 1);
            if (p != j2len.end()) prev = p->second;
          }
          size_t k = newj2len[j] = prev + 1;
          if (k > bestsize) {
            besti = i - k + 1;
            bestj = j - k + 1;
            bestsize = k;
          }
        }
      }
      std::swap(j2len, newj2len);
    }
    // No junk: difflib's extension loops only extend over equal elements.
    while (besti > alo && bestj > blo && a_[besti - 1] == b_[bestj - 1]) {
      --besti;
      --bestj;
      ++bestsize;
    }
    while (besti + bestsize < ahi && bestj + bestsize < bhi &&
           a_[besti + bestsize] == b_[bestj + bestsize])
      ++bestsize;
    return {besti, bestj, bestsize};
  }

  const T* a_;
  const T* b_;
  size_t la_, lb_;
  std::unordered_map<T, std::vector<size_t>> b2j_;
};

// --- Tokens (score.py _TOKEN = r"\S+\s*|\s+", re.ASCII) ----------------------

bool ascii_space(char32_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Token boundaries of s[begin, end): offsets[0] = begin, ..., offsets.back() = end.
std::vector<size_t> token_offsets(const std::u32string& s, size_t begin, size_t end) {
  std::vector<size_t> offs{begin};
  size_t p = begin;
  while (p < end) {
    if (!ascii_space(s[p])) {
      while (p < end && !ascii_space(s[p])) ++p;
    }
    while (p < end && ascii_space(s[p])) ++p;
    offs.push_back(p);
  }
  return offs;
}

// --- Token alignment (score.py _token_regions, _anchors, _merge_regions) ------

std::vector<std::pair<size_t, size_t>> anchors(const std::vector<int>& ka,
                                               const std::vector<int>& kb, size_t i0, size_t i1,
                                               size_t j0, size_t j1) {
  std::unordered_map<int, size_t> ca, cb, seen;
  std::unordered_map<int, std::vector<size_t>> posb;
  for (size_t i = i0; i < i1; ++i) ++ca[ka[i]];
  for (size_t j = j0; j < j1; ++j) {
    ++cb[kb[j]];
    posb[kb[j]].push_back(j);
  }
  std::vector<std::pair<size_t, size_t>> pairs;
  for (size_t i = i0; i < i1; ++i) {
    int t = ka[i];
    auto it = cb.find(t);
    if (it != cb.end() && it->second == ca[t]) {
      size_t k = seen[t]++;
      pairs.emplace_back(i, posb[t][k]);
    }
  }
  // Longest increasing subsequence of the b positions (patience sorting).
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<size_t> tails, tail_idx, prev(pairs.size(), kNone);
  for (size_t k = 0; k < pairs.size(); ++k) {
    size_t j = pairs[k].second;
    size_t lo =
        static_cast<size_t>(std::lower_bound(tails.begin(), tails.end(), j) - tails.begin());
    if (lo == tails.size()) {
      tails.push_back(j);
      tail_idx.push_back(k);
    } else {
      tails[lo] = j;
      tail_idx[lo] = k;
    }
    prev[k] = lo ? tail_idx[lo - 1] : kNone;
  }
  std::vector<std::pair<size_t, size_t>> chain;
  size_t k = tail_idx.empty() ? kNone : tail_idx.back();
  while (k != kNone) {
    chain.push_back(pairs[k]);
    k = prev[k];
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

std::vector<Region> token_regions(const std::vector<int>& ka, const std::vector<int>& kb) {
  std::vector<Region> out;
  std::vector<Region> stack{{0, ka.size(), 0, kb.size()}};
  while (!stack.empty()) {
    auto [i0, i1, j0, j1] = stack.back();
    stack.pop_back();
    while (i0 < i1 && j0 < j1 && ka[i0] == kb[j0]) {
      ++i0;
      ++j0;
    }
    while (i1 > i0 && j1 > j0 && ka[i1 - 1] == kb[j1 - 1]) {
      --i1;
      --j1;
    }
    if (i0 == i1 || j0 == j1) {
      if (i0 != i1 || j0 != j1) out.push_back({i0, i1, j0, j1});
      continue;
    }
    if ((i1 - i0) * (j1 - j0) <= kTokenLcsCells) {
      for (const AlignOp& o : lcs_ops_t(ka.data() + i0, i1 - i0, kb.data() + j0, j1 - j0))
        out.push_back({i0 + o.i1, i0 + o.i2, j0 + o.j1, j0 + o.j2});
      continue;
    }
    auto anc = anchors(ka, kb, i0, i1, j0, j1);
    if (anc.empty()) {
      SequenceMatcher<int> sm(ka.data() + i0, i1 - i0, kb.data() + j0, j1 - j0);
      for (const AlignOp& o : sm.ops()) out.push_back({i0 + o.i1, i0 + o.i2, j0 + o.j1, j0 + o.j2});
      continue;
    }
    std::vector<Region> gaps;
    size_t pi = i0, pj = j0;
    for (auto [ai, aj] : anc) {
      gaps.push_back({pi, ai, pj, aj});
      pi = ai + 1;
      pj = aj + 1;
    }
    gaps.push_back({pi, i1, pj, j1});
    stack.insert(stack.end(), gaps.rbegin(), gaps.rend());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Region> merge_regions(const std::vector<Region>& regions, const std::vector<size_t>& ia,
                                  const std::vector<size_t>& ib) {
  std::vector<Region> merged;
  for (const Region& r : regions) {
    if (!merged.empty()) {
      Region& q = merged.back();
      size_t gap = r[0] - q[1];
      bool one_sided = (q[2] == q[3] && r[0] == r[1]) || (q[0] == q[1] && r[2] == r[3]);
      if (gap <= kMergeTokens || (one_sided && gap <= kShiftTokens)) {
        size_t cells = (ia[r[1]] - ia[q[0]]) * (ib[r[3]] - ib[q[2]]);
        if (gap == 0 || cells <= kLcsCells) {
          q[1] = r[1];
          q[3] = r[3];
          continue;
        }
      }
    }
    merged.push_back(r);
  }
  return merged;
}

size_t common_prefix(const std::u32string& a, const std::u32string& b, size_t sa, size_t sb,
                     size_t limit) {
  size_t n = std::min({a.size() - sa, b.size() - sb, limit});
  size_t k = 0;
  while (k < n && a[sa + k] == b[sb + k]) ++k;
  return k;
}

}  // namespace

std::vector<AlignOp> EvalAligner::ops(const std::u32string& a, const std::u32string& b) {
  if (a == b) return {};
  const size_t pre = common_prefix(a, b, 0, 0, static_cast<size_t>(-1));
  const size_t limit = std::min(a.size(), b.size()) - pre;
  size_t suf = 0;
  while (suf < limit && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  const size_t a0 = pre, a1 = a.size() - suf, b0 = pre, b1 = b.size() - suf;
  std::vector<size_t> ia = token_offsets(a, a0, a1);
  std::vector<size_t> ib = token_offsets(b, b0, b1);
  // Tokens as ids (equal strings, equal ids).
  std::unordered_map<std::u32string_view, int> ids;
  auto intern = [&](const std::u32string& s, const std::vector<size_t>& offs) {
    std::vector<int> out;
    out.reserve(offs.size() - 1);
    for (size_t k = 0; k + 1 < offs.size(); ++k) {
      std::u32string_view t(s.data() + offs[k], offs[k + 1] - offs[k]);
      out.push_back(ids.try_emplace(t, static_cast<int>(ids.size())).first->second);
    }
    return out;
  };
  std::vector<int> ta = intern(a, ia), tb = intern(b, ib);
  std::vector<AlignOp> out;
  for (const Region& r : merge_regions(token_regions(ta, tb), ia, ib))
    chars(a, b, ia[r[0]], ia[r[1]], ib[r[2]], ib[r[3]], out);
  return out;
}

void EvalAligner::chars(const std::u32string& a, const std::u32string& b, size_t a0, size_t a1,
                        size_t b0, size_t b1, std::vector<AlignOp>& out) {
  if (a0 == a1 || b0 == b1) {
    if (a0 != a1 || b0 != b1) out.push_back({a0, a1, b0, b1});
    return;
  }
  const size_t pre = common_prefix(a, b, a0, b0, std::min(a1 - a0, b1 - b0));
  a0 += pre;
  b0 += pre;
  size_t suf = 0;
  while (suf < std::min(a1 - a0, b1 - b0) && a[a1 - 1 - suf] == b[b1 - 1 - suf]) ++suf;
  a1 -= suf;
  b1 -= suf;
  if (a0 == a1 || b0 == b1) {
    if (a0 != a1 || b0 != b1) out.push_back({a0, a1, b0, b1});
    return;
  }
  const size_t size = (a1 - a0) * (b1 - b0);
  std::vector<AlignOp> ops;
  if (size <= kLcsCells) {
    ops = lcs_ops_t(a.data() + a0, a1 - a0, b.data() + b0, b1 - b0);
  } else if (size <= kCharRegionLimit) {
    ops = SequenceMatcher<char32_t>(a.data() + a0, a1 - a0, b.data() + b0, b1 - b0).ops();
  } else {
    ++coarse_regions_;
    out.push_back({a0, a1, b0, b1});
    return;
  }
  for (const AlignOp& o : ops) out.push_back({a0 + o.i1, a0 + o.i2, b0 + o.j1, b0 + o.j2});
}

size_t edit_distance(const std::vector<AlignOp>& ops) {
  size_t d = 0;
  for (const AlignOp& o : ops) d += std::max(o.i2 - o.i1, o.j2 - o.j1);
  return d;
}

std::vector<AlignOp> difflib_ops(const std::vector<int>& a, const std::vector<int>& b) {
  return SequenceMatcher<int>(a.data(), a.size(), b.data(), b.size()).ops();
}

std::vector<std::pair<size_t, size_t>> difflib_pairs(const std::vector<int>& a,
                                                     const std::vector<int>& b) {
  std::vector<std::pair<size_t, size_t>> pairs;
  if (a == b) {
    for (size_t k = 0; k < a.size(); ++k) pairs.emplace_back(k, k);
    return pairs;
  }
  for (const Match& m :
       SequenceMatcher<int>(a.data(), a.size(), b.data(), b.size()).matching_blocks())
    for (size_t k = 0; k < m.k; ++k) pairs.emplace_back(m.i + k, m.j + k);
  return pairs;
}

std::vector<AlignOp> lcs_ops(const std::vector<int>& a, const std::vector<int>& b) {
  return lcs_ops_t(a.data(), a.size(), b.data(), b.size());
}

std::u32string to_u32(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  int32_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      out.push_back(p[i++]);
      continue;
    }
    int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) {
      out.push_back(0xFFFD);
      i = start + 1;
    } else {
      out.push_back(static_cast<char32_t>(c));
    }
  }
  return out;
}

std::string to_utf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) {
    if (c < 0x80)
      out.push_back(static_cast<char>(c));
    else
      append_utf8(out, c);
  }
  return out;
}

}  // namespace copydesk::eval
