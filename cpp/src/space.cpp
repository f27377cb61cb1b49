#include "hypercore/space.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "hypercore/errors.hpp"

namespace hypercore {

Space::Space(int dim) {
  require(dim >= 0, "dim", "must be non-negative, got " + std::to_string(dim));
  dimensions_.resize(static_cast<size_t>(dim));
}

Space::Space(std::vector<Dimension> dimensions) : dimensions_(std::move(dimensions)) {
  for (size_t j = 0; j < dimensions_.size(); ++j) {
    const Dimension& dimension = dimensions_[j];
    if (dimension.kind != DimensionKind::Continuous) {
      require(dimension.levels >= 1, "levels",
              "dimension " + std::to_string(j) + " is discrete with " + std::to_string(dimension.levels) +
                  " levels; it needs at least 1");
    }
  }
}

bool Space::all_continuous() const { return num_continuous() == size(); }

int Space::num_continuous() const {
  return static_cast<int>(std::count_if(dimensions_.begin(), dimensions_.end(), [](const Dimension& dim) {
    return dim.kind == DimensionKind::Continuous;
  }));
}

int Space::level(int j, double u) const {
  const int levels = (*this)[j].levels;
  const double clipped = std::clamp(u, 0.0, 1.0);
  return std::min(static_cast<int>(std::floor(clipped * levels)), levels - 1);
}

double Space::canonical(int j, double u) const {
  if (is_continuous(j)) return std::clamp(u, 0.0, 1.0);
  return (level(j, u) + 0.5) / (*this)[j].levels;
}

void Space::canonicalize(double* x) const {
  for (int j = 0; j < size(); ++j) x[j] = canonical(j, x[j]);
}

}  // namespace hypercore
