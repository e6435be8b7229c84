// copydesk eval: measure restoration on the user's own clean text.
//
//   copydesk eval --damage strip-nonascii --input-format jsonl clean.jsonl
//   copydesk eval --damage strip-apostrophes --json figures.json articles/
//
// Each input document is taken as CLEAN gold text. eval damages it exactly as
// the shared eval/damage.py does (strip-nonascii: delete every code point
// above U+007F; strip-apostrophes: delete ASCII ' and U+2019 only), runs the
// pipeline (--stages, default "restore") over the damaged text, and scores the
// output against the clean text exactly as eval/score.py scores insertions:
// per class (apostrophe, quote, dash, space, letter, ellipsis, other,
// traceless) gold/TP/FP/FN/P/R/F1, micro ALL and ALL-space, in the exact and
// the folded (ASCII style) view, plus collateral edits (input characters the
// system deleted or changed, per 10,000 input characters), documents restored
// exactly and the character error rate before and after. Character counts are
// code points, as in score.py.
//
// Calibration: the pipeline runs with review threshold 0, so every edit the
// calibrated stages (--calibrate, default "restore") propose is seen: applied
// (confidence >= apply threshold) or a suggestion finding. Each is bucketed by
// confidence and judged right when, applied alone, it gives the clean text
// over its span in the folded view. A well-calibrated stage is right in about
// the share its bucket's confidence says. The applied output, and so every
// other figure, is what `copydesk clean` would produce.
//
// Options not listed here come from the same sources as `copydesk clean`:
// --config FILE, .copydesk.ini, then DATA_DIR/copydesk.ini (apply-threshold,
// max-document-bytes and [stage] keys; the config's "stages" is NOT used:
// eval measures --stages, default restore).
//
// A document the damage leaves empty is scored without running the pipeline.
// Exit status: 0 figures printed; 2 usage or configuration error, no document
// to score, or a document that could not be read (not scored) or failed in
// the pipeline (scored as if returned unchanged, as score.py scores a missing
// record); the run goes on either way.
#pragma once

#include <string>
#include <vector>

namespace copydesk {

// args: everything after the word "eval".
int run_eval_command(const std::vector<std::string>& args);

}  // namespace copydesk
