#include "stages/flag_slips.h"

namespace copydesk {
namespace {

class Stub final : public Stage {
 public:
  std::string_view name() const override { return "flag-slips"; }
  StageResult run(const TextView&) const override { return {}; }
};

}  // namespace

std::unique_ptr<Stage> make_flag_slips_stage(const StageContext&) { return std::make_unique<Stub>(); }

}  // namespace copydesk
