// Tests for the model file (pipeline/model_file.h): a round trip of
// sections, records and blobs; misses (also past a matching slot tag);
// multi-part key hashing; tables that outlive their ModelFile; and
// every kind of damaged file rejected with a ConfigError, never a crash.
#include "pipeline/model_file.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "pipeline/stage.h"

namespace fs = std::filesystem;
using copydesk::ConfigError;
using copydesk::model_hash;
using copydesk::ModelEntry;
using copydesk::ModelFile;
using copydesk::ModelFileWriter;
using copydesk::ModelHash;
using copydesk::ModelTable;

namespace {

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("copydesk-model-" + std::to_string(::getpid()) + "-" + name);
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

ModelFileWriter sample() {
  ModelFileWriter w;
  auto& words = w.table("words", 2, true);
  words.add("dont", {8.5f, 0.25f}, "don\u2019t");
  words.add("its", {120.0f, 0.5f}, "it\u2019s");
  words.add("plain", {3.0f, 0.0f});
  auto& big = w.table("numbers", 1);
  for (int i = 0; i < 1000; ++i) big.add("n" + std::to_string(i), {static_cast<float>(i)});
  w.table("empty", 3);
  return w;
}

}  // namespace

TEST_CASE("model file: round trip") {
  const fs::path p = temp_path("round.bin");
  sample().write(p.string());
  {
    const ModelFile f = ModelFile::open(p.string());
    CHECK(f.has("words"));
    CHECK_FALSE(f.has("nope"));
    const ModelTable words = f.table("words", 2);
    CHECK(words.size() == 3);
    ModelEntry e = words.find(model_hash("dont"));
    REQUIRE(e);
    CHECK(e.value(0) == 8.5f);
    CHECK(e.value(1) == 0.25f);
    CHECK(e.blob() == "don\u2019t");
    e = words.find(model_hash("plain"));
    REQUIRE(e);
    CHECK(e.blob().empty());
    CHECK_FALSE(words.find(model_hash("missing")));
    // Multi-part keys hash their parts in a row.
    CHECK(ModelHash().add("do").add('n').add("t").value() == model_hash("dont"));
    const ModelTable numbers = f.table("numbers", 1);
    CHECK(numbers.size() == 1000);
    int found = 0;
    for (int i = 0; i < 1000; ++i) {
      ModelEntry n = numbers.find(model_hash("n" + std::to_string(i)));
      if (n && n.value(0) == static_cast<float>(i)) ++found;
    }
    CHECK(found == 1000);
    CHECK_FALSE(numbers.find(model_hash("n1000")));
    CHECK(f.table("empty", 3).size() == 0);
    CHECK_FALSE(f.table("empty", 3).find(model_hash("x")));
    // Slot iteration sees every entry once.
    size_t seen = 0;
    for (size_t s = 0; s < numbers.slot_count(); ++s) seen += numbers.at_slot(s) ? 1 : 0;
    CHECK(seen == 1000);
    // Wrong record size or section name: clear errors.
    CHECK_THROWS_AS(f.table("words", 3), ConfigError);
    CHECK_THROWS_AS(f.table("nope", 1), ConfigError);
  }
  fs::remove(p);
}

TEST_CASE("model file: a probe decides by the full hash, and tables outlive the file object") {
  const fs::path p = temp_path("tags.bin");
  sample().write(p.string());
  ModelTable numbers;
  {
    const ModelFile f = ModelFile::open(p.string());
    numbers = f.table("numbers", 1);
  }
  // 200,000 absent keys probing about 5 full slots each, against 16-bit
  // tags: a dozen or so meet a slot bearing their own tag, and must still miss.
  int wrong = 0;
  for (int i = 1000; i < 201000; ++i)
    wrong += numbers.find(model_hash("n" + std::to_string(i))) ? 1 : 0;
  CHECK(wrong == 0);
  int found = 0;
  for (int i = 0; i < 1000; ++i) {
    const long s = numbers.slot_of(model_hash("n" + std::to_string(i)));
    if (s >= 0 && numbers.at_slot(static_cast<size_t>(s)).value(0) == static_cast<float>(i))
      ++found;
  }
  CHECK(found == 1000);
  fs::remove(p);
}

TEST_CASE("model file: every entry's slot gives back its key hash") {
  const fs::path p = temp_path("slots.bin");
  sample().write(p.string());
  const ModelTable numbers = ModelFile::open(p.string()).table("numbers", 1);
  size_t entries = 0;
  for (size_t s = 0; s < numbers.slot_count(); ++s) {
    const uint64_t h = numbers.hash_at_slot(s);
    CHECK(static_cast<bool>(numbers.at_slot(s)) == (h != 0));
    if (h == 0) continue;
    ++entries;
    CHECK(numbers.slot_of(h) == static_cast<long>(s));
  }
  CHECK(entries == 1000);
  CHECK(numbers.hash_at_slot(static_cast<size_t>(numbers.slot_of(model_hash("n7")))) ==
        model_hash("n7"));
  fs::remove(p);
}

TEST_CASE("model file: the writer refuses duplicate keys and bad records") {
  ModelFileWriter w;
  auto& t = w.table("t", 1);
  t.add("a", {1.0f});
  CHECK_THROWS_AS(t.add("a", {2.0f}), ConfigError);
  CHECK_THROWS_AS(t.add("b", {1.0f, 2.0f}), ConfigError);
  CHECK_THROWS_AS(t.add("c", {1.0f}, "blob in a table without blobs"), ConfigError);
  CHECK_THROWS_AS(w.table("t", 2), ConfigError);
  CHECK_THROWS_AS(w.table("a-name-that-is-far-too-long", 1), ConfigError);
}

TEST_CASE("model file: damaged files are ConfigErrors") {
  const std::string good = sample().serialize();
  struct Row {
    const char* label;
    std::string bytes;
  };
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x40;
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  std::string bad_version = good;
  bad_version[8] = 99;
  std::string longer = good + std::string(8, '\0');
  const Row rows[] = {
      {"empty file", ""},
      {"shorter than the header", good.substr(0, 20)},
      {"truncated", good.substr(0, good.size() - 100)},
      {"cut at half", good.substr(0, good.size() / 2)},
      {"one byte flipped", flipped},
      {"wrong magic", bad_magic},
      {"other format version", bad_version},
      {"bytes appended", longer},
      {"not a model at all", "# key\tcount\nits\t12\n"},
  };
  for (const Row& r : rows) {
    INFO(std::string(r.label));
    const fs::path p = temp_path("bad.bin");
    write_bytes(p, r.bytes);
    CHECK_THROWS_AS(ModelFile::open(p.string()), ConfigError);
    try {
      ModelFile::open(p.string());
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()).find(p.string()) != std::string::npos);
    }
    fs::remove(p);
  }
  CHECK_THROWS_AS(ModelFile::open(temp_path("does-not-exist.bin").string()), ConfigError);
}
