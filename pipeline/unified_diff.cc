#include "pipeline/unified_diff.h"

#include <algorithm>
#include <vector>

namespace copydesk {
namespace {

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    size_t end = nl == std::string_view::npos ? s.size() : nl + 1;
    out.push_back(s.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

enum class Op { kKeep, kDel, kAdd };
struct Step {
  Op op;
  size_t a, b;  // line indexes in before / after
};

// Line alignment: common prefix and suffix, then LCS on what is left (or a
// plain replacement when that is too large to align).
std::vector<Step> align(const std::vector<std::string_view>& a,
                        const std::vector<std::string_view>& b) {
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
    ++suf;
  const size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  std::vector<Step> steps;
  for (size_t i = 0; i < pre; ++i) steps.push_back({Op::kKeep, i, i});
  if (n * m <= 4'000'000) {
    std::vector<std::vector<uint32_t>> L(n + 1, std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        L[i][j] =
            a[pre + i] == b[pre + j] ? L[i + 1][j + 1] + 1 : std::max(L[i + 1][j], L[i][j + 1]);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        steps.push_back({Op::kKeep, pre + i++, pre + j++});
      } else if (i < n && (j == m || L[i + 1][j] >= L[i][j + 1])) {
        steps.push_back({Op::kDel, pre + i++, pre + j});  // deletions first, as diff(1) shows them
      } else {
        steps.push_back({Op::kAdd, pre + i, pre + j++});
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) steps.push_back({Op::kDel, pre + i, pre});
    for (size_t j = 0; j < m; ++j) steps.push_back({Op::kAdd, pre + n, pre + j});
  }
  for (size_t k = 0; k < suf; ++k)
    steps.push_back({Op::kKeep, a.size() - suf + k, b.size() - suf + k});
  return steps;
}

void add_line(std::string& out, char mark, std::string_view line) {
  out += mark;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after,
                         std::string_view label_before, std::string_view label_after) {
  if (before == after) return "";
  const auto a = split_lines(before), b = split_lines(after);
  const auto steps = align(a, b);
  constexpr size_t kContext = 3;
  std::string out = "--- " + std::string(label_before) + "\n+++ " + std::string(label_after) + "\n";
  size_t k = 0;
  while (k < steps.size()) {
    while (k < steps.size() && steps[k].op == Op::kKeep) ++k;
    if (k == steps.size()) break;
    // A hunk: from kContext before this change to kContext after the last
    // change that is within 2*kContext of the previous one.
    size_t start = k >= kContext ? k - kContext : 0;
    size_t end = k;
    while (true) {
      while (end < steps.size() && steps[end].op != Op::kKeep) ++end;
      size_t next = end;
      while (next < steps.size() && steps[next].op == Op::kKeep) ++next;
      if (next < steps.size() && next - end <= 2 * kContext) {
        end = next;
        continue;
      }
      end = std::min(steps.size(), end + kContext);
      break;
    }
    size_t a_start = steps[start].a, b_start = steps[start].b, a_len = 0, b_len = 0;
    for (size_t s = start; s < end; ++s) {
      a_len += steps[s].op != Op::kAdd;
      b_len += steps[s].op != Op::kDel;
    }
    out += "@@ -" + std::to_string(a_len ? a_start + 1 : a_start) + "," + std::to_string(a_len) +
           " +" + std::to_string(b_len ? b_start + 1 : b_start) + "," + std::to_string(b_len) +
           " @@\n";
    for (size_t s = start; s < end; ++s) {
      const Step& st = steps[s];
      if (st.op == Op::kKeep)
        add_line(out, ' ', a[st.a]);
      else if (st.op == Op::kDel)
        add_line(out, '-', a[st.a]);
      else
        add_line(out, '+', b[st.b]);
    }
    k = end;
  }
  return out;
}

}  // namespace copydesk
