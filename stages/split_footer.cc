#include "stages/split_footer.h"

namespace copydesk {
namespace {

class Stub final : public Stage {
 public:
  std::string_view name() const override { return "split-footer"; }
  StageResult run(const TextView&) const override { return {}; }
};

}  // namespace

std::unique_ptr<Stage> make_split_footer_stage(const StageContext&) { return std::make_unique<Stub>(); }

}  // namespace copydesk
