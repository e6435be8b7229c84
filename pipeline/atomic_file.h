// AtomicFile: an output file that appears under its final name only when
// complete. Bytes go to "NAME.tmp.HOST.PID" in the same folder; commit()
// flushes, fsyncs and renames. Destroyed without commit(), it removes the
// temporary file, so a failed or interrupted run leaves no final name behind.
//
//   AtomicFile f("out/a.jsonl.gz");   // ".gz": written gzip-compressed
//   f.write(record);
//   f.commit();                         // throws OutputError on any failure
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pipeline/sha256.h"

namespace copydesk {

// An output could not be written (disk full, permissions): a retryable failure.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view bytes);
  void commit();

  const std::string& path() const { return path_; }
  uint64_t bytes() const { return bytes_; }           // uncompressed bytes written
  uint64_t records() const { return records_; }       // lines written
  const std::string& sha256() const { return sha_; }  // of the uncompressed content, after commit

 private:
  class Impl;
  std::string path_;
  std::string tmp_;
  std::unique_ptr<Impl> impl_;
  Sha256 hasher_;
  std::string sha_;
  uint64_t bytes_ = 0;
  uint64_t records_ = 0;
  bool committed_ = false;
};

// Removes "NAME.tmp.*" files left by a killed run beside `path`.
void remove_stale_temporaries(const std::string& path);

}  // namespace copydesk
