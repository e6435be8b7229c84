// decode: turns the input bytes into clean UTF-8 with LF line breaks. It is
// the pipeline's only bytes stage: its input may be invalid UTF-8, and its edit
// spans need not fall on character boundaries. Every later stage sees valid
// UTF-8.
//
//   Document d = run_stages({"decode"}, "\xEF\xBB\xBFOne\r\nTwo \xC3(");
//   // d.text == "One\nTwo \uFFFD(": edits decode.bom.v1, decode.newline.v1,
//   // decode.invalid-utf8.v1, plus one error finding that counts the repairs.
//
// Rules (all confidence 1.0; offsets are bytes of the stage's input):
//   decode.bom.v1           a leading UTF-8 byte order mark is removed. A U+FEFF
//                           anywhere else is text; normalise removes it.
//   decode.newline.v1       CR LF -> LF and a lone CR -> LF, one edit each.
//   decode.invalid-utf8.v1  each maximal subpart of an ill-formed sequence
//                           (Unicode 15 section 3.9, "U+FFFD Substitution of
//                           Maximal Subparts"; WHATWG and ICU's U8_NEXT do
//                           the same) becomes one U+FFFD, one edit each. One
//                           finding of severity error per document summarises
//                           them; its span is the first bad sequence.
//
// Cost: one pass over the bytes, eight ASCII bytes at a time; a valid text with
// no CR and no BOM gives an empty result.
//
// Encodings: the stage first decides which encoding the bytes are in
// (detect_encoding in decode.cc) and then runs that encoding's decoder. Only
// UTF-8 exists today; a legacy decoder (windows-1252, ...) will produce one
// edit per run of non-ASCII bytes into the same result, and share the newline
// handling.
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace copydesk {

// Settings: none yet.
std::unique_ptr<Stage> make_decode_stage(const StageContext& ctx);

}  // namespace copydesk
