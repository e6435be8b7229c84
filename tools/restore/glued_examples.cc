// Fitting examples for the glued-word calibration (config/restore/glued.tsv):
// reads documents from stdin, each a line "weight token_weight" then the
// clean text, ended by the byte 0x1e; writes one TSV line per candidate cut
// (see restore::glue_examples in stages/restore_glued.h). fit_glued.py runs
// it; the build makes it as BUILD/copydesk_glued_examples.
//
//   copydesk_glued_examples config/restore [WEIGHTS.tsv] < docs > examples.tsv
// WEIGHTS.tsv (a glued.tsv) gives the first pass behind the document feature;
// without it that feature is 0.
#include <iostream>
#include <string>

#include "stages/restore_glued.h"
#include "stages/restore_model.h"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::cerr << "usage: glued_examples MODEL_DIR [WEIGHTS.tsv] < docs > examples.tsv\n";
    return 2;
  }
  using namespace copydesk::restore;
  const RestoreModel model = RestoreModel::load(argv[1]);
  const GlueSegmenter seg(model, argc == 3 ? load_glue_weights(argv[2]) : GlueWeights{});
  std::string doc, out;
  std::ios::sync_with_stdio(false);
  while (std::getline(std::cin, doc, '\x1e')) {
    const size_t nl = doc.find('\n');
    if (nl == std::string::npos) continue;
    const size_t sp = doc.find(' ');
    if (sp > nl) continue;
    const double weight = std::stod(doc.substr(0, sp));
    const double token_weight = std::stod(doc.substr(sp + 1, nl - sp - 1));
    out.clear();
    glue_examples(seg, model, std::string_view(doc).substr(nl + 1), weight, token_weight, out);
    std::cout << out;
  }
  return 0;
}
