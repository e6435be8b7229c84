// copydesk merge-reports DIR: joins what the shards of a run wrote.
//  - DIR/reports/*.findings.jsonl: findings, merged into input order (input
//    index, then record), so the result does not depend on the shard count;
//  - DIR/stats/*.json: statistics, summed key by key (numbers add up).
#pragma once

#include <string>
#include <vector>

namespace copydesk {

int run_merge_reports(const std::vector<std::string>& args);

}  // namespace copydesk
