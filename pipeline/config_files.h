// Where copydesk finds its data and configuration, shared by every command.
#pragma once

#include <string>

namespace copydesk {

// The data folder (config/): `requested` if given, else $COPYDESK_DATA_DIR,
// else share/copydesk or config/ beside the binary (with a copydesk.ini), else
// the source tree the binary was built from.
std::string find_data_dir(const std::string& requested);

// .copydesk.ini in the working folder or the nearest folder above it (as
// EditorConfig and Vale find theirs); "" when there is none.
std::string discover_config();

}  // namespace copydesk
