#include "pipeline/stage.h"

#include <charconv>

#include "pipeline/severity.h"

namespace copydesk {

std::string StageContext::get(const std::string& key, const std::string& fallback) const {
  read_keys.insert(key);
  auto it = settings.find(key);
  return it == settings.end() ? fallback : it->second;
}

double StageContext::get_double(const std::string& key, double fallback) const {
  read_keys.insert(key);
  auto it = settings.find(key);
  if (it == settings.end()) return fallback;
  try {
    size_t used = 0;
    double v = std::stod(it->second, &used);
    if (used != it->second.size()) throw std::invalid_argument("trailing characters");
    return v;
  } catch (const std::exception&) {
    throw ConfigError("setting '" + key + "': not a number: '" + it->second + "'");
  }
}

bool StageContext::get_bool(const std::string& key, bool fallback) const {
  read_keys.insert(key);
  auto it = settings.find(key);
  if (it == settings.end()) return fallback;
  const std::string& v = it->second;
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  throw ConfigError("setting '" + key + "': expected true or false, got '" + v + "'");
}

std::string StageContext::data_path(const std::string& name) const {
  if (!name.empty() && name[0] == '/') return name;
  return data_dir + "/" + name;
}

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kSuggestion:
      return "suggestion";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "warning";
}

std::optional<Severity> parse_severity(std::string_view name) {
  if (name == "suggestion") return Severity::kSuggestion;
  if (name == "warning") return Severity::kWarning;
  if (name == "error") return Severity::kError;
  return std::nullopt;
}

}  // namespace copydesk
