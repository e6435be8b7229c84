// The one stderr logger every command logs through ("copydesk: info: ...").
//
//   use_stderr_logger();          // idempotent: creates it once, then reuses it
//   spdlog::info("{} document(s)", n);
#pragma once

namespace copydesk {

void use_stderr_logger();

}  // namespace copydesk
