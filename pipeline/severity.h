// Severity of a finding, ordered: suggestion < warning < error.
#pragma once

#include <optional>
#include <string_view>

namespace copydesk {

enum class Severity { kSuggestion = 0, kWarning = 1, kError = 2 };

std::string_view severity_name(Severity s);
// Parses "suggestion", "warning" or "error"; nullopt otherwise.
std::optional<Severity> parse_severity(std::string_view name);

}  // namespace copydesk
