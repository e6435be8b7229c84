#include "pipeline/reader.h"

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "pipeline/exit_status.h"
#include "pipeline/json_writer.h"
#include "pipeline/utf8.h"

namespace fs = std::filesystem;

namespace copydesk {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Fields the writer emits itself; input members with these names are not passed through.
bool reserved_output_key(std::string_view k) {
  return k == "id" || k == "text" || k == "footer" || k == "edits" || k == "findings" ||
         k == "error";
}

// Invalid UTF-8 inside a JSON record (a Latin-1 dump, a cut sequence) would
// make the whole record unparseable. Each byte that is not part of a valid
// sequence is swapped for a placeholder code point U+10FF00 + byte (plane 16,
// private use) before parsing; afterwards the text field gets the raw byte
// back, so the decode stage sees it exactly as in a text file, and every other
// field gets U+FFFD. (A record that both has invalid bytes and uses these
// private-use code points itself would see them turned into bytes.)
constexpr char kPlaceholderLead[] = "\xF4\x8F";

std::string mask_invalid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  while (!s.empty()) {
    size_t bad = find_invalid_utf8(s);
    if (bad == std::string_view::npos) {
      out.append(s);
      break;
    }
    out.append(s.substr(0, bad));
    const unsigned cp = 0x10FF00u + static_cast<unsigned char>(s[bad]);
    append_utf8(out, static_cast<char32_t>(cp));
    s.remove_prefix(bad + 1);
  }
  return out;
}

// Placeholders back to raw bytes (raw) or to U+FFFD.
std::string unmask(std::string_view s, bool raw) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(kPlaceholderLead, i);
    if (j == std::string_view::npos || j + 4 > s.size()) {
      out.append(s.substr(i));
      break;
    }
    out.append(s.substr(i, j - i));
    const auto b2 = static_cast<unsigned char>(s[j + 2]), b3 = static_cast<unsigned char>(s[j + 3]);
    if (b2 >= 0xBC && b2 <= 0xBF && b3 >= 0x80 && b3 <= 0xBF) {
      const unsigned byte = ((b2 & 0x3Fu) << 6 | (b3 & 0x3Fu)) - 0xF00u;
      if (raw)
        out += static_cast<char>(byte);
      else
        out += "\xEF\xBF\xBD";
    } else {
      out.append(s.substr(j, 4));
    }
    i = j + 4;
  }
  return out;
}

}  // namespace

