#include "tests/test_support.h"

#include <mutex>

namespace copydesk::testing {

const Pipeline& cached_pipeline(const std::vector<std::string>& stages) {
  static std::mutex mu;
  static std::map<std::vector<std::string>, Pipeline> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(stages);
  if (it == cache.end()) it = cache.emplace(stages, Pipeline::build(stages, test_settings())).first;
  return it->second;
}

}  // namespace copydesk::testing
