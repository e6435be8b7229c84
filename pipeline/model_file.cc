#include "pipeline/model_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

#include "pipeline/atomic_file.h"
#include "pipeline/stage.h"

static_assert(std::endian::native == std::endian::little,
              "model files are little-endian; add byte swapping");

namespace copydesk {

constexpr char kMagic[8] = {'C', 'D', 'M', 'O', 'D', 'E', 'L', '\0'};
constexpr size_t kHeaderSize = 64;
constexpr size_t kSectionSize = 64;
constexpr size_t kNameSize = 24;
constexpr uint32_t kFlagBlobs = 1;
constexpr uint32_t kMaxFloats = 1024;

// The read-only mapping, unmapped when the last table goes, and the tags
// built from it at open.
struct MappedFile {
  const unsigned char* data = nullptr;
  size_t size = 0;
  std::vector<std::unique_ptr<uint16_t[]>> tags;  // of each table (ModelTable::tags_)
  ~MappedFile() {
    if (data && size) munmap(const_cast<unsigned char*>(data), size);
  }
};

namespace {

template <class T>
T load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class T>
void store(std::string& out, size_t at, T v) {
  std::memcpy(out.data() + at, &v, sizeof v);
}

// 64-bit checksum of the bytes (FNV-like over 8-byte words, then the tail).
uint64_t checksum(const unsigned char* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    h ^= load<uint64_t>(p + i);
    h *= 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
  }
  for (; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

size_t slot_size(uint32_t floats, bool blobs) {
  return 8 + (blobs ? 8 : 0) + 4 * static_cast<size_t>(floats);
}

// A slot's tag: 16 bits of its hash, never 0 (0 marks an empty slot). The
// home slot is taken from the high bits of the mixed hash, the tag from the
// low bits of the hash itself, so that keys that collide on one rarely do on
// the other.
uint16_t tag_of(uint64_t h) {
  const auto t = static_cast<uint16_t>(h ^ (h >> 32));
  return t == 0 ? 1 : t;
}

// The home slot of a hash: its mixed bits mapped onto [0, slots) by a
// multiply (Lemire's fast range), so that any slot count works.
size_t home_slot(uint64_t h, size_t slots) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  __extension__ using u128 = unsigned __int128;
  return static_cast<size_t>((static_cast<u128>(h) * slots) >> 64);
}

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw ConfigError(path + ": " + what +
                    " (not a copydesk model file, or truncated or corrupt: rebuild it with "
                    "`copydesk train`)");
}

}  // namespace

// --- reading -----------------------------------------------------------

ModelEntry ModelTable::at_slot(size_t slot) const {
  const unsigned char* s = slots_ + slot * slot_size_;
  if (load<uint64_t>(s) == 0) return {};
  std::string_view blob;
  size_t off = 8;
  if (blobs_) {
    blob = std::string_view(reinterpret_cast<const char*>(pool_) + load<uint32_t>(s + 8),
                            load<uint32_t>(s + 12));
    off = 16;
  }
  return ModelEntry(reinterpret_cast<const float*>(s + off), blob);
}

uint64_t ModelTable::hash_at_slot(size_t slot) const {
  return load<uint64_t>(slots_ + slot * slot_size_);
}

long ModelTable::slot_of(uint64_t hash) const {
  if (!slots_) return -1;
  if (hash == 0) hash = 1;
  // The probe runs over the tags (2 bytes a slot, one cache line for most
  // probes); a slot's full hash is read only when its tag matches.
  const uint16_t tag = tag_of(hash);
  for (size_t i = home_slot(hash, slots_n_);;) {
    const uint16_t t = tags_[i];
    if (t == tag && load<uint64_t>(slots_ + i * slot_size_) == hash) return static_cast<long>(i);
    if (t == 0) return -1;
    if (++i == slots_n_) i = 0;
  }
}

ModelEntry ModelTable::find(uint64_t hash) const {
  long s = slot_of(hash);
  return s < 0 ? ModelEntry{} : at_slot(static_cast<size_t>(s));
}

