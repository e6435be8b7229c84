#include "pipeline/engine.h"

#include <sched.h>

#include <condition_variable>
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
  run_engine(reader, [&](const Document&) -> const Pipeline& { return pipeline; }, options, sink);
}

void run_engine(DocumentReader& reader, const PipelineChooser& choose, const EngineOptions& options,
                const DocumentSink& sink) {
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
  bool reading_done = false;
  bool stop = false;
  std::exception_ptr failure;

  std::thread reader_thread([&] {
    try {
      while (true) {
        Batch b;
        b.docs.reserve(batch_docs);
        Document doc;
        while (b.docs.size() < batch_docs && reader.next(doc)) b.docs.push_back(std::move(doc));
        std::unique_lock lock(mu);
        if (b.docs.empty() || stop) break;
        cv_space.wait(lock, [&] { return produced - consumed < max_in_flight || stop; });
        if (stop) break;
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
      std::lock_guard lock(mu);
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

}  // namespace copydesk
