// The known stages, in their default order, and how to build them by name.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/stage.h"

namespace copydesk {

struct StageInfo {
  std::string_view name;
  std::string_view summary;
  std::unique_ptr<Stage> (*make)(const StageContext&);
};

// Every stage, in the order the default pipeline runs them.
const std::vector<StageInfo>& all_stages();
const StageInfo* find_stage(std::string_view name);

}  // namespace copydesk
