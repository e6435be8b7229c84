// Exit status of every copydesk command (README: Exit status), and the error
// a bad command line throws (reported as "copydesk: error: ...", exit 2).
#pragma once

#include <stdexcept>

namespace copydesk {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;   // findings at or above --fail-on
inline constexpr int kExitError = 2;      // usage, configuration or input error
inline constexpr int kExitRetryable = 3;  // I/O failure or a stop signal: running again may succeed

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace copydesk
