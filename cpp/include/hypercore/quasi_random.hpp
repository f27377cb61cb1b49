// Low-discrepancy points in the unit cube: the additive recurrence x_i = frac(s + i * alpha) with
// alpha_j = phi_d^-(j+1), phi_d the positive root of x^(d+1) = x + 1 (Roberts 2018, the "R_d" sequence), and a
// random shift s (Cranley-Patterson rotation) drawn from the seed. Simpler than Sobol (no direction-number
// table), low discrepancy in any dimension, and deterministic under a seed.
#pragma once

#include <cstdint>

#include "hypercore/types.hpp"

namespace hypercore {

/// A small, portable, seedable generator (splitmix64); the same seed gives the same numbers on every platform.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  /// Uniform in [0, 1).
  double uniform();
  /// Standard normal (Box-Muller).
  double normal();
  /// Uniform integer in [0, n).
  int integer(int n);

 private:
  std::uint64_t state_;
};

/// out (n, d): n points of the shifted R_d sequence.
RowMatrix quasi_random_points(int n, int d, Random& random);

}  // namespace hypercore
