// restore_labels: what a transcript deletes around a line-initial label.
// Typeset transcripts put no-break spaces after speaker and end labels
// ("Q\u00a0\u00a0\u00a0 Do you...", "END\u00a0...\u00a0 12:56 P.M."); the
// channel deletes them and leaves "Q Do you", "END 12:56". The model learns,
// per line-initial token and the class of the character after its space, how
// often each pair of deleted runs (before and after that space) occurred, and
// puts back the pair with the highest expected score: each inserted character
// that is right counts one, each wrong one costs one.
//
//   LabelModel m = LabelModel::load("config/restore");
//   const LabelModel::Choice* c = m.choose("END", 'D');
//   // c->before = 15 no-break spaces, c->after = "", c->precision = 0.93
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "stages/restore_channel.h"

namespace copydesk::restore {

class LabelModel {
 public:
  struct Choice {
    std::string before;    // inserted right after the label
    std::string after;     // inserted after the space that follows it
    double precision = 0;  // expected share of the inserted characters that are right
    double count = 0;      // weighted training count of the label in this context
  };

  static LabelModel load(const std::string& dir);

  // next_class: 'D' digit, 'U' uppercase, 'l' lowercase, 'P' anything else
  // (the first character after the label's space), 'S' a second space
  // ("END  12:56": `after` goes between the two). nullptr: insert nothing.
  const Choice* choose(std::string_view label, char next_class) const;

 private:
  std::unordered_map<std::string, Choice> choices_;  // "label\tclass"
};

// Counts label contexts (one pass) and writes labels2.tsv with the chosen runs.
std::unique_ptr<Counter> make_label_counter();

}  // namespace copydesk::restore
