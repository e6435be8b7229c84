#include "pipeline/offset_map.h"

#include <doctest/doctest.h>

#include <string>

using copydesk::Bias;
using copydesk::OffsetMap;
using copydesk::Span;

TEST_CASE("OffsetMap maps positions around insertions and replacements") {
  // "countrys day" -> "country’s day" (3-byte insertion at 7), "day" -> "night" at 9..12.
  OffsetMap m({{{7, 7}, {7, 10}}, {{9, 12}, {12, 17}}});
  struct Row {
    const char* label;
    Span in;
    Span out;
  } rows[] = {
      {"before everything", {0, 7}, {0, 7}},        {"word after insertion", {7, 8}, {10, 11}},
      {"span across insertion", {5, 8}, {5, 11}},   {"replaced word", {9, 12}, {12, 17}},
      {"inside replaced word", {10, 11}, {12, 17}}, {"empty at end", {12, 12}, {17, 17}},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    CHECK(m.forward(r.in) == r.out);
  }
  CHECK(m.backward(Span{7, 10}) == Span{7, 7});  // the inserted apostrophe
  CHECK(m.backward(Span{12, 17}) == Span{9, 12});
  CHECK(m.backward(Span{17, 17}) == Span{12, 12});
}
