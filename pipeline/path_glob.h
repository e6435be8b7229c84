// Path patterns for per-path config sections ("[news/**]", "[*.md]"), with
// EditorConfig's meaning: "*" matches within one path segment, "**" across
// segments, "?" one character; a pattern without '/' matches the file name
// at any depth. Paths are matched relative to the config file's folder.
#pragma once

#include <string>
#include <string_view>

namespace copydesk {

bool glob_match(std::string_view pattern, std::string_view text);

// True when `path` (as given on the command line) falls under `pattern`
// written in a config file that lives in `base_dir`.
bool path_section_matches(std::string_view pattern, const std::string& base_dir,
                          const std::string& path);

}  // namespace copydesk
