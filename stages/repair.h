// repair: undoes the damage text picks up between a web page and a scrape,
// on valid UTF-8 (runs after decode): mojibake, HTML character references,
// stray C1 controls. Offsets are UTF-8 bytes of the stage's input.
//
//   Document d = run_stages({"repair"}, "don\u00E2\u20AC\u2122t &amp;rsquo; Caf\u00C3\u00A9");
//   // d.text == "don\u2019t \u2019 Caf\u00E9": two repair.mojibake.v1 edits
//   // and one repair.entity.v1 edit
//
// Rules (details in repair_entities.h and repair_mojibake.h):
//   repair.entity.v1      "&rsquo;" "&#8217;" "&#x2019;" "&amp;rsquo;" -> U+2019;
//                         legacy names without ';' only before a non-alphanumeric
//   repair.mojibake.v1    UTF-8 read as windows-1252 / Latin-1 / MacRoman,
//                         one or more layers ("\u00C3\u00A2\u00E2\u201A\u00AC\u00E2\u201E\u00A2" ->
//                         U+2019), only where re-decoding makes the text clearly less weird;
//                         decided per cluster of adjacent mis-decoded
//                         characters, never per document, so correct text
//                         ("Caf\u00E9", "na\u00EFve", "\u00A35", "S\u00C3O") stays as it is
//   repair.c1-control.v1  a U+0080..U+009F left over -> its windows-1252 character
// Passes: entities, then mojibake layers until nothing changes (at most
// max-layers); an entity may decode to mojibake ("&Atilde;&copy;"), then the
// two compose into one edit "repair.entity.v1+repair.mojibake.v1". Only edits
// at or above layer-threshold feed the next pass; weaker ones are returned
// as they are (the runner makes them suggestions) where no sure edit covers
// them. The stage is idempotent: run on its own output it proposes nothing
// at or above layer-threshold.
//
// Data: config/repair/codepages.tsv, config/repair/html5_entities.tsv (made by
// tools/repair/gen_tables.py; see config/repair/README.md).
// Settings: max-layers (int, default 4), layer-threshold (default 0.9: the
// runner's default apply threshold; keep them equal).
// Cost: a text with no '&', no C1 control and no character pair that could
// start a mojibake sequence returns after one memchr and one byte scan.
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace copydesk {

std::unique_ptr<Stage> make_repair_stage(const StageContext& ctx);

}  // namespace copydesk
