// flag-slips.weekday-date.v1: a weekday that does not match its date.
//
//   std::vector<Finding> out;
//   find_weekday_date_slips(view.text, view.tokens, "flag-slips.weekday-date.v1",
//                           Severity::kWarning, out);
//   // "Monday, March 4, 2025" -> finding on "Monday", suggestion "Tuesday"
//
// Dates read: "Weekday, Month D, YYYY", "Weekday Month D YYYY", "Weekday, D
// Month YYYY", "Weekday the Dth of Month, YYYY" (ordinals "4th", month
// abbreviations "Sept.", a comma or not). A date without a year is left
// alone: its year is a guess. Calendar: proleptic Gregorian.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/edit.h"
#include "pipeline/severity.h"
#include "pipeline/tokens.h"

namespace copydesk {

// 0 = Monday ... 6 = Sunday, for a valid Gregorian date; -1 when the date does not exist.
int weekday_of(int year, int month, int day);

void find_weekday_date_slips(std::string_view text, const TokenList& tokens,
                             const std::string& rule, Severity severity, std::vector<Finding>& out);

}  // namespace copydesk
