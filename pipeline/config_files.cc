#include "pipeline/config_files.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace copydesk {

std::string find_data_dir(const std::string& requested) {
  if (!requested.empty()) return requested;
  if (const char* env = std::getenv("COPYDESK_DATA_DIR"); env && *env) return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const std::string dir = ec ? std::string(".") : exe.parent_path().string();
  for (const std::string& cand : {dir + "/../share/copydesk", dir + "/../config"}) {
    if (fs::exists(cand + "/copydesk.ini", ec)) return fs::weakly_canonical(cand, ec).string();
  }
  return COPYDESK_SOURCE_CONFIG_DIR;
}

std::string discover_config() {
  std::error_code ec;
  fs::path dir = fs::current_path(ec);
  if (ec) return "";
  while (true) {
    fs::path cand = dir / ".copydesk.ini";
    if (fs::is_regular_file(cand, ec)) return cand.string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) return "";
    dir = dir.parent_path();
  }
}

}  // namespace copydesk
