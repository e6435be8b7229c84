// Writing JSON: a small escaper and a builder for one record at a time.
//
//   JsonWriter w;
//   w.begin_object(); w.key("id"); w.string("a\"b"); w.key("n"); w.number(3); w.end_object();
//   w.str() == R"({"id":"a\"b","n":3})"
//
// Strings are escaped per RFC 8259 (", \, and controls below U+0020); other
// characters are written as UTF-8. Invalid UTF-8 bytes are written as U+FFFD:
// callers that must keep such bytes write them separately (see hex()).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace copydesk {

void append_json_string(std::string& out, std::string_view s);
// Lower-case hex of the bytes, for byte strings that are not valid UTF-8.
std::string hex(std::string_view bytes);

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& string(std::string_view s);
  JsonWriter& number(double v);
  JsonWriter& integer(int64_t v);
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  // Inserts already-serialised JSON as the next value.
  JsonWriter& raw(std::string_view json);
  // Inserts already-serialised "key":value members into the open object.
  JsonWriter& raw_members(std::string_view members);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }
  void clear() {
    out_.clear();
    first_.clear();
  }

 private:
  void before_value();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace copydesk
