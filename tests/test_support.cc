#include "tests/test_support.h"

#include <mutex>

namespace copydesk::testing {

const Pipeline& cached_pipeline(const std::vector<std::string>& stages,
                                const std::map<std::string, std::string>& values) {
  static std::mutex mu;
  using Key = std::pair<std::vector<std::string>, std::map<std::string, std::string>>;
  static std::map<Key, Pipeline> cache;
  std::lock_guard<std::mutex> lock(mu);
  Key key{stages, values};
  auto it = cache.find(key);
  if (it == cache.end())
    it = cache.emplace(key, Pipeline::build(stages, test_settings(values))).first;
  return it->second;
}

}  // namespace copydesk::testing
