// Names of acquisitions and fantasy strategies as Python spells them.
#pragma once

#include <stdexcept>
#include <string>

#include "hypercore/acquisition.hpp"
#include "hypercore/acquisition_optimizer.hpp"

namespace hypercore::binding {

inline AcquisitionKind acquisition_from_name(const std::string& name) {
  if (name == "pi") return AcquisitionKind::ProbabilityOfImprovement;
  if (name == "ei") return AcquisitionKind::ExpectedImprovement;
  if (name == "ucb") return AcquisitionKind::UpperConfidenceBound;
  throw std::invalid_argument("acquisition: unknown acquisition '" + name + "', expected 'pi', 'ei' or 'ucb'");
}

inline Fantasy fantasy_from_name(const std::string& name) {
  if (name == "kriging_believer") return Fantasy::KrigingBeliever;
  if (name == "constant_liar_min") return Fantasy::ConstantLiarMin;
  if (name == "constant_liar_mean") return Fantasy::ConstantLiarMean;
  if (name == "constant_liar_max") return Fantasy::ConstantLiarMax;
  throw std::invalid_argument("fantasy: unknown fantasy '" + name +
                              "', expected 'kriging_believer' or 'constant_liar_min|mean|max'");
}

}  // namespace hypercore::binding
