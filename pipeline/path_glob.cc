#include "pipeline/path_glob.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace copydesk {

bool glob_match(std::string_view p, std::string_view t) {
  if (p.empty()) return t.empty();
  if (p.substr(0, 2) == "**") {
    std::string_view rest = p.substr(2);
    if (!rest.empty() && rest[0] == '/') {
      // "**/x" also matches "x" (zero folders).
      if (glob_match(rest.substr(1), t)) return true;
    }
    for (size_t i = 0; i <= t.size(); ++i)
      if (glob_match(rest, t.substr(i))) return true;
    return false;
  }
  if (p[0] == '*') {
    for (size_t i = 0; i <= t.size(); ++i) {
      if (glob_match(p.substr(1), t.substr(i))) return true;
      if (i < t.size() && t[i] == '/') break;
    }
    return false;
  }
  if (t.empty()) return false;
  if (p[0] == '?') return t[0] != '/' && glob_match(p.substr(1), t.substr(1));
  return p[0] == t[0] && glob_match(p.substr(1), t.substr(1));
}

bool path_section_matches(std::string_view pattern, const std::string& base_dir,
                          const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::weakly_canonical(fs::absolute(path, ec), ec);
  fs::path base = fs::weakly_canonical(fs::absolute(base_dir.empty() ? "." : base_dir, ec), ec);
  std::string rel = fs::relative(abs, base, ec).generic_string();
  if (ec || rel.empty() || rel.rfind("..", 0) == 0) rel = fs::path(path).generic_string();
  if (pattern.find('/') == std::string_view::npos)
    return glob_match(pattern, fs::path(rel).filename().string());
  if (!pattern.empty() && pattern[0] == '/') pattern.remove_prefix(1);
  return glob_match(pattern, rel);
}

}  // namespace copydesk
