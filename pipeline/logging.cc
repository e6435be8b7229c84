#include "pipeline/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace copydesk {

void use_stderr_logger() {
  auto logger = spdlog::get("copydesk");
  if (!logger) {
    logger = spdlog::stderr_logger_mt("copydesk");
    logger->set_pattern("copydesk: %l: %v");
  }
  spdlog::set_default_logger(logger);
}

}  // namespace copydesk
