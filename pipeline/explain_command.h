// copydesk explain TEXT: every character of TEXT with its code point and
// Unicode name, and what the repair stages would do to it (as ftfy's
// explain_unicode does), for debugging a damaged string.
#pragma once

#include <string>
#include <vector>

namespace copydesk {

int run_explain_command(const std::vector<std::string>& args);

}  // namespace copydesk
