// The command line: `copydesk COMMAND [OPTIONS] [INPUT...]`.
//
// Options are read by Boost.Program_options from the command line, then the
// file named by --config, then the default config/copydesk.ini; the first
// value found wins. INI sections name stages: "[restore]" + "lexicon = x"
// is the stage setting "restore.lexicon" (also "--set restore.lexicon=x").
//
// Exit status: 0 clean run; 1 findings at or above --fail-on; 2 usage,
// configuration or input error (a document that failed still gets its
// error record, and the run goes on).
#pragma once

#include <string>
#include <vector>

namespace copydesk {

int run_cli(int argc, char** argv);

}  // namespace copydesk
