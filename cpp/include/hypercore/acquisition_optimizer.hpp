// Maximizes an acquisition function over the unit cube, and proposes batches of points.
//
// One point: screen a quasi-random candidate set plus perturbations of the best observed points (exact scores
// only where a cheap upper bound could beat the best ones, see screened_scores), then refine the best few
// starts: projected L-BFGS over the continuous coordinates (discrete ones held), alternated with a coordinate
// search over the discrete ones (every level of a dimension with at most max_exhaustive_levels levels, else
// the neighbouring levels of integers and a random subset of categories). Candidates and starts are spread
// over threads; the result depends only on the seed.
// A batch of q points: each chosen point is added to a copy of the GP as a fantasy (the kriging believer:
// its posterior mean; or a constant liar) before the next one is chosen, so the batch spreads out
// (Ginsbourger, Le Riche & Carraro 2010). Pending points (running trials) are fantasized the same way first.
#pragma once

#include <cstdint>

#include "hypercore/acquisition.hpp"
#include "hypercore/gaussian_process.hpp"
#include "hypercore/types.hpp"

namespace hypercore {

enum class Fantasy { KrigingBeliever, ConstantLiarMin, ConstantLiarMean, ConstantLiarMax };

struct AcquisitionOptimizerOptions {
  int num_candidates = 0;  ///< quasi-random candidates; 0: min(2048, 256 + 128 d), scaled by 1000 / n past 1000 points (at least 256)
  int num_local_candidates = 0;  ///< perturbations of the best observed points; 0: half of num_candidates
  int num_starts = 8;            ///< best candidates refined
  int max_iterations = 50;       ///< L-BFGS iterations per start
  int max_exhaustive_levels = 32;
  int discrete_sweeps = 3;
  int threads = 0;  ///< 0: all hardware threads
};

struct SuggestOptions {
  AcquisitionKind acquisition = AcquisitionKind::ExpectedImprovement;
  double epsilon = 0.0;  ///< PI/EI improvement margin, raw units
  double beta = 2.0;     ///< UCB weight
  int count = 1;         ///< q, the number of points
  Fantasy fantasy = Fantasy::KrigingBeliever;
  std::uint64_t seed = 0;
  AcquisitionOptimizerOptions optimizer;
};

struct Suggestion {
  RowMatrix points;  ///< (q, d), discrete coordinates at their bin centres
  Vector scores;     ///< [q] the acquisition score of each point when it was chosen
};

/// Suggests options.count points; pending (p, d) rows are fantasized first (may have 0 rows).
Suggestion suggest(const GaussianProcess& gp, const ConstRowMatrixRef& pending, const SuggestOptions& options);

/// Maximizes one acquisition; returns the point [d] and writes its score.
Vector maximize_acquisition(const GaussianProcess& gp, const Acquisition& acquisition,
                            const AcquisitionOptimizerOptions& options, std::uint64_t seed, double* score);

/// Scores of the candidate rows of X (m, d): exact for every candidate that could be among the best `keep`, an
/// upper bound for the rest. The bound (Acquisition::score_bound at the posterior mean and the variance bound of
/// GaussianProcess::predict_variance_bound) costs O(n d) a candidate, an exact score O(n^2); candidates are scored
/// exactly in decreasing order of their bound until the next bound cannot beat the keep-th best exact score.
Vector screened_scores(const GaussianProcess& gp, const Acquisition& acquisition, const ConstRowMatrixRef& X,
                       int keep, int threads);

/// Scores (log PI, log EI, UCB) of the acquisition at the rows of X (m, d) into out [m].
void acquisition_scores(const GaussianProcess& gp, const Acquisition& acquisition, const ConstRowMatrixRef& X,
                        VectorRef out, int threads);

}  // namespace hypercore
