#include "pipeline/cli.h"

int main(int argc, char** argv) { return copydesk::run_cli(argc, argv); }
