#include "pipeline/sha256.h"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("SHA-256 test vectors (FIPS 180-4 examples)") {
  struct Row {
    const char* label;
    std::string in;
    const char* hex;
  } rows[] = {
      {"empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"two blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"million a", std::string(1000000, 'a'),
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    CHECK(copydesk::sha256_hex(r.in) == r.hex);
  }
  copydesk::Sha256 h;  // streaming in odd pieces gives the same digest
  for (char c : std::string("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
    h.update(std::string(1, c));
  CHECK(h.hex_digest() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
