// HTML character references in plain text: "&rsquo;", "&#8217;", "&#x2019;",
// double-escaped "&amp;rsquo;" (one edit: -> "\u2019"), and the legacy names
// the HTML spec accepts without ';' ("&copy 2024").
//
//   EntityDecoder d(ctx.data_path("repair/html5_entities.tsv"));
//   auto edits = d.find_edits("Don&rsquo;t", cp1252);  // [3,11) -> "\u2019"
//
// What counts as an entity (the rest stays as it is: "AT&T", "Q&A", "&foo;"):
//   named    a name from the HTML5 table followed by ';' (confidence 0.99);
//            a legacy name (amp, copy, nbsp, eacute ...) without ';' only
//            when no letter or digit follows it (0.92: "&copy 2024", never
//            "&copyright")
//   numeric  "&#" decimal or "&#x" hex digits, then ';' (0.99), or without
//            ';' when no letter or digit follows (0.9). As in HTML: 0, a
//            surrogate or a value past U+10FFFF gives U+FFFD; 0x80..0x9F give
//            the windows-1252 character ("&#146;" -> "\u2019").
//   double   an entity whose value is "&" directly followed by another
//            entity's body ("&amp;rsquo;", "&amp;amp;", "&#38;#8217;") is
//            decoded through every layer in one edit.
// Rule: repair.entity.v1. Offsets are UTF-8 bytes.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stages/repair_edits.h"

namespace copydesk::repair {

class EntityDecoder {
 public:
  // Loads the table written by tools/repair/gen_tables.py; ConfigError on
  // bad lines. c1_map gives the character for bytes 0x80..0x9F (windows-1252).
  EntityDecoder(const std::string& table_path, const std::array<char32_t, 32>& c1_map);

  std::vector<RepairEdit> find_edits(std::string_view text) const;

 private:
  struct Entry {
    std::string value;  // UTF-8
    bool legacy = false;
  };
  struct Parsed {
    size_t length = 0;  // bytes after the '&'
    std::string value;
    double confidence = 0;
  };
  bool parse(std::string_view text, size_t after_amp, Parsed& out) const;

  std::unordered_map<std::string, Entry> names_;
  std::array<char32_t, 32> c1_map_;
  size_t max_name_ = 0;
};

}  // namespace copydesk::repair
