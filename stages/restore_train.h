// Training the restore stage's model: RestoreCounter counts, over clean
// prose run through the deletion channel (restore_channel.h), what was
// deleted at every gap of the stripped text, and writes the tables the
// restore stage decodes with (config/restore/model.bin, see restore_model.h).
//
//   RestoreCounter counter;                         // one per training run
//   for (each document d, weight w)                 // w: its source's share
//     counter.add(d, strip_channel(d), w);
//   counter.write("config/restore");                // model.bin (+ TSVs)
//
// The tables (config/restore/README.md describes the columns):
//   lexicon  key (stripped token, ASCII-lowercased) -> plain count, share of
//            capitalised occurrences, and the forms it was written in
//            ("dont" -> "don\u2019t")
//   glue     per word: how often it sat left (L) / right (R) of a deleted
//            separator (dash, no-break space, other) that glued it to the next
//   pairs    word pairs glued by a deleted separator, per separator class
//   gaps     deletions at punctuation / space gaps by neighbour classes
//   labels   line-initial tokens ("Q", "END") and the space run deleted after them
//   context  for ambiguous keys (its / it\u2019s): neighbour counts per reading
// Counts are weighted (the caller's per-document weight), pruned (see the
// .cc) and rounded to their printed precision (one decimal below 10, whole
// numbers above), so the binary model and the inspection TSVs agree.
//
// The context table needs the set of ambiguous keys, known only after every
// document was seen: the counter keeps the stripped documents (about the
// corpus size in memory) and counts context in write().
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stages/restore_channel.h"

namespace copydesk::restore {

// The pruned, rounded tables; rows sorted as in the TSV files.
struct RestoreTables {
  struct Lex {
    std::string key;
    double plain = 0, cap_share = 0;
    std::vector<std::pair<std::string, double>> forms;  // by count, descending
  };
  struct Glue {
    std::string word;
    char side = 'L';  // 'L': the word before the separator, 'R': after
    double dash = 0, nbsp = 0, other = 0;
  };
  struct Pair {
    std::string w1, w2, sep;  // sep: dash, nbsp, quote, other
    double count = 0;
  };
  struct Gap {
    std::string kind, left, right;   // "punct,", "space2", "spaceN"; classes
    std::array<double, 7> counts{};  // none, nbsp, dash, apos, quote, letter, other
  };
  struct Label {
    std::string token, run;  // run: the deleted UTF-8 run after the token
    double count = 0, total = 0;
  };
  struct Context {
    std::string key, form, side, neighbour;  // side "L", "R" or "T" ("left right")
    double count = 0;
  };
  std::vector<Lex> lexicon;
  std::vector<Glue> glue;  // the L rows, then the R rows
  std::vector<Pair> pairs;
  std::vector<Gap> gaps;
  std::vector<Label> labels;
  std::vector<Context> context;
};

struct RestoreTrainOptions {
  bool write_tsv = false;  // write() also writes the TSV files, for inspection
};

class RestoreCounter : public Counter {
 public:
  explicit RestoreCounter(RestoreTrainOptions options = {});
  ~RestoreCounter() override;
  RestoreCounter(const RestoreCounter&) = delete;
  RestoreCounter& operator=(const RestoreCounter&) = delete;

  void add(std::string_view clean, const StrippedText& stripped, double weight) override;
  // Writes dir/model.bin (and the TSVs with write_tsv); throws OutputError
  // when a file cannot be written.
  void write(const std::string& dir) const override;

  // The tables write() writes (counts the context table: a second pass).
  RestoreTables tables() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::unique_ptr<Counter> make_restore_counter(RestoreTrainOptions options = {});

// The TSV files (lexicon.tsv, glue.tsv, pairs.tsv, gaps.tsv, labels.tsv,
// context.tsv) of the tables, and back (ConfigError on bad rows). Reading
// TSVs back lets an edited or older set of tables be turned into a model.
void write_restore_tsv(const RestoreTables& t, const std::string& dir);
RestoreTables read_restore_tsv(const std::string& dir);

// Builds the binary model from the tables (RestoreModel::load reads it):
// the lookup tables the stage uses, with the sums it needs precomputed.
void write_restore_model(const RestoreTables& t, const std::string& path);

}  // namespace copydesk::restore
