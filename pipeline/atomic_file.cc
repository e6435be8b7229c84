#include "pipeline/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <mutex>

namespace fs = std::filesystem;

namespace copydesk {

class AtomicFile::Impl {
 public:
  int fd = -1;
  gzFile gz = nullptr;
  ZSTD_CStream* zstd = nullptr;
  std::string buf;  // plain files: buffered writes
};

namespace {

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "host";
  return buf;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

void remove_stale_temporaries(const std::string& path) {
  fs::path p(path);
  std::error_code ec;
  fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  const std::string prefix = p.filename().string() + ".tmp.";
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().filename().string().rfind(prefix, 0) == 0) fs::remove(it->path(), ec);
  }
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), impl_(std::make_unique<Impl>()) {
  // Over a file-size limit (ulimit -f) the kernel sends SIGXFSZ, which kills
  // the process; ignored, the write fails with EFBIG and becomes an
  // OutputError like a full disk (exit 3, temporaries removed).
  static std::once_flag xfsz_once;
  std::call_once(xfsz_once, [] { std::signal(SIGXFSZ, SIG_IGN); });
  std::error_code ec;
  fs::path parent = fs::path(path_).parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) throw OutputError("cannot create folder '" + parent.string() + "': " + ec.message());
  }
  remove_stale_temporaries(path_);
  tmp_ = path_ + ".tmp." + host_name() + "." + std::to_string(getpid());
  impl_->fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (impl_->fd < 0) throw OutputError("cannot create '" + tmp_ + "': " + std::strerror(errno));
  if (ends_with(path_, ".zst")) {
    impl_->zstd = ZSTD_createCStream();
    ZSTD_initCStream(impl_->zstd, 3);
  } else if (ends_with(path_, ".gz")) {
    int dupfd = dup(impl_->fd);
    impl_->gz = gzdopen(dupfd, "wb6");
    if (!impl_->gz) {
      close(dupfd);
      throw OutputError("cannot start gzip stream for '" + tmp_ + "'");
    }
  }
}

AtomicFile::~AtomicFile() {
  if (impl_->gz) gzclose(impl_->gz);
  if (impl_->zstd) ZSTD_freeCStream(impl_->zstd);
  if (impl_->fd >= 0) close(impl_->fd);
  if (!committed_) ::unlink(tmp_.c_str());
}

static void write_all(int fd, const char* p, size_t n, const std::string& name) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw OutputError("cannot write '" + name + "': " + std::strerror(errno));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void AtomicFile::write(std::string_view bytes) {
  bytes_ += bytes.size();
  records_ += static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
  hasher_.update(bytes);
  if (impl_->zstd) {
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    while (in.pos < in.size) {
      size_t old = impl_->buf.size();
      impl_->buf.resize(old + ZSTD_CStreamOutSize());
      ZSTD_outBuffer out{impl_->buf.data() + old, ZSTD_CStreamOutSize(), 0};
      size_t rc = ZSTD_compressStream(impl_->zstd, &out, &in);
      impl_->buf.resize(old + out.pos);
      if (ZSTD_isError(rc))
        throw OutputError("cannot compress '" + tmp_ + "': " + ZSTD_getErrorName(rc));
    }
    if (impl_->buf.size() >= (1u << 20)) {
      write_all(impl_->fd, impl_->buf.data(), impl_->buf.size(), tmp_);
      impl_->buf.clear();
    }
    return;
  }
  if (impl_->gz) {
    while (!bytes.empty()) {
      unsigned chunk = static_cast<unsigned>(std::min<size_t>(bytes.size(), 1u << 30));
      if (gzwrite(impl_->gz, bytes.data(), chunk) != static_cast<int>(chunk)) {
        int err = 0;
        throw OutputError("cannot write '" + tmp_ + "': " + gzerror(impl_->gz, &err));
      }
      bytes.remove_prefix(chunk);
    }
    return;
  }
  impl_->buf.append(bytes);
  if (impl_->buf.size() >= (1u << 20)) {
    write_all(impl_->fd, impl_->buf.data(), impl_->buf.size(), tmp_);
    impl_->buf.clear();
  }
}

void AtomicFile::commit() {
  if (impl_->zstd) {
    size_t rc;
    do {
      size_t old = impl_->buf.size();
      impl_->buf.resize(old + ZSTD_CStreamOutSize());
      ZSTD_outBuffer out{impl_->buf.data() + old, ZSTD_CStreamOutSize(), 0};
      rc = ZSTD_endStream(impl_->zstd, &out);
      impl_->buf.resize(old + out.pos);
      if (ZSTD_isError(rc))
        throw OutputError("cannot finish '" + tmp_ + "': " + ZSTD_getErrorName(rc));
    } while (rc != 0);
  }
  if (impl_->gz) {
    int rc = gzclose(impl_->gz);
    impl_->gz = nullptr;
    if (rc != Z_OK) throw OutputError("cannot finish '" + tmp_ + "' (gzip close failed)");
  } else if (!impl_->buf.empty()) {
    write_all(impl_->fd, impl_->buf.data(), impl_->buf.size(), tmp_);
    impl_->buf.clear();
  }
  if (fsync(impl_->fd) != 0)
    throw OutputError("cannot sync '" + tmp_ + "': " + std::strerror(errno));
  close(impl_->fd);
  impl_->fd = -1;
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
    throw OutputError("cannot rename '" + tmp_ + "' to '" + path_ + "': " + std::strerror(errno));
  committed_ = true;
  sha_ = hasher_.hex_digest();
}

}  // namespace copydesk
