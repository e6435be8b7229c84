// A compact, read-only, memory-mapped model file: named sections, each an
// open-addressing hash table keyed by the 64-bit hash of a string key, with
// a fixed-size record of float32 values per key and optionally a blob (bytes
// in the section's pool) per key.
//
//   ModelFileWriter w;
//   ModelFileWriter::Table& lex = w.table("lexicon", /*floats=*/2, /*blobs=*/true);
//   lex.add("dont", {8.2f, 0.11f}, blob_bytes);
//   w.write("model.bin");                     // OutputError if it cannot
//
//   ModelFile f = ModelFile::open("model.bin");  // ConfigError if bad
//   ModelTable lex = f.table("lexicon", 2);      // ConfigError if missing
//   if (ModelEntry e = lex.find(model_hash("dont"))) { e.value(0); e.blob(); }
//
// Keys are not stored, only their hashes (FNV-1a, 64 bits; a hash of 0 is
// taken as 1): a lookup of a key that is not in the table finds nothing
// except with probability about entries / 2^64. The writer refuses two keys
// with the same hash. Multi-part keys hash their parts in a row without
// building a string: ModelHash().add("its").add('\t').add("R").value().
//
// Layout (all little-endian; offsets in bytes from the start of the file):
//   header   64 bytes: magic "CDMODEL\0", u32 format version, u32 section
//            count, u64 file size, u64 checksum of every byte after the
//            header, 32 bytes zero
//   sections 64 bytes each: name (24 bytes, NUL-padded), u32 floats per
//            record, u32 flags (1: blobs), u64 slots offset, u64 slot count
//            (more than the entry count), u64 entry count, u64 pool offset
//   slots    per slot: u64 hash (0: empty), [u32 blob offset, u32 blob size
//            in the pool], float32 x floats (4-byte aligned; the hash is
//            read unaligned); linear probing from the home slot
//            (hash mixed, times slot count, high 64 bits), load factor 0.7
//   pools    per section: u64 pool size, then the pool's bytes
// open() checks the magic, version, size, checksum and that every section,
// slot and blob lies inside the file: a truncated or corrupt file is a
// ConfigError naming the file, never a crash. The mapping is shared and
// read-only; open() builds a 16-bit tag per slot, so that a probe reads 2
// bytes a slot instead of 8 or more. A ModelFile and the tables from it are
// immutable and safe to read from any number of threads. Tables keep the
// mapping alive.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace copydesk {

// FNV-1a 64 over the bytes fed in, incrementally.
class ModelHash {
 public:
  ModelHash& add(std::string_view s) {
    for (unsigned char c : s) h_ = (h_ ^ c) * 1099511628211ull;
    return *this;
  }
  ModelHash& add(char c) {
    h_ = (h_ ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return *this;
  }
  uint64_t value() const { return h_ == 0 ? 1 : h_; }

 private:
  uint64_t h_ = 1469598103934665603ull;
};

inline uint64_t model_hash(std::string_view key) { return ModelHash().add(key).value(); }

inline constexpr uint32_t kModelFormatVersion = 1;

// One entry found in a table: its record of floats and its blob.
class ModelEntry {
 public:
  ModelEntry() = default;
  ModelEntry(const float* values, std::string_view blob) : values_(values), blob_(blob) {}
  explicit operator bool() const { return values_ != nullptr; }
  float value(size_t i) const { return values_[i]; }
  const float* values() const { return values_; }
  std::string_view blob() const { return blob_; }

 private:
  const float* values_ = nullptr;
  std::string_view blob_;
};

struct MappedFile;

// A view of one hash-table section. Cheap to copy; lookups never allocate.
class ModelTable {
 public:
  ModelTable() = default;
  ModelEntry find(uint64_t hash) const;
  // Index of the slot holding `hash`, or -1: a dense id for side arrays
  // built at load (0 .. slot_count()-1).
  long slot_of(uint64_t hash) const;
  ModelEntry at_slot(size_t slot) const;     // empty entry for an empty slot
  uint64_t hash_at_slot(size_t slot) const;  // the key hash a slot holds; 0 for an empty slot
  size_t slot_count() const { return slots_n_; }
  size_t size() const { return entries_; }
  uint32_t floats() const { return floats_; }

 private:
  friend class ModelFile;
  std::shared_ptr<const MappedFile> file_;
  const unsigned char* slots_ = nullptr;
  const unsigned char* pool_ = nullptr;
  const uint16_t* tags_ = nullptr;  // a tag per slot, built at open (see slot_of)
  size_t slots_n_ = 0, slot_size_ = 0, entries_ = 0;
  uint32_t floats_ = 0;
  bool blobs_ = false;
};

class ModelFile {
 public:
  // Maps and checks the file; ConfigError ("PATH: what is wrong") if it is
  // missing, truncated, corrupt or of another format version.
  static ModelFile open(const std::string& path);

  bool has(std::string_view section) const;
  // The section, which must hold records of `floats` values; ConfigError if
  // it is missing or holds another record size.
  ModelTable table(std::string_view section, uint32_t floats) const;
  const std::string& path() const { return path_; }
  size_t size_bytes() const;

 private:
  std::string path_;
  std::shared_ptr<const MappedFile> file_;
  std::map<std::string, ModelTable, std::less<>> tables_;
};

class ModelFileWriter {
 public:
  class Table {
   public:
    // Adds a key; ConfigError if the key (or another key with the same
    // hash) is already there, or the record has the wrong size.
    void add(std::string_view key, std::initializer_list<float> values, std::string_view blob = {});
    void add(std::string_view key, const std::vector<float>& values, std::string_view blob = {});
    size_t size() const { return hashes_.size(); }

   private:
    friend class ModelFileWriter;
    uint32_t floats_ = 0;
    bool blobs_ = false;
    std::vector<uint64_t> hashes_;
    std::vector<float> values_;
    std::vector<std::pair<uint32_t, uint32_t>> blob_refs_;
    std::string pool_;
    std::map<uint64_t, std::string> keys_;  // for the collision check
  };

  // A new section (or the one of that name); names are at most 23 bytes.
  Table& table(const std::string& name, uint32_t floats, bool blobs = false);
  // The whole file as bytes, and written atomically to path (OutputError).
  std::string serialize() const;
  void write(const std::string& path) const;

 private:
  std::map<std::string, Table> tables_;
};

}  // namespace copydesk
