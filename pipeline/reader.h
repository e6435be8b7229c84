// Reading input documents: text files (one document each), JSON Lines (one
// document per line), directories (recursive, byte-wise sorted), "-" for
// standard input; gzip (.gz) is read transparently.
//
//   DocumentReader reader({"dump.jsonl.gz", "articles/"}, opts);
//   Document doc;
//   while (reader.next(doc)) pipeline.run(doc);
//
// Problems with one document never stop the reader: a missing file, a
// truncated stream, a malformed JSON record or a record without the text
// field yields a Document whose `error` is set, so every input yields
// exactly one output record.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/document.h"

namespace copydesk {

enum class InputFormat { kAuto, kText, kJsonl };

struct ReaderOptions {
  InputFormat format = InputFormat::kAuto;  // auto: .jsonl / .jsonl.gz / .ndjson are JSON Lines
  std::string text_field = "text";
  std::string id_field = "id";
  size_t max_document_bytes = 32u << 20;    // larger documents become error records
  bool detect_markup = false;               // mark .md/.html text files (Document::markup)
  const std::atomic<bool>* stop = nullptr;  // when set and true, reading ends early
};

// One input file as named on the command line or found in a directory.
struct InputFile {
  std::string path;      // as opened ("-" for stdin)
  std::string relative;  // path relative to the directory argument, or the basename
  size_t index = 0;      // position in the whole listing (shards keep it)
};

// Expands arguments into input files; a missing path is kept (it becomes an
// error record when read).
std::vector<InputFile> expand_inputs(const std::vector<std::string>& args);

InputFormat format_for(const std::string& path, InputFormat requested);

// The value of --input-format: "auto", "text" or "jsonl"; throws UsageError
// (exit_status.h) naming the option for anything else.
InputFormat parse_input_format(const std::string& name);

class DocumentReader {
 public:
  DocumentReader(std::vector<InputFile> files, ReaderOptions options);
  ~DocumentReader();
  DocumentReader(const DocumentReader&) = delete;
  DocumentReader& operator=(const DocumentReader&) = delete;

  // Fills doc with the next document (resetting it); false at the end.
  bool next(Document& doc);

  const std::vector<InputFile>& files() const { return files_; }
  // Input bytes consumed so far, as stored (compressed bytes for .gz/.zst);
  // may be read from another thread while next() runs (progress line).
  uint64_t input_bytes_read() const { return bytes_read_.load(std::memory_order_relaxed); }

 private:
  class Stream;
  bool open_next_file();
  void close_stream();
  void parse_json_record(std::string_view line, Document& doc) const;

  std::vector<InputFile> files_;
  ReaderOptions options_;
  size_t file_index_ = 0;
  std::unique_ptr<Stream> stream_;
  InputFormat stream_format_ = InputFormat::kText;
  size_t line_no_ = 0;
  size_t records_ = 0;
  std::string scratch_;      // read buffer for text files
  uint64_t bytes_done_ = 0;  // input bytes of the files already closed
  std::atomic<uint64_t> bytes_read_{0};
};

// Total size of the inputs in bytes, or nullopt when one is not a regular
// file (stdin, a pipe): the progress line's ETA needs it.
std::optional<uint64_t> total_input_bytes(const std::vector<InputFile>& files);

}  // namespace copydesk
