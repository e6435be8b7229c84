#include "stages/flag_slips_dates.h"

#include <array>
#include <charconv>

namespace copydesk {
namespace {

constexpr std::array<const char*, 7> kWeekdays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                  "Friday", "Saturday", "Sunday"};

int weekday_index(std::string_view w) {
  for (size_t i = 0; i < kWeekdays.size(); ++i)
    if (w == kWeekdays[i]) return static_cast<int>(i);
  return -1;
}

// "March", "Mar", "Sept" (the period is a separate token) -> 1..12, else 0.
int month_index(std::string_view w) {
  static const std::array<const char*, 12> kFull = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  for (size_t i = 0; i < kFull.size(); ++i) {
    const std::string_view full = kFull[i];
    if (w == full) return static_cast<int>(i) + 1;
    if (w.size() == 3 && full.substr(0, 3) == w && w != "May") return static_cast<int>(i) + 1;
  }
  if (w == "Sept") return 9;
  return 0;
}

// "4", "4th", "21st", "22nd", "23rd" -> the day, else 0.
int day_number(std::string_view w) {
  size_t digits = 0;
  while (digits < w.size() && w[digits] >= '0' && w[digits] <= '9') ++digits;
  if (digits == 0 || digits > 2) return 0;
  const std::string_view rest = w.substr(digits);
  if (!rest.empty() && rest != "st" && rest != "nd" && rest != "rd" && rest != "th") return 0;
  int d = 0;
  std::from_chars(w.data(), w.data() + digits, d);
  return d >= 1 && d <= 31 ? d : 0;
}

int year_number(std::string_view w) {
  if (w.size() != 4) return 0;
  int y = 0;
  if (std::from_chars(w.data(), w.data() + 4, y).ec != std::errc()) return 0;
  return y >= 1583 && y <= 2999 ? y : 0;
}

}  // namespace

int weekday_of(int year, int month, int day) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return -1;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return -1;
  // Days since 1970-01-01 (Howard Hinnant's days_from_civil), a Thursday.
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const long days = static_cast<long>(era) * 146097 + doe - 719468;
  return static_cast<int>(((days % 7) + 7 + 3) % 7);  // 1970-01-01: index 3 (Thursday)
}

void find_weekday_date_slips(std::string_view text, const TokenList& tokens,
                             const std::string& rule, Severity severity,
                             std::vector<Finding>& out) {
  // Significant tokens on the same line after i: words, numbers, punctuation.
  auto next = [&](size_t i) -> size_t {
    for (size_t k = i + 1; k < tokens.size(); ++k) {
      if (tokens[k].kind == TokenKind::kSpace) continue;
      if (tokens[k].kind == TokenKind::kNewline) return tokens.size();
      return k;
    }
    return tokens.size();
  };
  auto at = [&](size_t i) -> std::string_view {
    return i < tokens.size() ? tokens[i].in(text) : std::string_view();
  };
  auto skip = [&](size_t i, std::string_view p) { return at(i) == p ? next(i) : i; };
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!tokens[i].is_word() || !tokens[i].has_upper_initial) continue;
    const int written = weekday_index(tokens[i].in(text));
    if (written < 0) continue;
    size_t k = skip(next(i), ",");
    int month = 0, day = 0, year = 0;
    if ((month = month_index(at(k))) != 0) {
      // Month D[,] YYYY
      k = skip(next(k), ".");
      day = day_number(at(k));
      k = skip(next(k), ",");
      year = year_number(at(k));
    } else {
      // [the] D [of] Month[,] YYYY
      k = skip(k, "the");
      day = day_number(at(k));
      k = skip(next(k), "of");
      month = month_index(at(k));
      k = skip(skip(next(k), "."), ",");
      year = year_number(at(k));
    }
    if (!month || !day || !year) continue;
    const int actual = weekday_of(year, month, day);
    if (actual < 0 || actual == written) continue;
    std::string_view date = text.substr(tokens[i].end, tokens[k].end - tokens[i].end);
    while (!date.empty() && (date.front() == ',' || date.front() == ' ')) date.remove_prefix(1);
    Finding f;
    f.span = tokens[i].span();
    f.rule = rule;
    f.severity = severity;
    f.suggestion = kWeekdays[actual];
    f.message = std::string(date) + " fell on a " + kWeekdays[actual] + ", not a " +
                kWeekdays[written] + "; check the weekday or the date";
    f.confidence = 0.85;
    out.push_back(std::move(f));
  }
}

}  // namespace copydesk
