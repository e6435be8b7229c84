#include "stages/repair_edits.h"

#include <algorithm>

namespace copydesk::repair {
namespace {

// Whether two spans of one text touch the same bytes (an empty span counts
// when it lies strictly inside the other, or both are empty at one place).
bool interacts(Span a, Span b) {
  if (a.empty() && b.empty()) return a.begin == b.begin;
  if (a.empty()) return b.begin < a.begin && a.begin < b.end;
  if (b.empty()) return a.begin < b.begin && b.begin < a.end;
  return a.begin < b.end && b.begin < a.end;
}

void join_into(std::string& into, const std::string& more, const char* sep) {
  if (more.empty()) return;
  if (!into.empty()) into += sep;
  into += more;
}

}  // namespace

std::string apply_repair_edits(std::string_view text, const std::vector<RepairEdit>& edits) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (const auto& e : edits) {
    out.append(text.substr(pos, e.span.begin - pos));
    out += e.replacement;
    pos = e.span.end;
  }
  out.append(text.substr(pos));
  return out;
}

std::vector<RepairEdit> compose_repair_edits(const std::vector<RepairEdit>& first,
                                             std::string_view t1,
                                             const std::vector<RepairEdit>& second) {
  if (second.empty()) return first;
  // Outputs of `first` in t1 coordinates.
  std::vector<Span> out1;
  out1.reserve(first.size());
  long long shift = 0;
  for (const auto& e : first) {
    size_t b = static_cast<size_t>(static_cast<long long>(e.span.begin) + shift);
    out1.push_back({b, b + e.replacement.size()});
    shift += static_cast<long long>(e.replacement.size()) - static_cast<long long>(e.span.size());
  }

  std::vector<RepairEdit> result;
  size_t i = 0, j = 0;
  long long cum = 0;  // t1 - t0 offset after the `first` edits before index i
  while (i < first.size() || j < second.size()) {
    bool start_first =
        j == second.size() || (i < first.size() && out1[i].begin <= second[j].span.begin);
    std::vector<size_t> g1, g2;  // members of this group
    if (start_first)
      g1.push_back(i++);
    else
      g2.push_back(j++);
    for (bool grew = true; grew;) {
      grew = false;
      if (i < first.size()) {
        for (size_t m : g2)
          if (interacts(out1[i], second[m].span)) {
            g1.push_back(i++);
            grew = true;
            break;
          }
      }
      if (j < second.size()) {
        for (size_t m : g1)
          if (interacts(out1[m], second[j].span)) {
            g2.push_back(j++);
            grew = true;
            break;
          }
      }
    }
    long long cum_before = cum;
    for (size_t m : g1)
      cum += static_cast<long long>(first[m].replacement.size()) -
             static_cast<long long>(first[m].span.size());
    if (g2.empty()) {
      result.push_back(first[g1[0]]);
      continue;
    }
    if (g1.empty()) {
      RepairEdit e = second[g2[0]];
      e.span.begin = static_cast<size_t>(static_cast<long long>(e.span.begin) - cum_before);
      e.span.end = static_cast<size_t>(static_cast<long long>(e.span.end) - cum_before);
      result.push_back(std::move(e));
      continue;
    }
    // A merged group: its range in t1, mapped back to t0 at both ends.
    size_t lo = std::min(out1[g1.front()].begin, second[g2.front()].span.begin);
    size_t hi = std::max(out1[g1.back()].end, second[g2.back()].span.end);
    RepairEdit merged;
    merged.span.begin = out1[g1.front()].begin == lo
                            ? first[g1.front()].span.begin
                            : static_cast<size_t>(static_cast<long long>(lo) - cum_before);
    merged.span.end = out1[g1.back()].end == hi
                          ? first[g1.back()].span.end
                          : static_cast<size_t>(static_cast<long long>(hi) - cum);
    size_t pos = lo;
    for (size_t m : g2) {
      merged.replacement.append(t1.substr(pos, second[m].span.begin - pos));
      merged.replacement += second[m].replacement;
      pos = second[m].span.end;
    }
    merged.replacement.append(t1.substr(pos, hi - pos));
    merged.confidence = 1.0;
    std::string rules1, rules2;
    for (size_t m : g1) {
      if (rules1.find(first[m].rule) == std::string::npos) join_into(rules1, first[m].rule, "+");
      merged.confidence = std::min(merged.confidence, first[m].confidence);
      join_into(merged.evidence, first[m].evidence, "; ");
    }
    for (size_t m : g2) {
      if (rules2.find(second[m].rule) == std::string::npos) join_into(rules2, second[m].rule, "+");
      merged.confidence = std::min(merged.confidence, second[m].confidence);
      join_into(merged.evidence, second[m].evidence, "; ");
    }
    // The same rule applied in two layers (double mojibake) keeps one name.
    merged.rule = rules1 == rules2 ? rules1 : rules1 + "+" + rules2;
    result.push_back(std::move(merged));
  }
  return result;
}

std::optional<Span> map_back(const std::vector<RepairEdit>& edits, Span span) {
  long long shift = 0;
  for (const auto& e : edits) {
    size_t ob = static_cast<size_t>(static_cast<long long>(e.span.begin) + shift);
    Span out{ob, ob + e.replacement.size()};
    if (out.end <= span.begin) {
      shift += static_cast<long long>(e.replacement.size()) - static_cast<long long>(e.span.size());
      continue;
    }
    if (out.begin >= span.end) break;
    return std::nullopt;
  }
  return Span{static_cast<size_t>(static_cast<long long>(span.begin) - shift),
              static_cast<size_t>(static_cast<long long>(span.end) - shift)};
}

}  // namespace copydesk::repair