// A byte stream over a file or stdin, gzip-aware (zlib reads plain files
// through unchanged). Reads in blocks; lines are split by the reader.
class DocumentReader::Stream {
 public:
  static std::unique_ptr<Stream> open(const std::string& path, std::string& error) {
    int fd = path == "-" ? dup(0) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = std::strerror(errno);
      return nullptr;
    }
    auto s = std::unique_ptr<Stream>(new Stream);
    if (ends_with(path, ".zst") || ends_with(path, ".zstd")) {
      s->fd_ = fd;
      s->zstd_ = ZSTD_createDStream();
      ZSTD_initDStream(s->zstd_);
      return s;
    }
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
      close(fd);
      error = "cannot open stream";
      return nullptr;
    }
    gzbuffer(gz, 1 << 17);
    s->gz_ = gz;
    return s;
  }
  ~Stream() {
    if (gz_) gzclose(gz_);
    if (zstd_) ZSTD_freeDStream(zstd_);
    if (fd_ >= 0) close(fd_);
  }

  // Appends up to n bytes; returns bytes read, 0 at end, -1 on error (error()).
  long read(std::string& out, size_t n) {
    long got = read_some(out, n);
    if (got > 0) plain_bytes_ += static_cast<uint64_t>(got);
    if (zstd_) {
      offset_ = raw_bytes_;
    } else {
      z_off_t off = gzoffset(gz_);  // -1 on a pipe: count decompressed bytes then
      offset_ = off >= 0 ? static_cast<uint64_t>(off) : plain_bytes_;
    }
    return got;
  }
  // Input bytes consumed so far, as stored (compressed for .gz and .zst).
  uint64_t offset() const { return offset_; }

  long read_some(std::string& out, size_t n) {
    if (zstd_) return read_zstd(out, n);
    size_t old = out.size();
    out.resize(old + n);
    int got = gzread(gz_, out.data() + old, static_cast<unsigned>(n));
    if (got < 0) {
      out.resize(old);
      return -1;
    }
    out.resize(old + static_cast<size_t>(got));
    if (got == 0) {
      int err = Z_OK;
      gzerror(gz_, &err);
      if (err != Z_OK && err != Z_STREAM_END) return -1;
    }
    return got;
  }
  std::string error() {
    if (zstd_) return zstd_error_;
    int err = Z_OK;
    const char* msg = gzerror(gz_, &err);
    if (err == Z_ERRNO) return std::strerror(errno);
    std::string m = msg && *msg ? msg : "read error";
    // zlib prefixes "<fd:N>: " for streams opened from a descriptor.
    if (m.rfind("<fd:", 0) == 0) {
      size_t colon = m.find(">: ");
      if (colon != std::string::npos) m.erase(0, colon + 3);
    }
    if (m == "unexpected end of file") m = "truncated compressed stream (unexpected end of file)";
    return m;
  }

  // JSON Lines: the next line without its "\n". Lines longer than `limit`
  // are skipped to their end and reported through `too_long` (their length).
  // Returns false at the end of the stream.
  bool next_line(std::string& line, size_t limit, size_t& too_long, std::string& error) {
    line.clear();
    too_long = 0;
    error.clear();
    bool any = false;
    while (true) {
      if (pos_ >= buf_.size()) {
        buf_.clear();
        pos_ = 0;
        long got = read(buf_, 1 << 20);
        if (got < 0) {
          error = this->error();
          return any || !line.empty() || too_long > 0;
        }
        if (got == 0) return any;
      }
      any = true;
      const char* start = buf_.data() + pos_;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', buf_.size() - pos_));
      size_t take = nl ? static_cast<size_t>(nl - start) : buf_.size() - pos_;
      if (too_long == 0 && line.size() + take <= limit) {
        // A long line gets room for the whole limit at once: growing by
        // doubling would hold the old and the new buffer at the peak, about
        // 1.5 times the limit.
        if (line.size() + take > line.capacity() && line.size() + take > (size_t{1} << 20))
          line.reserve(limit);
        line.append(start, take);
      } else {
        too_long += line.size() + take;
        std::string().swap(line);  // give back a buffer near the limit
      }
      pos_ += take;
      if (nl) {
        ++pos_;
        return true;
      }
    }
  }

 private:
  Stream() = default;

  long read_zstd(std::string& out, size_t n) {
    const size_t old = out.size();
    out.resize(old + n);
    ZSTD_outBuffer ob{out.data() + old, n, 0};
    while (ob.pos == 0) {
      if (in_pos_ == in_.size()) {
        in_.resize(ZSTD_DStreamInSize());
        ssize_t got = ::read(fd_, in_.data(), in_.size());
        if (got < 0) {
          out.resize(old);
          zstd_error_ = std::strerror(errno);
          return -1;
        }
        in_.resize(static_cast<size_t>(got));
        in_pos_ = 0;
        raw_bytes_ += static_cast<uint64_t>(got);
        if (got == 0) {
          out.resize(old);
          if (zstd_pending_ != 0) {
            zstd_error_ = "truncated zstd stream (unexpected end of file)";
            return -1;
          }
          return 0;
        }
      }
      ZSTD_inBuffer ib{in_.data(), in_.size(), in_pos_};
      size_t rc = ZSTD_decompressStream(zstd_, &ob, &ib);
      in_pos_ = ib.pos;
      if (ZSTD_isError(rc)) {
        out.resize(old);
        zstd_error_ = std::string("zstd: ") + ZSTD_getErrorName(rc);
        return -1;
      }
      zstd_pending_ = rc;
    }
    out.resize(old + ob.pos);
    return static_cast<long>(ob.pos);
  }

  int fd_ = -1;
  ZSTD_DStream* zstd_ = nullptr;
  std::string in_;
  size_t in_pos_ = 0;
  size_t zstd_pending_ = 0;  // nonzero while a frame is unfinished
  std::string zstd_error_;
  gzFile gz_ = nullptr;
  uint64_t raw_bytes_ = 0;    // zstd: bytes read from the file
  uint64_t plain_bytes_ = 0;  // decompressed bytes returned
  uint64_t offset_ = 0;
  std::string buf_;
  size_t pos_ = 0;
};