ModelFile ModelFile::open(const std::string& path) {
  ModelFile f;
  f.path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ConfigError(path + ": cannot open the model file: " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw ConfigError(path + ": not a regular file");
  }
  auto mf = std::make_shared<MappedFile>();
  mf->size = static_cast<size_t>(st.st_size);
  if (mf->size > 0) {
    void* p = mmap(nullptr, mf->size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw ConfigError(path + ": cannot map the model file: " + std::strerror(errno));
    }
    mf->data = static_cast<const unsigned char*>(p);
  }
  ::close(fd);
  f.file_ = mf;
  const unsigned char* d = mf->data;
  const size_t n = mf->size;
  if (n < kHeaderSize)
    bad(path, "file of " + std::to_string(n) + " bytes, shorter than the header");
  if (std::memcmp(d, kMagic, sizeof kMagic) != 0) bad(path, "wrong magic bytes");
  const uint32_t version = load<uint32_t>(d + 8);
  if (version != kModelFormatVersion)
    throw ConfigError(path + ": model format version " + std::to_string(version) +
                      ", this copydesk reads version " + std::to_string(kModelFormatVersion) +
                      " (rebuild it with `copydesk train`)");
  const uint32_t sections = load<uint32_t>(d + 12);
  const uint64_t size = load<uint64_t>(d + 16);
  if (size != n)
    bad(path,
        "the header says " + std::to_string(size) + " bytes, the file has " + std::to_string(n));
  if (checksum(d + kHeaderSize, n - kHeaderSize) != load<uint64_t>(d + 24))
    bad(path, "checksum mismatch");
  if (sections > (n - kHeaderSize) / kSectionSize) bad(path, "section directory runs past the end");
  for (uint32_t k = 0; k < sections; ++k) {
    const unsigned char* s = d + kHeaderSize + k * kSectionSize;
    const char* name_p = reinterpret_cast<const char*>(s);
    std::string name(name_p, strnlen(name_p, kNameSize));
    if (name.empty() || name.size() == kNameSize) bad(path, "bad section name");
    ModelTable t;
    t.file_ = mf;
    t.floats_ = load<uint32_t>(s + 24);
    const uint32_t flags = load<uint32_t>(s + 28);
    const uint64_t slots_off = load<uint64_t>(s + 32), slot_count = load<uint64_t>(s + 40);
    const uint64_t entries = load<uint64_t>(s + 48), pool_off = load<uint64_t>(s + 56);
    if (t.floats_ > kMaxFloats || (flags & ~kFlagBlobs) != 0)
      bad(path, "section '" + name + "': bad record size");
    t.blobs_ = (flags & kFlagBlobs) != 0;
    t.slot_size_ = slot_size(t.floats_, t.blobs_);
    if (entries >= slot_count) bad(path, "section '" + name + "': bad slot count");
    if (slots_off % 4 != 0 || slots_off > n || slot_count > (n - slots_off) / t.slot_size_)
      bad(path, "section '" + name + "': slots run past the end");
    if (pool_off > n || pool_off < 8) bad(path, "section '" + name + "': pool outside the file");
    const uint64_t pool_size = load<uint64_t>(d + pool_off - 8);
    if (pool_size > n - pool_off) bad(path, "section '" + name + "': pool runs past the end");
    t.slots_ = d + slots_off;
    t.pool_ = d + pool_off;
    t.slots_n_ = slot_count;
    t.entries_ = entries;
    size_t used = 0;
    auto tags = std::make_unique<uint16_t[]>(slot_count);  // zeroed: empty
    for (size_t i = 0; i < slot_count; ++i) {
      const unsigned char* sl = t.slots_ + i * t.slot_size_;
      const uint64_t h = load<uint64_t>(sl);
      if (h == 0) continue;
      tags[i] = tag_of(h);
      ++used;
      if (t.blobs_) {
        const uint64_t bo = load<uint32_t>(sl + 8), bs = load<uint32_t>(sl + 12);
        if (bo + bs > pool_size) bad(path, "section '" + name + "': a blob runs past its pool");
      }
    }
    if (used != entries) bad(path, "section '" + name + "': entry count does not match the slots");
    t.tags_ = tags.get();
    mf->tags.push_back(std::move(tags));
    f.tables_[name] = t;
  }
  return f;
}

bool ModelFile::has(std::string_view section) const {
  return tables_.find(section) != tables_.end();
}

ModelTable ModelFile::table(std::string_view section, uint32_t floats) const {
  auto it = tables_.find(section);
  if (it == tables_.end()) throw ConfigError(path_ + ": no section '" + std::string(section) + "'");
  if (it->second.floats_ != floats)
    throw ConfigError(path_ + ": section '" + std::string(section) + "' holds " +
                      std::to_string(it->second.floats_) + " values per key, expected " +
                      std::to_string(floats));
  return it->second;
}

size_t ModelFile::size_bytes() const { return file_ ? file_->size : 0; }

// --- writing -----------------------------------------------------------

void ModelFileWriter::Table::add(std::string_view key, std::initializer_list<float> values,
                                 std::string_view blob) {
  add(key, std::vector<float>(values), blob);
}

