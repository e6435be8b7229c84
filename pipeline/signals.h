// Stopping cleanly on SIGTERM and SIGINT (Slurm timeouts, scancel, Ctrl-C):
// the handler only sets a flag; the reader stops at the next document, the
// run abandons its temporary files and writes no manifest.
#pragma once

#include <atomic>

namespace copydesk {

void install_stop_handlers();
const std::atomic<bool>& stop_flag();
int stop_signal();  // the signal that asked to stop, or 0

}  // namespace copydesk
