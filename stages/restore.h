// restore: puts back what a lossy scraper deleted (every non-ASCII character,
// or only apostrophes), by decoding the deletion channel gap by gap.
//
//   Document d = run_stages({"restore"}, "the citys day, dont go");
//   // d.text == "the country\u2019s day, don\u2019t go"
//
// The channel only deletes, so the stage only INSERTS characters the channel
// deletes (U+2019, U+201C/D, U+2014, U+00A0, accented letters): it never
// deletes or changes an input byte, and its output is a fixed point (running
// it again changes nothing: neighbours are read as the channel would have
// left them).
//
// Rules (each edit's confidence is the estimated probability it is right):
//   restore.apostrophe.v1   a token whose stripped form is written with an
//                           apostrophe in the training text ("dont", "citys");
//                           words that are words themselves are decided by
//                           context: contractions (its, were, well, ill) by the
//                           context model (restore_context.h, context2.tsv),
//                           possessives (governments) by the lexicon's
//                           class-pooled neighbour counts (model.bin).
//   restore.possessive.v1   an unknown "Xs" where X is a capitalised name known
//                           to the lexicon or written elsewhere in the document.
//   restore.glued-dash.v1   an unknown token that splits into known words
//   restore.glued-space.v1  ("buildamoreinclusive", restore_glued.h: forward
//                           algorithm over the cut points against the token
//                           being an unknown word; each cut's probability and
//                           its separator, em dash or no-break space, from
//                           logistic models fitted on training text run
//                           through the channel, glued.tsv, the second pass
//                           knowing the document's other sure cuts; features
//                           include the document's own spellings of the parts
//                           and whether the token ends its line); inner
//                           capitals are cuts ("theCHIPS", "WhiteHouse" even
//                           though "whitehouse" is known); also two spaces
//                           between words (" \u2014 " lost its dash) and a space
//                           before a line break.
//   restore.space-after-punct.v1  a no-break space after , ; : . ) glued to a
//                           following word (not numbers, URLs, "U.S."; after a
//                           dot only before a common word, or after a word the
//                           document glues by a dot to several names:
//                           "Mr.Neech", "Mr.Lodge").
// The document's own cuts settle uncertain separators (each cut's dash odds
// move by the dash share of the document's other cuts), and its applied
// splits the rest: a page that lost no-break spaces between words gets them
// at glued sentence ends ("people.As") and at uncertain cuts, and, when it also
// surely lost one after punctuation, at its other punctuation glued to a word
// (":Biden", "(FBI)increased"); one that lost only dashes, dashes.
//   restore.label-space.v1  the no-break spaces a transcript puts after a
//                           line-initial label ("Q", "END"), learned per label
//                           and next character (restore_labels.h, labels2.tsv);
//                           applied only where the document shows lost no-break
//                           spaces elsewhere (a typesetting habit of one
//                           publisher: other pages never had them).
// Where a glued token is split, each part is then decided as a word of its
// own ("JoeBidens" -> "Joe\u00a0Biden\u2019s"); two insertions at one gap
// become one edit (apostrophe first), as sure as its less sure part.
// URLs, e-mail addresses and tokens with digits are left alone.
//
// Data: config/restore/ (see its README.md). Settings ([restore] section):
//   data = restore            directory under config/ with the tables
//   line-end-dash = true      a space before a line break is a deleted dash
//                             (true for trimmed text; turn off for input that
//                             keeps stray trailing spaces)
//   punctuation = unicode     or ascii: insert ' " -- and plain spaces instead
//                             of typographic characters (CLI --punctuation)
//   pair-quotes = true        an opening and the next closing of its line are
//                             as sure as the less sure of them; a quote without
//                             a partner is scaled by 0.6, so it is not applied
//                             alone (an unbalanced line reads worse than none);
//                             false: each quote on its own confidence
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace copydesk {

std::unique_ptr<Stage> make_restore_stage(const StageContext& ctx);

}  // namespace copydesk
