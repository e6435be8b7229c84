// Progress line: one line on stderr, redrawn in place while a run goes on.
//
//   ProgressLine line(stderr, /*terminal=*/true, total_input_bytes);
//   line.start();                        // a ticker thread redraws it 4 times a second
//   line.add_document(doc.error.has_value());   // per document, from one thread
//   line.set_input_bytes(reader.input_bytes_read());
//   line.finish();                       // erases it; the summary follows on a clean line
//
//   "12,480 docs  310.4 MB  41.2 MB/s  62%  ETA 0:03  2 errors"
//
// On a terminal the line is rewritten with "\r" and erased with "\033[K",
// clipped to the terminal width so it never wraps. Forced onto a file or a
// pipe (--progress), it prints one plain line a second instead. Log messages
// written while the line is shown erase it first (install_log_guard), so
// they never end up glued to it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace copydesk {

// What the line shows. Bytes are input bytes as stored (compressed bytes for
// .gz and .zst), so the ETA compares like with like.
struct ProgressSnapshot {
  uint64_t documents = 0;
  uint64_t errors = 0;
  uint64_t input_bytes = 0;
  std::optional<uint64_t> total_bytes;  // unknown for stdin and pipes
  double seconds = 0;                   // since the start
};

// The text of the line, without "\r" or a newline, at most `width` bytes
// (0: no limit). Rate and ETA appear only after half a second of data.
std::string format_progress(const ProgressSnapshot& s, size_t width = 0);

// "0:07", "12:34", "1:02:03".
std::string format_duration(double seconds);

// When to show the line: auto shows it when stderr is a terminal.
enum class ProgressMode { kAuto, kAlways, kNever };

class ProgressLine {
 public:
  // terminal: redraw in place (else plain lines); total_bytes: nullopt if unknown.
  ProgressLine(std::FILE* out, bool terminal, std::optional<uint64_t> total_bytes);
  ~ProgressLine();  // finish()
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void start();
  void add_document(bool failed) {
    documents_.fetch_add(1, std::memory_order_relaxed);
    if (failed) errors_.fetch_add(1, std::memory_order_relaxed);
  }
  void set_input_bytes(uint64_t n) { input_bytes_.store(n, std::memory_order_relaxed); }
  // Stops the ticker and erases the line (terminal) so the next output starts clean.
  void finish();

  // Erases the line if it is shown; the ticker draws it again at its next tick.
  // Safe from any thread (the log guard calls it before each message).
  void clear();
  // Runs f with the line erased and the ticker held, so f's output (a log
  // message) is never glued to the line.
  void run_cleared(const std::function<void()>& f);

  ProgressSnapshot snapshot() const;

 private:
  void draw_locked();
  void erase_locked();
  void ticker();

  std::FILE* out_;
  bool terminal_;
  std::optional<uint64_t> total_bytes_;
  std::atomic<uint64_t> documents_{0}, errors_{0}, input_bytes_{0};
  double start_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool shown_ = false;  // a line is on the terminal now
  std::thread thread_;
};

// Makes the default spdlog logger erase `line` before each message; undone
// by the returned guard's destructor.
class LogGuard {
 public:
  explicit LogGuard(ProgressLine& line);
  ~LogGuard();
  LogGuard(const LogGuard&) = delete;
  LogGuard& operator=(const LogGuard&) = delete;

 private:
  struct Impl;
  Impl* impl_;
};

// Terminal width of `fd` (columns), or 0 when it is not a terminal.
size_t terminal_width(int fd);

}  // namespace copydesk
