// copydesk train: build the restore stage's model from clean prose.
//
//   copydesk train --out my-model corpus.jsonl articles/
//   copydesk clean --set restore.data=$PWD/my-model damaged.txt
//
// Every input document is taken as CLEAN text. train runs the deletion
// channel over it (stages/restore_channel.h: every non-ASCII character and
// the ASCII apostrophe deleted) and hands the clean and stripped text to each
// counter (train_counters() in the .cc), which writes its files into --out:
// model.bin (the restore tables; with --tsv also as TSV, for inspection),
// quotes.tsv (stages/restore_quotes.h), accents.tsv (stages/restore_accents.h).
//
// Inputs: JSON Lines (.jsonl, .jsonl.gz, .ndjson; the text in --text-field,
// default "gold"), plain text files (one document each) and directories
// (recursive, sorted). Inputs are read twice (sizes, then counts): standard
// input is not accepted.
//
// Shares: each input file carries a fixed share of the counts, so that a
// large source does not set the priors alone. A document's weight is
// share(file) / (code points of the file) x (code points of all files), held-
// out documents included. --share NAME=X sets a file's share (NAME: its file
// name, or its path as given or relative to its directory argument); files
// without one split what the named shares leave of 1 equally (all files
// equally when none is named); the shares are then normalised to sum to 1.
//
// Hold-out: with --holdout FILE, every document of the files whose name
// starts with a --holdout-from prefix (default: every file) whose SHA-1 of
// its id, read as a number from the first 8 hex digits, is divisible by 20
// is left out of the counts and written to FILE as JSON Lines ({"id",
// "source", "gold"}), for a check on text the model did not see.
//
// --from-tsv DIR turns a directory of TSV tables (as --tsv writes them) into
// model.bin without counting: for hand-edited or older tables.
//
// Exit status: 0 written; 2 usage error, an input that cannot be read (a
// missing file, a malformed JSON record, a record without the text field),
// or an output that cannot be written.
#pragma once

#include <string>
#include <vector>

namespace copydesk {

// args: everything after the word "train".
int run_train_command(const std::vector<std::string>& args);

}  // namespace copydesk
