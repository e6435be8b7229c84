// A unified diff of two texts (line based, 3 lines of context), for `copydesk fix --diff`.
#pragma once

#include <string>
#include <string_view>

namespace copydesk {

// Empty when the texts are equal. Labels go on the ---/+++ lines.
std::string unified_diff(std::string_view before, std::string_view after,
                         std::string_view label_before, std::string_view label_after);

}  // namespace copydesk
