#include "pipeline/progress.h"

#include <fmt/format.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <vector>

namespace copydesk {
namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string with_separators(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 359999) return "--:--";
  auto s = static_cast<uint64_t>(std::llround(seconds));
  uint64_t h = s / 3600, m = s / 60 % 60, sec = s % 60;
  if (h > 0) return fmt::format("{}:{:02}:{:02}", h, m, sec);
  return fmt::format("{}:{:02}", m, sec);
}

std::string format_progress(const ProgressSnapshot& s, size_t width) {
  const double mb = static_cast<double>(s.input_bytes) / 1e6;
  std::string line = with_separators(s.documents) + (s.documents == 1 ? " doc" : " docs");
  line += fmt::format("  {:.1f} MB", mb);
  if (s.seconds >= 0.5) {
    const double rate = mb / s.seconds;
    line += fmt::format("  {:.1f} MB/s", rate);
    if (s.total_bytes && *s.total_bytes > 0) {
      const double total_mb = static_cast<double>(*s.total_bytes) / 1e6;
      const double pct = std::min(100.0, 100.0 * mb / total_mb);
      line += fmt::format("  {:.0f}%", std::floor(pct));
      if (rate > 0) line += "  ETA " + format_duration(std::max(0.0, total_mb - mb) / rate);
    }
  }
  line += "  " + with_separators(s.errors) + (s.errors == 1 ? " error" : " errors");
  if (width > 0 && line.size() > width) line.resize(width);
  return line;
}

size_t terminal_width(int fd) {
  if (!isatty(fd)) return 0;
  struct winsize ws {};
  if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return 80;
  return ws.ws_col;
}

ProgressLine::ProgressLine(std::FILE* out, bool terminal, std::optional<uint64_t> total_bytes)
    : out_(out), terminal_(terminal), total_bytes_(total_bytes) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::start() {
  start_ = now_seconds();
  thread_ = std::thread([this] { ticker(); });
}

ProgressSnapshot ProgressLine::snapshot() const {
  ProgressSnapshot s;
  s.documents = documents_.load(std::memory_order_relaxed);
  s.errors = errors_.load(std::memory_order_relaxed);
  s.input_bytes = input_bytes_.load(std::memory_order_relaxed);
  s.total_bytes = total_bytes_;
  s.seconds = start_ > 0 ? now_seconds() - start_ : 0;
  return s;
}

void ProgressLine::ticker() {
  const auto period = std::chrono::milliseconds(terminal_ ? 250 : 1000);
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period, [&] { return stopping_; })) draw_locked();
}

void ProgressLine::draw_locked() {
  if (terminal_) {
    // One column short of the width: writing the last column makes some terminals wrap.
    size_t width = terminal_width(fileno(out_));
    std::string line = format_progress(snapshot(), width > 1 ? width - 1 : 0);
    std::fprintf(out_, "\r%s\033[K", line.c_str());
    shown_ = true;
  } else {
    std::fprintf(out_, "progress: %s\n", format_progress(snapshot()).c_str());
  }
  std::fflush(out_);
}

void ProgressLine::erase_locked() {
  if (!shown_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  shown_ = false;
}

void ProgressLine::clear() {
  std::lock_guard lock(mu_);
  erase_locked();
}

void ProgressLine::run_cleared(const std::function<void()>& f) {
  std::lock_guard lock(mu_);
  erase_locked();
  f();
}

void ProgressLine::finish() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  if (terminal_)
    erase_locked();
  else if (start_ > 0)
    draw_locked();  // the final figures, for logs
}

// A sink in front of the logger's own sinks: erases the progress line, then logs.
namespace {
class GuardSink : public spdlog::sinks::sink {
 public:
  GuardSink(ProgressLine& line, std::vector<spdlog::sink_ptr> inner)
      : line_(line), inner_(std::move(inner)) {}
  void log(const spdlog::details::log_msg& msg) override {
    line_.run_cleared([&] {
      for (auto& s : inner_)
        if (s->should_log(msg.level)) s->log(msg);
    });
  }
  void flush() override {
    for (auto& s : inner_) s->flush();
  }
  void set_pattern(const std::string& pattern) override {
    for (auto& s : inner_) s->set_pattern(pattern);
  }
  void set_formatter(std::unique_ptr<spdlog::formatter> f) override {
    for (auto& s : inner_) s->set_formatter(f->clone());
  }
  const std::vector<spdlog::sink_ptr>& inner() const { return inner_; }

 private:
  ProgressLine& line_;
  std::vector<spdlog::sink_ptr> inner_;
};
}  // namespace

struct LogGuard::Impl {
  std::shared_ptr<spdlog::logger> logger;
  std::vector<spdlog::sink_ptr> saved;
};

LogGuard::LogGuard(ProgressLine& line) : impl_(new Impl) {
  impl_->logger = spdlog::default_logger();
  if (!impl_->logger) return;
  auto& sinks = impl_->logger->sinks();
  impl_->saved = sinks;
  sinks.assign({std::make_shared<GuardSink>(line, impl_->saved)});
}

LogGuard::~LogGuard() {
  if (impl_->logger) impl_->logger->sinks() = impl_->saved;
  delete impl_;
}

}  // namespace copydesk
