// split-footer: find where the trailing boilerplate of a scraped article
// starts (syndication notices, source and credit lines, read-more links,
// related lists, share/comment widgets, site chrome) and parse its items.
//
//   auto stage = make_split_footer_stage(ctx);   // loads config/footers/markers.tsv
//   StageResult r = stage->run(view);
//   // no footer: r.regions is empty
//   // footer:    r.regions[0] = {[0, s), "body"}, r.regions[1] = {[s, size), "footer",
//   //            rule, {("rules", "footer.a.v1,footer.b.v1"), ("family", "a+b")}},
//   //            then one "footer-item" region per parsed item, in text order.
//
// How the split is chosen. The text is cut into segments: its lines, and a
// line is cut in two where a "glued" marker follows a sentence end on the same
// line ("... with nations. Enditem"). Each segment gets a score: positive for
// boilerplate evidence (marker rules from the data file, link-only lines,
// dated list items, runs of short chrome lines, horizontal rules), negative
// for body evidence (sentences: many words, lower-case prose, final
// punctuation). A heading marker ("Related:", "Originally posted here:")
// owns the list lines after it. The split is the start of the suffix with the
// highest total score, scanning from the end (ties go to the later start, so
// a tie never cuts body). It is used only when the total reaches `min-score`
// and the suffix holds an anchor (a marker of weight >= 4, a link-only line or
// a dated list item). A marker inside the body does not split: the sentences
// after it pull the total down.
//
// Offsets are UTF-8 byte offsets into view.text. Whitespace between body and
// footer belongs to the body; the footer starts at a line start, or at the
// glued marker. The stage proposes no edits and no findings.
//
// Settings ([split-footer] section): markers (data file, default
// "footers/markers.tsv"), min-score (default 3.0; higher trades recall for
// fewer false splits).
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace copydesk {

std::unique_ptr<Stage> make_split_footer_stage(const StageContext& ctx);

}  // namespace copydesk
