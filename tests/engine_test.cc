#include "pipeline/engine.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/test_support.h"

namespace fs = std::filesystem;
using namespace copydesk;

TEST_CASE("engine: every document once, in input order, whatever the thread count") {
  fs::path p =
      fs::temp_directory_path() / ("copydesk-engine-" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream out(p);
    for (int i = 0; i < 1000; ++i) {
      if (i % 97 == 0)
        out << "{broken\n";
      else
        out << "{\"id\":\"" << i << "\",\"text\":\"document " << i << "\"}\n";
    }
  }
  const Pipeline& pipeline = testing::cached_pipeline({"normalise", "restore"});
  struct Row {
    size_t threads, batch, in_flight;
  } rows[] = {{1, 16, 0}, {2, 1, 1}, {4, 7, 2}, {3, 64, 0}};
  for (const auto& r : rows) {
    CAPTURE(r.threads);
    CAPTURE(r.batch);
    DocumentReader reader(expand_inputs({p.string()}), {});
    std::vector<std::string> ids;
    size_t errors = 0;
    run_engine(reader, pipeline, {r.threads, r.batch, r.in_flight},
               [&](Document& d, const std::vector<StageCounters>&) {
                 ids.push_back(d.id);
                 errors += d.error.has_value();
               });
    REQUIRE(ids.size() == 1000);
    CHECK(errors == 11);
    for (int i = 1; i < 1000; ++i)
      if (i % 97 != 0) CHECK(ids[i] == std::to_string(i));
  }
  fs::remove(p);
}
