#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace copydesk {

std::unique_ptr<Stage> make_repair_stage(const StageContext& ctx);

}  // namespace copydesk