void ModelFileWriter::Table::add(std::string_view key, const std::vector<float>& values,
                                 std::string_view blob) {
  if (values.size() != floats_)
    throw ConfigError("model table: " + std::to_string(values.size()) + " values for a record of " +
                      std::to_string(floats_));
  if (!blob.empty() && !blobs_) throw ConfigError("model table: a blob for a table without blobs");
  const uint64_t h = model_hash(key);
  auto [it, fresh] = keys_.emplace(h, std::string(key));
  if (!fresh)
    throw ConfigError(it->second == key ? "model table: key '" + std::string(key) + "' added twice"
                                        : "model table: keys '" + it->second + "' and '" +
                                              std::string(key) + "' have the same 64-bit hash");
  if (pool_.size() + blob.size() > UINT32_MAX)
    throw ConfigError("model table: pool larger than 4 GB");
  hashes_.push_back(h);
  values_.insert(values_.end(), values.begin(), values.end());
  blob_refs_.emplace_back(static_cast<uint32_t>(pool_.size()), static_cast<uint32_t>(blob.size()));
  pool_.append(blob);
}

ModelFileWriter::Table& ModelFileWriter::table(const std::string& name, uint32_t floats,
                                               bool blobs) {
  if (name.empty() || name.size() >= kNameSize || name.find('\0') != std::string::npos)
    throw ConfigError("model section name '" + name + "': 1 to 23 bytes");
  auto [it, fresh] = tables_.try_emplace(name);
  if (fresh) {
    it->second.floats_ = floats;
    it->second.blobs_ = blobs;
  } else if (it->second.floats_ != floats || it->second.blobs_ != blobs) {
    throw ConfigError("model section '" + name + "' declared twice with different records");
  }
  return it->second;
}

std::string ModelFileWriter::serialize() const {
  std::string out(kHeaderSize + kSectionSize * tables_.size(), '\0');
  auto align8 = [&] { out.resize((out.size() + 7) & ~size_t{7}, '\0'); };
  size_t k = 0;
  for (const auto& [name, t] : tables_) {
    const size_t n = t.hashes_.size();
    // Load factor 0.7: a miss probes about 6 slots, a hit 2, on average.
    const size_t slots = n + n * 3 / 7 + 1;
    const size_t ss = slot_size(t.floats_, t.blobs_);
    align8();
    const size_t slots_off = out.size();
    out.resize(slots_off + slots * ss, '\0');
    for (size_t e = 0; e < n; ++e) {
      size_t i = home_slot(t.hashes_[e], slots);
      while (load<uint64_t>(reinterpret_cast<const unsigned char*>(out.data()) + slots_off +
                            i * ss) != 0)
        if (++i == slots) i = 0;
      const size_t at = slots_off + i * ss;
      store<uint64_t>(out, at, t.hashes_[e]);
      size_t off = 8;
      if (t.blobs_) {
        store<uint32_t>(out, at + 8, t.blob_refs_[e].first);
        store<uint32_t>(out, at + 12, t.blob_refs_[e].second);
        off = 16;
      }
      if (t.floats_)
        std::memcpy(out.data() + at + off, t.values_.data() + e * t.floats_, 4 * t.floats_);
    }
    // The pool: its size in the 8 bytes before it.
    align8();
    const size_t pool_size = t.pool_.size();
    out.append(8, '\0');
    store<uint64_t>(out, out.size() - 8, pool_size);
    const size_t pool_off = out.size();
    out += t.pool_;
    const size_t s = kHeaderSize + k * kSectionSize;
    std::memcpy(out.data() + s, name.data(), name.size());
    store<uint32_t>(out, s + 24, t.floats_);
    store<uint32_t>(out, s + 28, t.blobs_ ? kFlagBlobs : 0);
    store<uint64_t>(out, s + 32, slots_off);
    store<uint64_t>(out, s + 40, slots);
    store<uint64_t>(out, s + 48, n);
    store<uint64_t>(out, s + 56, pool_off);
    ++k;
  }
  align8();
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  store<uint32_t>(out, 8, kModelFormatVersion);
  store<uint32_t>(out, 12, static_cast<uint32_t>(tables_.size()));
  store<uint64_t>(out, 16, out.size());
  store<uint64_t>(out, 24,
                  checksum(reinterpret_cast<const unsigned char*>(out.data()) + kHeaderSize,
                           out.size() - kHeaderSize));
  return out;
}

void ModelFileWriter::write(const std::string& path) const {
  std::string bytes = serialize();
  AtomicFile f(path);
  f.write(bytes);
  f.commit();
}

}  // namespace copydesk
