// SHA-256 (FIPS 180-4), for output checksums in shard manifests.
//
//   Sha256 h; h.update("abc"); std::string hex = h.hex_digest();
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace copydesk {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  std::string hex_digest();  // finishes the hash; call once

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

std::string sha256_hex(std::string_view data);

}  // namespace copydesk
