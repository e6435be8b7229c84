// Engine: runs a pipeline over a stream of documents on several threads and
// hands results back in input order.
//
//   DocumentReader reader(files, ro);
//   run_engine(reader, pipeline, {.threads = 4}, [&](Document& d, const auto& counters) {
//     write(d);   // called on the calling thread, in input order
//   });
//
// One reader thread fills batches of documents; worker threads run the
// pipeline over whole batches; the calling thread consumes batches in order.
// Memory is bounded by the batches in flight (in_flight_batches x batch_docs
// documents, and in_flight_bytes of text), not by the size of the input.
#pragma once

#include <functional>
#include <vector>

#include "pipeline/progress.h"
#include "pipeline/reader.h"
#include "pipeline/runner.h"

namespace copydesk {

struct EngineOptions {
  size_t threads = 1;                  // worker threads (0: as many as usable CPUs)
  size_t batch_docs = 16;              // documents per batch
  size_t in_flight_batches = 0;        // 0: 4 x threads
  size_t in_flight_bytes = 64u << 20;  // and at most this much document text (0: no byte bound)
  // A progress line on stderr (progress.h) while the run goes on: auto shows
  // it when stderr is a terminal; it is erased before run_engine returns.
  ProgressMode progress = ProgressMode::kNever;
};

using DocumentSink = std::function<void(Document&, const std::vector<StageCounters>&)>;

void run_engine(DocumentReader& reader, const Pipeline& pipeline, const EngineOptions& options,
                const DocumentSink& sink);

// The same, with the pipeline chosen per document (per-path config sections).
using PipelineChooser = std::function<const Pipeline&(const Document&)>;
void run_engine(DocumentReader& reader, const PipelineChooser& choose, const EngineOptions& options,
                const DocumentSink& sink);

// CPUs this process may use: SLURM_CPUS_PER_TASK if set, else the affinity mask.
size_t usable_cpus();

}  // namespace copydesk
