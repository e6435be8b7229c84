// normalise: deterministic Unicode clean-up of valid UTF-8 text (runs after
// decode and repair). All edits have confidence 1.0; offsets are UTF-8 bytes of the
// stage's input.
//
//   Document d = run_stages({"normalise"}, "Cafe\u200B\u0301 au\x01 lait");
//   // d.text == "Caf\u00E9 au lait": one normalise.nfc.v1 edit (e ZWSP U+0301
//   // -> U+00E9: a removed character inside an NFC span goes with it) and one
//   // normalise.control.v1 edit.
//
// Rules:
//   normalise.control.v1         C0 controls except TAB and LF (CR, FF and VT
//                                included: decode has already turned line
//                                breaks into LF), DEL, C1 controls: removed.
//                                (repair runs first and maps C1 controls that
//                                are windows-1252 leftovers, U+0092 -> U+2019;
//                                only those it left reach this rule.)
//   normalise.invisible.v1       invisible format characters: removed. Soft
//                                hyphen U+00AD, Arabic letter mark U+061C,
//                                U+200B ZWSP, U+200E/U+200F LRM/RLM,
//                                U+202A..U+202E bidi embeddings, U+2060..U+2064
//                                word joiner and invisible operators,
//                                U+2066..U+2069 bidi isolates, U+206A..U+206F
//                                deprecated format, U+FEFF (decode removes a
//                                leading BOM; any U+FEFF left is removed here),
//                                U+FFF9..U+FFFB interlinear annotation.
//                                Kept on purpose: ZWNJ/ZWJ U+200C/U+200D (emoji
//                                sequences, Indic and Persian spelling),
//                                variation selectors, tag characters (flag
//                                emoji), U+034F CGJ, Mongolian selectors,
//                                NBSP and the other visible spaces.
//   normalise.nfc.v1             NFC (ICU Normalizer2), one edit per changed
//                                span. NFC is computed after the removals, so
//                                "e" + ZWSP + U+0301 becomes U+00E9.
//   normalise.space-run.v1       collapse-spaces only: a run of ASCII spaces
//   normalise.trailing-space.v1  between two non-space characters of a line
//                                keeps one space; spaces before a line break or
//                                the end of the text are removed. Indentation
//                                (spaces at a line start) and tabs stay.
//
// Setting: collapse-spaces (bool, default false). Off by default because a
// double space between two words is often the only trace of a spaced dash
// (" -- ", " \u2014 ") that a lossy scraper deleted, and the restore stage
// uses it to put the dash back. Turn it on for text that did not lose
// characters, or run it in a later pipeline pass after restore.
//
// The stage is idempotent: run on its own output, it proposes nothing.
// Cost: one byte scan, eight ASCII bytes at a time. ICU's NFC check runs only
// when the text holds a code point NFC could change (>= U+0300, outside the
// punctuation block U+2002..U+206F): curly quotes and dashes alone do not
// trigger it. One core, 138 MB of news and fiction (shared train + dev):
// about 700 MB/s (1.5 GB/s on ASCII text); the runner's tokeniser is ~60 MB/s.
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace copydesk {

std::unique_ptr<Stage> make_normalise_stage(const StageContext& ctx);

}  // namespace copydesk
