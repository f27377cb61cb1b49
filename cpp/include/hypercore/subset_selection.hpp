// Which observations an exact GP is fitted on once a study holds more of them than it can afford.
//
// A subset-of-data approximation (Rasmussen & Williams 2006, sec. 8.3.3) fitted where the acquisition looks:
// the `size` kept points are, in order of precedence,
//   best     the size / 4 largest values (the incumbent and its rivals, wherever they are);
//   local    the size / 2 points nearest the incumbent x* in the length-scale metric sum_j ((x_j - x*_j) / l_j)^2,
//            a trust region around the best point as in TuRBO (Eriksson et al., NeurIPS 2019), whose local GP
//            sees the dense data there exactly;
//   global   the rest drawn uniformly without replacement (seeded), so the model keeps a coarse view of the
//            whole cube and does not mistake dropped regions for unexplored ones.
// O(n d) time and O(n) memory; ties are broken by index, so the result depends only on the data and the seed.
#pragma once

#include <cstdint>
#include <vector>

#include "hypercore/types.hpp"

namespace hypercore {

/// Indices (ascending) of at most `size` rows of X (n, d) to fit an exact GP on, y [n] the values (larger is
/// better), length_scales [d] positive. All n indices when n <= size.
std::vector<int> select_subset(const ConstRowMatrixRef& X, const ConstVectorRef& y, const ConstVectorRef& length_scales,
                               int size, std::uint64_t seed);

}  // namespace hypercore
