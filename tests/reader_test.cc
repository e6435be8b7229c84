#include "pipeline/reader.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/test_support.h"

namespace fs = std::filesystem;
using namespace copydesk;

namespace {

using copydesk::testing::TempDir;

std::vector<Document> read_all(std::vector<std::string> args, ReaderOptions o = {}) {
  DocumentReader r(expand_inputs(args), o);
  std::vector<Document> docs;
  Document d;
  while (r.next(d)) docs.push_back(d);
  return docs;
}

}  // namespace

TEST_CASE("JSON Lines: one document per record, errors as records, fields pass through") {
  TempDir t;
  std::string p = t.write("a.jsonl",
                          "{\"id\":\"x\",\"text\":\"caf\\u00e9\",\"lang\":\"fr\",\"n\":[1,2]}\n"
                          "\n"
                          "{\"id\":7,\"text\":\"seven\"}\n"
                          "not json\n"
                          "{\"id\":\"y\",\"body\":\"no text\"}\n"
                          "{\"id\":\"z\",\"text\":3}\n"
                          "{\"text\":\"no id\"}");
  auto docs = read_all({p});
  REQUIRE(docs.size() == 6);
  CHECK(docs[0].id == "x");
  CHECK(docs[0].original == "caf\u00e9");
  CHECK(docs[0].passthrough_json == R"("lang":"fr","n":[1,2])");
  CHECK_FALSE(docs[0].error);
  CHECK(docs[1].id == "7");
  CHECK(docs[2].error->code == "invalid-json");
  CHECK(docs[2].id == p + ":4");
  CHECK(docs[3].error->code == "missing-field");
  CHECK(docs[3].id == "y");
  CHECK(docs[4].error->code == "bad-field");
  CHECK(docs[5].id == p + ":7");
  CHECK(docs[5].original == "no id");
}

TEST_CASE("text inputs: files, sorted directories, size limit, missing files") {
  TempDir t;
  t.write("d/b.txt", "second");
  t.write("d/a/z.txt", "first");
  std::string big = t.write("big.txt", std::string(100, 'x'));
  ReaderOptions o;
  o.max_document_bytes = 50;
  auto docs = read_all({(t.path / "d").string(), big, (t.path / "missing.txt").string()}, o);
  REQUIRE(docs.size() == 4);
  CHECK(docs[0].original == "first");
  CHECK(docs[1].original == "second");
  CHECK(docs[2].error->code == "too-large");
  CHECK(docs[3].error->code == "unreadable-file");
}
