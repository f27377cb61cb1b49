// The search space as the GP sees it: the unit cube, each coordinate continuous, integer or categorical.
//
// Encoding contract (shared with hyperengine.spec): a discrete coordinate with k levels maps u in [0, 1] to
// level min(floor(u * k), k - 1); its canonical value, the one the kernel sees, is the bin centre (i + 0.5) / k.
// The kernel treats integer coordinates as ordered numbers and categorical ones by equality (Hamming distance),
// so the GP models integers and categories as such instead of as continuous values rounded after the fact
// (Garrido-Merchan & Hernandez-Lobato, Neurocomputing 2020).
#pragma once

#include <vector>

#include "hypercore/types.hpp"

namespace hypercore {

enum class DimensionKind { Continuous, Integer, Categorical };

struct Dimension {
  DimensionKind kind = DimensionKind::Continuous;
  int levels = 0;  ///< number of values for Integer/Categorical; 0 for Continuous
};

class Space {
 public:
  /// An all-continuous space of `dim` coordinates.
  explicit Space(int dim = 0);
  /// Throws std::invalid_argument when a discrete dimension has fewer than 1 level.
  explicit Space(std::vector<Dimension> dimensions);

  int size() const { return static_cast<int>(dimensions_.size()); }
  const Dimension& operator[](int j) const { return dimensions_[static_cast<size_t>(j)]; }
  const std::vector<Dimension>& dimensions() const { return dimensions_; }
  bool is_continuous(int j) const { return (*this)[j].kind == DimensionKind::Continuous; }
  bool all_continuous() const;
  int num_continuous() const;

  /// Level of discrete coordinate j at unit value u: min(floor(u * k), k - 1).
  int level(int j, double u) const;
  /// The canonical value of coordinate j: u clipped to [0, 1]; the bin centre for discrete coordinates.
  double canonical(int j, double u) const;
  /// Canonicalizes every coordinate of the point x (d).
  void canonicalize(double* x) const;

 private:
  std::vector<Dimension> dimensions_;
};

}  // namespace hypercore
