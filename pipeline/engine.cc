#include "pipeline/engine.h"

#include <sched.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

namespace copydesk {
namespace {

struct Batch {
  size_t seq = 0;
  size_t bytes = 0;  // input text bytes of its documents
  std::vector<Document> docs;
  std::vector<std::vector<StageCounters>> counters;
};

}  // namespace

size_t usable_cpus() {
  if (const char* s = std::getenv("SLURM_CPUS_PER_TASK"); s && *s) {
    long n = std::strtol(s, nullptr, 10);
    if (n > 0) return static_cast<size_t>(n);
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<size_t>(n);
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? hw : 1;
}

void run_engine(DocumentReader& reader, const Pipeline& pipeline, const EngineOptions& options,
                const DocumentSink& sink) {
  run_engine(
      reader, [&](const Document&) -> const Pipeline& { return pipeline; }, options, sink);
}

namespace {
void run_engine_threads(DocumentReader& reader, const PipelineChooser& choose,
                        const EngineOptions& options, const DocumentSink& sink);
}  // namespace

void run_engine(DocumentReader& reader, const PipelineChooser& choose, const EngineOptions& options,
                const DocumentSink& sink) {
  const bool stderr_tty = isatty(2);
  const bool show = options.progress == ProgressMode::kAlways ||
                    (options.progress == ProgressMode::kAuto && stderr_tty);
  if (!show) return run_engine_threads(reader, choose, options, sink);
  ProgressLine progress(stderr, stderr_tty, total_input_bytes(reader.files()));
  {
    LogGuard guard(progress);  // log messages erase the line first
    progress.start();
    run_engine_threads(reader, choose, options,
                       [&](Document& doc, const std::vector<StageCounters>& c) {
                         const bool failed = doc.error.has_value();
                         sink(doc, c);
                         progress.add_document(failed);
                         progress.set_input_bytes(reader.input_bytes_read());
                       });
  }
  progress.finish();
}

namespace {
void run_engine_threads(DocumentReader& reader, const PipelineChooser& choose,
                        const EngineOptions& options, const DocumentSink& sink) {
  const size_t threads = options.threads ? options.threads : usable_cpus();
  const size_t batch_docs = std::max<size_t>(1, options.batch_docs);

  if (threads <= 1) {
    // Single thread: no queues, same order, same results.
    Document doc;
    std::vector<StageCounters> counters;
    while (reader.next(doc)) {
      counters.clear();
      choose(doc).run(doc, counters);
      sink(doc, counters);
    }
    return;
  }

  const size_t max_in_flight = options.in_flight_batches ? options.in_flight_batches : 4 * threads;
  std::mutex mu;
  std::condition_variable cv_work;   // workers: a batch is queued, or reading ended
  std::condition_variable cv_done;   // consumer: a batch finished
  std::condition_variable cv_space;  // reader: a batch was consumed
  std::deque<Batch> queued;
  std::map<size_t, Batch> finished;
  size_t produced = 0, consumed = 0;
  // Bytes of document text in flight: with documents of up to 32 MB, a bound
  // on batches alone would still allow gigabytes. At least one batch always
  // goes, so a single huge document still runs.
  const size_t max_bytes = options.in_flight_bytes ? options.in_flight_bytes : SIZE_MAX;
  const size_t batch_bytes = std::max<size_t>(1, max_bytes / (2 * threads));
  size_t bytes_in_flight = 0;
  bool reading_done = false;
  bool stop = false;
  std::exception_ptr failure;

  std::thread reader_thread([&] {
    try {
      while (true) {
        Batch b;
        b.docs.reserve(batch_docs);
        Document doc;
        while (b.docs.size() < batch_docs && b.bytes < batch_bytes && reader.next(doc)) {
          b.bytes += doc.original.size();
          b.docs.push_back(std::move(doc));
        }
        std::unique_lock lock(mu);
        if (b.docs.empty() || stop) break;
        cv_space.wait(lock, [&] {
          return (produced - consumed < max_in_flight &&
                  (produced == consumed || bytes_in_flight + b.bytes <= max_bytes)) ||
                 stop;
        });
        if (stop) break;
        bytes_in_flight += b.bytes;
        b.seq = produced++;
        queued.push_back(std::move(b));
        cv_work.notify_one();
      }
    } catch (...) {
      std::lock_guard lock(mu);
      if (!failure) failure = std::current_exception();
      stop = true;
    }
    std::lock_guard lock(mu);
    reading_done = true;
    cv_work.notify_all();
    cv_done.notify_all();
  });

  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (true) {
        Batch b;
        {
          std::unique_lock lock(mu);
          cv_work.wait(lock, [&] { return !queued.empty() || reading_done || stop; });
          if (queued.empty() || stop) return;
          b = std::move(queued.front());
          queued.pop_front();
        }
        b.counters.resize(b.docs.size());
        for (size_t i = 0; i < b.docs.size(); ++i) choose(b.docs[i]).run(b.docs[i], b.counters[i]);
        std::lock_guard lock(mu);
        finished.emplace(b.seq, std::move(b));
        cv_done.notify_all();
      }
    });
  }

  // Consume in order on this thread.
  try {
    while (true) {
      Batch b;
      {
        std::unique_lock lock(mu);
        cv_done.wait(lock, [&] {
          return finished.count(consumed) || (reading_done && consumed == produced) || stop;
        });
        if (stop && !finished.count(consumed)) break;
        auto it = finished.find(consumed);
        if (it == finished.end()) break;  // everything read has been consumed
        b = std::move(it->second);
        finished.erase(it);
      }
      for (size_t i = 0; i < b.docs.size(); ++i) sink(b.docs[i], b.counters[i]);
      const size_t done_bytes = b.bytes;
      b = Batch{};  // free the documents before the reader refills
      std::lock_guard lock(mu);
      bytes_in_flight -= done_bytes;
      ++consumed;
      cv_space.notify_one();
    }
  } catch (...) {
    std::lock_guard lock(mu);
    if (!failure) failure = std::current_exception();
    stop = true;
  }
  {
    std::lock_guard lock(mu);
    stop = true;
    cv_work.notify_all();
    cv_space.notify_all();
  }
  reader_thread.join();
  for (auto& w : workers) w.join();
  if (failure) std::rethrow_exception(failure);
}
}  // namespace

}  // namespace copydesk
