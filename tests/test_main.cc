#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
  // Stages log expected warnings in negative tests; keep the report readable.
  spdlog::set_level(spdlog::level::err);
  doctest::Context context(argc, argv);
  return context.run();
}
