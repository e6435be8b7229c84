#include "pipeline/stage_registry.h"

#include "stages/decode.h"
#include "stages/flag_slips.h"
#include "stages/normalise.h"
#include "stages/repair.h"
#include "stages/restore.h"
#include "stages/split_footer.h"

namespace copydesk {

const std::vector<StageInfo>& all_stages() {
  static const std::vector<StageInfo> stages = {
      {"decode", "bytes to valid UTF-8: invalid sequences, byte order mark, CRLF",
       &make_decode_stage},
      {"repair", "undo mojibake, HTML entities and stray control characters", &make_repair_stage},
      {"normalise", "NFC, control and zero-width characters, runs of spaces",
       &make_normalise_stage},
      {"restore", "reinsert what a lossy scraper deleted: apostrophes, dashes, spaces",
       &make_restore_stage},
      {"split-footer", "find where trailing syndication boilerplate starts; parse its items",
       &make_split_footer_stage},
      {"flag-slips", "flag confusable places and editorial slips for review (findings only)",
       &make_flag_slips_stage},
  };
  return stages;
}

const StageInfo* find_stage(std::string_view name) {
  for (const auto& s : all_stages())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace copydesk
