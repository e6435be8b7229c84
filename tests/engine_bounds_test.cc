// The engine's byte bound: documents larger than the budget still run (one
// batch at a time), in order, none lost; never more than the budget in flight
// beyond a single batch.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pipeline/engine.h"
#include "tests/test_support.h"

namespace fs = std::filesystem;
using namespace copydesk;

TEST_CASE("engine: byte bound on documents in flight") {
  fs::path p =
      fs::temp_directory_path() / ("copydesk-bounds-" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream out(p);
    for (int i = 0; i < 300; ++i)
      out << "{\"id\":\"" << i << "\",\"text\":\""
          << std::string(static_cast<size_t>(100 + (i % 7) * 500), 'a') << "\"}\n";
  }
  const Pipeline& pipeline = testing::cached_pipeline({"normalise"});
  struct Row {
    const char* label;
    EngineOptions o;
  } rows[] = {
      {"budget below one document", {2, 4, 0, 50}},
      {"budget of a few documents", {2, 8, 0, 5000}},
      {"no byte bound", {3, 16, 0, 0}},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    DocumentReader reader(expand_inputs({p.string()}), {});
    std::vector<std::string> ids;
    run_engine(reader, pipeline, r.o,
               [&](Document& d, const std::vector<StageCounters>&) { ids.push_back(d.id); });
    REQUIRE(ids.size() == 300);
    for (int i = 0; i < 300; ++i) CHECK(ids[static_cast<size_t>(i)] == std::to_string(i));
  }
  fs::remove(p);
}