std::vector<InputFile> expand_inputs(const std::vector<std::string>& args) {
  std::vector<InputFile> out;
  for (const std::string& arg : args) {
    std::error_code ec;
    if (arg != "-" && fs::is_directory(arg, ec)) {
      std::vector<InputFile> found;
      for (auto it = fs::recursive_directory_iterator(
               arg, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        InputFile f;
        f.path = it->path().string();
        // Lexical: the iterator's paths start with `arg`; fs::relative would
        // resolve symlinks with a readlink per component and file (slow on 100,000 files).
        f.relative = it->path().lexically_relative(arg).string();
        found.push_back(std::move(f));
      }
      // Byte-wise order (LC_ALL=C), so shards and outputs are deterministic.
      std::sort(found.begin(), found.end(),
                [](const InputFile& a, const InputFile& b) { return a.relative < b.relative; });
      for (auto& f : found) out.push_back(std::move(f));
    } else {
      InputFile f;
      f.path = arg;
      f.relative = arg == "-" ? "stdin" : fs::path(arg).filename().string();
      out.push_back(std::move(f));
    }
  }
  for (size_t i = 0; i < out.size(); ++i) out[i].index = i;
  return out;
}

InputFormat parse_input_format(const std::string& name) {
  if (name == "auto") return InputFormat::kAuto;
  if (name == "text") return InputFormat::kText;
  if (name == "jsonl") return InputFormat::kJsonl;
  throw UsageError("--input-format expects text, jsonl or auto, got '" + name + "'");
}

InputFormat format_for(const std::string& path, InputFormat requested) {
  if (requested != InputFormat::kAuto) return requested;
  std::string p = path;
  if (ends_with(p, ".gz")) p.resize(p.size() - 3);
  if (ends_with(p, ".zst")) p.resize(p.size() - 4);
  if (ends_with(p, ".jsonl") || ends_with(p, ".ndjson")) return InputFormat::kJsonl;
  return InputFormat::kText;
}

DocumentReader::DocumentReader(std::vector<InputFile> files, ReaderOptions options)
    : files_(std::move(files)), options_(std::move(options)) {}

DocumentReader::~DocumentReader() = default;

void DocumentReader::close_stream() {
  if (!stream_) return;
  bytes_done_ += stream_->offset();
  bytes_read_.store(bytes_done_, std::memory_order_relaxed);
  stream_.reset();
}

std::optional<uint64_t> total_input_bytes(const std::vector<InputFile>& files) {
  uint64_t total = 0;
  for (const auto& f : files) {
    if (f.path == "-") return std::nullopt;
    std::error_code ec;
    auto st = fs::status(f.path, ec);
    if (ec) continue;  // missing: an error record, no bytes
    if (!fs::is_regular_file(st)) return std::nullopt;
    total += fs::file_size(f.path, ec);
  }
  return total;
}

bool DocumentReader::next(Document& doc) {
  doc = Document{};
  while (true) {
    if (options_.stop && options_.stop->load(std::memory_order_relaxed)) return false;
    if (!stream_) {
      if (file_index_ >= files_.size()) return false;
      const InputFile& f = files_[file_index_++];
      stream_format_ = format_for(f.path, options_.format);
      line_no_ = 0;
      records_ = 0;
      std::string error;
      stream_ = Stream::open(f.path, error);
      doc.source_name = f.relative;
      doc.input_index = f.index;
      if (!stream_) {
        doc.id = f.path;
        doc.source_path = f.path;
        doc.error = DocumentError{"unreadable-file", "cannot open '" + f.path + "': " + error};
        return true;
      }
      if (stream_format_ == InputFormat::kText) {
        doc.id = f.path == "-" ? "stdin" : f.path;
        doc.source_path = f.path;
        if (options_.detect_markup) doc.markup = markup_for(f.path);
        // One document: read it whole, but never past the size limit. Blocks
        // go through a reused buffer, so a small file costs its size, not a
        // block (100,000 small files would otherwise each hold a zeroed MB).
        while (true) {
          scratch_.clear();
          long got = stream_->read(scratch_, 1 << 20);
          if (got > 0) doc.original.append(scratch_);
          if (got < 0) {
            doc.error = DocumentError{"read-error",
                                      "reading '" + f.path + "': " + stream_->error() + " after " +
                                          std::to_string(doc.original.size()) + " bytes"};
            break;
          }
          if (got == 0) break;
          if (doc.original.size() > options_.max_document_bytes) {
            doc.error = DocumentError{"too-large", "the document is larger than " +
                                                       std::to_string(options_.max_document_bytes) +
                                                       " bytes (max-document-bytes)"};
            doc.original = std::string();  // give the memory back too
            break;
          }
        }
        close_stream();
        return true;
      }
    }
    // JSON Lines.
    const InputFile& f = files_[file_index_ - 1];
    std::string line;
    size_t too_long = 0;
    std::string error;
    bool got = stream_->next_line(line, options_.max_document_bytes, too_long, error);
    bytes_read_.store(bytes_done_ + stream_->offset(), std::memory_order_relaxed);
    if (!got) {
      bool failed = !error.empty();
      close_stream();
      if (failed) {
        doc.id = f.path + ":" + std::to_string(line_no_ + 1);
        doc.source_path = f.path;
        doc.source_name = f.relative;
        doc.input_index = f.index;
        doc.record_index = records_++;
        doc.source_line = line_no_ + 1;
        doc.error = DocumentError{"read-error", "reading '" + f.path + "' at line " +
                                                    std::to_string(line_no_ + 1) + ": " + error};
        return true;
      }
      continue;
    }
    ++line_no_;
    doc.source_path = f.path;
    doc.source_name = f.relative;
    doc.input_index = f.index;
    doc.record_index = records_++;
    doc.source_line = line_no_;
    doc.id = f.path + ":" + std::to_string(line_no_);
    if (!error.empty()) {
      // The stream is broken: this partial record is the file's last one.
      close_stream();
      doc.error = DocumentError{"read-error", "reading '" + f.path + "' at line " +
                                                  std::to_string(line_no_) + ": " + error +
                                                  " (the record is incomplete)"};
      return true;
    }
    if (too_long > 0) {
      doc.error = DocumentError{"too-large", "JSON record of " + std::to_string(too_long) +
                                                 " bytes is over the limit of " +
                                                 std::to_string(options_.max_document_bytes) +
                                                 " (max-document-bytes)"};
      return true;
    }
    if (line.empty() || line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;  // blank lines are not records
    }
    parse_json_record(line, doc);
    return true;
  }
}

void DocumentReader::parse_json_record(std::string_view line, Document& doc) const {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto err = parser.parse(line.data(), line.size(), true).get(root);
  std::string masked;
  if (err == simdjson::UTF8_ERROR) {
    masked = mask_invalid_utf8(line);
    err = parser.parse(masked.data(), masked.size(), true).get(root);
  }
  const bool has_masked = !masked.empty();
  if (err) {
    doc.error = DocumentError{
        "invalid-json", std::string("malformed JSON record: ") + simdjson::error_message(err)};
    return;
  }
  simdjson::dom::object obj;
  if (root.get(obj)) {
    doc.error = DocumentError{"invalid-json", "the JSON record is not an object"};
    return;
  }
  bool have_text = false;
  std::string members;
  for (auto field : obj) {
    std::string_view key = field.key;
    if (key == options_.id_field) {
      std::string_view sv;
      if (!field.value.get(sv)) {
        doc.id = has_masked ? unmask(sv, false) : std::string(sv);
      } else if (field.value.is_int64() || field.value.is_uint64()) {
        doc.id = simdjson::minify(field.value);
      }
    }
    if (key == options_.text_field) {
      std::string_view sv;
      if (field.value.get(sv)) {
        doc.error =
            DocumentError{"bad-field", "the field '" + options_.text_field + "' is not a string"};
        return;
      }
      if (has_masked)
        doc.original = unmask(sv, true);
      else
        doc.original.assign(sv);
      have_text = true;
      continue;
    }
    if (reserved_output_key(key)) continue;
    if (!members.empty()) members += ',';
    if (has_masked) {
      append_json_string(members, unmask(key, false));
      members += ':';
      members += unmask(simdjson::minify(field.value), false);
      continue;
    }
    append_json_string(members, key);
    members += ':';
    members += simdjson::minify(field.value);
  }
  doc.passthrough_json = std::move(members);
  if (!have_text) {
    doc.error =
        DocumentError{"missing-field", "the record has no field '" + options_.text_field + "'"};
  }
}

}  // namespace copydesk
