#include "pipeline/progress.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <string>

using namespace copydesk;

TEST_CASE("progress: the line's text") {
  struct Row {
    const char* label;
    ProgressSnapshot s;
    size_t width;
    const char* want;
  } rows[] = {
      {"start: no rate yet", {0, 0, 0, std::nullopt, 0.1}, 0, "0 docs  0.0 MB  0 errors"},
      {"one document, one error", {1, 1, 2000000, std::nullopt, 0.2}, 0, "1 doc  2.0 MB  1 error"},
      {"stdin: rate, no ETA",
       {12480, 2, 310400000, std::nullopt, 10},
       0,
       "12,480 docs  310.4 MB  31.0 MB/s  2 errors"},
      {"known size: percent and ETA",
       {1000, 0, 50000000, 200000000, 10},
       0,
       "1,000 docs  50.0 MB  5.0 MB/s  25%  ETA 0:30  0 errors"},
      {"hours",
       {5, 0, 1000000, 10000000000, 1},
       0,
       "5 docs  1.0 MB  1.0 MB/s  0%  ETA 2:46:39  0 errors"},
      {"clipped to the width", {1000, 0, 50000000, 200000000, 10}, 20, "1,000 docs  50.0 MB "},
      {"done: never over 100%",
       {7, 0, 300, 200, 1},
       0,
       "7 docs  0.0 MB  0.0 MB/s  100%  ETA 0:00  0 errors"},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    CHECK(format_progress(r.s, r.width) == r.want);
  }
  CHECK(format_duration(59.6) == "1:00");
  CHECK(format_duration(3600) == "1:00:00");
  CHECK(format_duration(-1) == "--:--");
}

TEST_CASE("progress: a terminal line is erased by finish; plain lines end with a newline") {
  for (bool terminal : {true, false}) {
    CAPTURE(terminal);
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    {
      ProgressLine line(f, terminal, 100);
      line.start();
      line.add_document(false);
      line.set_input_bytes(100);
      line.run_cleared([&] { std::fputs("a log message\n", f); });
      line.finish();
    }
    std::rewind(f);
    std::string got;
    char buf[256];
    while (size_t n = std::fread(buf, 1, sizeof buf, f)) got.append(buf, n);
    std::fclose(f);
    CHECK(got.find("a log message\n") != std::string::npos);
    if (terminal) {
      CHECK(got.find('\n') == got.find("a log message\n") + 13);  // only the message's newline
    } else {
      CHECK(got.find("progress: 1 doc  0.0 MB") != std::string::npos);
      CHECK(got.back() == '\n');
    }
  }
}
