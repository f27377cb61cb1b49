#include "hypercore/acquisition_optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "hypercore/box_minimizer.hpp"
#include "hypercore/errors.hpp"
#include "hypercore/parallel.hpp"
#include "hypercore/quasi_random.hpp"

namespace hypercore {

namespace {

constexpr double kMinSigma = 1e-12;

double score_at(const GaussianProcess& gp, const Acquisition& acquisition, const double* x) {
  const int d = gp.dim();
  std::vector<double> dm(static_cast<size_t>(d)), dv(static_cast<size_t>(d));
  double mean, variance, dmu, dsigma;
  gp.predict_with_gradient(x, mean, variance, dm.data(), dv.data());
  return acquisition.score(mean, std::sqrt(std::max(variance, kMinSigma * kMinSigma)), &dmu, &dsigma);
}

// Candidate points: a quasi-random set plus Gaussian perturbations of the best observed points.
RowMatrix candidates(const GaussianProcess& gp, int global, int local, Random& random) {
  const int d = gp.dim();
  const Space& space = gp.space();
  RowMatrix points(global + local, d);
  points.topRows(global) = quasi_random_points(global, d, random);
  const int n = gp.size();
  if (n > 0 && local > 0) {
    const Vector y = gp.targets();
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    const int top = std::min(n, 5);
    std::partial_sort(order.begin(), order.begin() + top, order.end(), [&](int a, int b) { return y[a] > y[b]; });
    const RowMatrix X = gp.inputs();
    for (int i = 0; i < local; ++i) {
      const int source = order[static_cast<size_t>(i % top)];
      const double scale = (i / top) % 2 == 0 ? 0.02 : 0.1;
      for (int j = 0; j < d; ++j) {
        double value = X(source, j);
        if (space.is_continuous(j)) {
          value = std::clamp(value + scale * random.normal(), 0.0, 1.0);
        } else if (random.uniform() < 1.0 / d) {
          value = random.uniform();
        }
        points(global + i, j) = value;
      }
    }
  }
  for (Eigen::Index i = 0; i < points.rows(); ++i) space.canonicalize(points.row(i).data());
  return points;
}

// Projected L-BFGS over the continuous coordinates of x, the discrete ones held fixed.
double refine_continuous(const GaussianProcess& gp, const Acquisition& acquisition, Vector& x, int max_iterations) {
  const Space& space = gp.space();
  const int d = gp.dim();
  std::vector<int> free;
  for (int j = 0; j < d; ++j) {
    if (space.is_continuous(j)) free.push_back(j);
  }
  if (free.empty()) return score_at(gp, acquisition, x.data());
  const int f = static_cast<int>(free.size());
  Vector point = x;
  Vector dm(d), dv(d);
  const Objective objective = [&](const Vector& z, Vector& gradient) {
    for (int k = 0; k < f; ++k) point[free[static_cast<size_t>(k)]] = z[k];
    double mean, variance, dmu, dsigma;
    gp.predict_with_gradient(point.data(), mean, variance, dm.data(), dv.data());
    const double sigma = std::sqrt(std::max(variance, kMinSigma * kMinSigma));
    const double value = acquisition.score(mean, sigma, &dmu, &dsigma);
    gradient.resize(f);
    for (int k = 0; k < f; ++k) {
      const int j = free[static_cast<size_t>(k)];
      gradient[k] = -(dmu * dm[j] + dsigma * dv[j] / (2.0 * sigma));
    }
    return -value;
  };
  Vector z0(f);
  for (int k = 0; k < f; ++k) z0[k] = x[free[static_cast<size_t>(k)]];
  BoxMinimizerOptions options;
  options.max_iterations = max_iterations;
  options.gradient_tolerance = 1e-7;
  const BoxMinimizerResult result =
      minimize_in_box(objective, z0, Vector::Zero(f), Vector::Ones(f), options);
  for (int k = 0; k < f; ++k) x[free[static_cast<size_t>(k)]] = result.x[k];
  return -result.value;
}

// One pass of coordinate search over the discrete coordinates; returns whether x changed.
bool sweep_discrete(const GaussianProcess& gp, const Acquisition& acquisition, Vector& x, double& score,
                    const AcquisitionOptimizerOptions& options, Random& random) {
  const Space& space = gp.space();
  bool changed = false;
  for (int j = 0; j < gp.dim(); ++j) {
    if (space.is_continuous(j)) continue;
    const int levels = space[j].levels;
    if (levels < 2) continue;
    std::vector<int> trial_levels;
    const int current = space.level(j, x[j]);
    if (levels <= options.max_exhaustive_levels) {
      for (int level = 0; level < levels; ++level) trial_levels.push_back(level);
    } else if (space[j].kind == DimensionKind::Integer) {
      for (int step : {-4, -2, -1, 1, 2, 4}) {
        if (current + step >= 0 && current + step < levels) trial_levels.push_back(current + step);
      }
    } else {
      for (int k = 0; k < options.max_exhaustive_levels; ++k) trial_levels.push_back(random.integer(levels));
    }
    Vector trial = x;
    for (int level : trial_levels) {
      if (level == current) continue;
      trial[j] = (level + 0.5) / levels;
      const double value = score_at(gp, acquisition, trial.data());
      if (value > score) {
        score = value;
        x[j] = trial[j];
        changed = true;
      }
    }
  }
  return changed;
}

// A proposal within this max-norm distance of an observed point (1e-4 of every range) would mostly re-measure
// it: EI climbing the mean's slope at the incumbent proposes such points over and over when the fitted noise is
// tiny. They are skipped for the next-best start, or the best candidate of the global draw.
constexpr double kMinDistance = 1e-4;

bool duplicates_data(const RowMatrix& data, const Vector& x) {
  for (Eigen::Index i = 0; i < data.rows(); ++i) {
    if ((data.row(i).transpose() - x).lpNorm<Eigen::Infinity>() < kMinDistance) return true;
  }
  return false;
}

}  // namespace

void acquisition_scores(const GaussianProcess& gp, const Acquisition& acquisition, const ConstRowMatrixRef& X,
                        VectorRef out, int threads) {
  const Eigen::Index m = X.rows();
  Vector mean(m), variance(m);
  gp.predict(X, mean, variance, /*standardized=*/true, threads);
  double dmu, dsigma;
  for (Eigen::Index i = 0; i < m; ++i) {
    out[i] = acquisition.score(mean[i], std::sqrt(std::max(variance[i], kMinSigma * kMinSigma)), &dmu, &dsigma);
  }
}

// Far from the data the bound is nearly exact, and near it most candidates are poor: at 400 points in 6
// dimensions, two thirds to nine tenths of the O(n^2) solves are skipped.
Vector screened_scores(const GaussianProcess& gp, const Acquisition& acquisition, const ConstRowMatrixRef& points,
                       int keep, int threads) {
  require(keep >= 1, "keep", "must be at least 1");
  const Eigen::Index m = points.rows();
  Vector mean(m), variance_bound(m), scores(m);
  gp.predict_variance_bound(points, mean, variance_bound, threads);
  for (Eigen::Index i = 0; i < m; ++i) {
    scores[i] = acquisition.score_bound(mean[i], std::sqrt(std::max(variance_bound[i], kMinSigma * kMinSigma)));
  }
  std::vector<Eigen::Index> order(static_cast<size_t>(m));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return scores[a] > scores[b]; });
  std::priority_queue<double, std::vector<double>, std::greater<>> best;  // the best `keep` exact scores
  const Eigen::Index chunk = GaussianProcess::kQueryBlock * static_cast<Eigen::Index>(std::max(1, threads));
  for (Eigen::Index done = 0; done < m;) {
    if (static_cast<int>(best.size()) >= keep && scores[order[static_cast<size_t>(done)]] <= best.top()) break;
    const Eigen::Index count = std::min(chunk, m - done);
    RowMatrix rows(count, gp.dim());
    for (Eigen::Index k = 0; k < count; ++k) rows.row(k) = points.row(order[static_cast<size_t>(done + k)]);
    Vector exact(count);
    acquisition_scores(gp, acquisition, rows, exact, threads);
    for (Eigen::Index k = 0; k < count; ++k) {
      scores[order[static_cast<size_t>(done + k)]] = exact[k];
      best.push(exact[k]);
      if (static_cast<int>(best.size()) > keep) best.pop();
    }
    done += count;
  }
  return scores;
}

Vector maximize_acquisition(const GaussianProcess& gp, const Acquisition& acquisition,
                            const AcquisitionOptimizerOptions& options, std::uint64_t seed, double* score) {
  require(options.num_starts >= 1, "num_starts", "must be at least 1");
  require(options.num_candidates >= 0 && options.num_local_candidates >= 0, "num_candidates", "must be non-negative");
  const int d = gp.dim();
  require(d >= 1, "space", "has no dimensions");
  const int threads = resolve_threads(options.threads);
  Random random(seed);
  // Scoring a candidate costs O(n^2) (a triangular solve): past 1000 points, fewer candidates.
  const double size_factor = std::min(1.0, 1000.0 / std::max(1, gp.size()));
  const int global = options.num_candidates > 0
                         ? options.num_candidates
                         : std::max(256, static_cast<int>(std::min(2048, 256 + 128 * d) * size_factor));
  const int local = gp.size() == 0 ? 0 : (options.num_local_candidates > 0 ? options.num_local_candidates : global / 2);
  const RowMatrix points = candidates(gp, global, local, random);
  const int starts = std::min<int>(options.num_starts, static_cast<int>(points.rows()));
  const Vector scores = screened_scores(gp, acquisition, points, starts, threads);

  std::vector<int> order(static_cast<size_t>(points.rows()));
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + starts, order.end(),
                    [&](int a, int b) { return scores[a] > scores[b]; });

  // Refinement starts: the best candidates, and the best observation itself, so the neighbourhood of the
  // incumbent is always searched by gradient, whatever the candidate draw holds.
  std::vector<Vector> start_points;
  for (int s = 0; s < starts; ++s) start_points.push_back(points.row(order[static_cast<size_t>(s)]).transpose());
  if (gp.size() > 0) {
    Eigen::Index best = 0;
    gp.targets().maxCoeff(&best);
    start_points.push_back(gp.inputs().row(best).transpose());
  }
  const int refinements = static_cast<int>(start_points.size());
  std::vector<Vector> refined(static_cast<size_t>(refinements));
  std::vector<double> refined_scores(static_cast<size_t>(refinements));
  std::vector<std::uint64_t> start_seeds(static_cast<size_t>(refinements));
  for (auto& start_seed : start_seeds) start_seed = random.next();
  parallel_blocks(refinements, threads, 1, [&](long begin, long end) {
    for (long s = begin; s < end; ++s) {
      Random local_random(start_seeds[static_cast<size_t>(s)]);
      Vector x = start_points[static_cast<size_t>(s)];
      double value = refine_continuous(gp, acquisition, x, options.max_iterations);
      for (int sweep = 0; sweep < options.discrete_sweeps; ++sweep) {
        if (!sweep_discrete(gp, acquisition, x, value, options, local_random)) break;
        value = refine_continuous(gp, acquisition, x, options.max_iterations);
      }
      gp.space().canonicalize(x.data());
      refined[static_cast<size_t>(s)] = x;
      refined_scores[static_cast<size_t>(s)] = score_at(gp, acquisition, x.data());
    }
  });

  // The best refined point that is not already observed; else the best unobserved candidate.
  const RowMatrix data = gp.inputs();
  std::vector<int> ranking(static_cast<size_t>(refinements));
  std::iota(ranking.begin(), ranking.end(), 0);
  std::sort(ranking.begin(), ranking.end(), [&](int a, int b) {
    return refined_scores[static_cast<size_t>(a)] > refined_scores[static_cast<size_t>(b)];
  });
  for (int s : ranking) {
    if (!duplicates_data(data, refined[static_cast<size_t>(s)])) {
      *score = refined_scores[static_cast<size_t>(s)];
      return refined[static_cast<size_t>(s)];
    }
  }
  std::sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  for (int i : order) {
    const Vector x = points.row(i).transpose();
    if (!duplicates_data(data, x)) {
      *score = score_at(gp, acquisition, x.data());  // scores[i] may be a bound
      return x;
    }
  }
  *score = refined_scores[static_cast<size_t>(ranking.front())];  // every candidate observed: a small discrete space
  return refined[static_cast<size_t>(ranking.front())];
}

Suggestion suggest(const GaussianProcess& gp, const ConstRowMatrixRef& pending, const SuggestOptions& options) {
  const int d = gp.dim();
  require(options.count >= 1, "count", "must be at least 1, got " + std::to_string(options.count));
  require(pending.rows() == 0 || pending.cols() == d, "pending",
          "expected " + std::to_string(d) + " columns, got " + std::to_string(pending.cols()));
  require(pending.allFinite(), "pending", "contains NaN or inf");
  require(std::isfinite(options.epsilon), "epsilon", "must be finite");

  Suggestion suggestion;
  suggestion.points.resize(options.count, d);
  suggestion.scores.resize(options.count);
  // Fantasies go into a copy of the GP; the liar values come from the real observations.
  std::optional<GaussianProcess> fantasy_model;
  if (options.count > 1 || pending.rows() > 0) fantasy_model.emplace(gp);
  const GaussianProcess& model = fantasy_model ? *fantasy_model : gp;
  const Vector y = gp.targets();
  // A fantasy counts as an observation, so it raises the incumbent too; else points around a believed
  // improvement would still look like improvements and the batch would collapse onto one spot.
  double incumbent = gp.size() ? y.maxCoeff() : -std::numeric_limits<double>::infinity();
  double liar = 0.0;
  if (gp.size()) {
    liar = options.fantasy == Fantasy::ConstantLiarMin   ? y.minCoeff()
           : options.fantasy == Fantasy::ConstantLiarMax ? y.maxCoeff()
                                                         : y.mean();
  }
  auto fantasize = [&](const double* x) {
    double value = liar;
    if (options.fantasy == Fantasy::KrigingBeliever) {
      Vector mean(1), variance(1);
      fantasy_model->predict(Eigen::Map<const RowMatrix>(x, 1, d), mean, variance);
      // a raw mean beyond the largest double (data near it) is believed to be that double
      constexpr double largest = std::numeric_limits<double>::max();
      value = std::clamp(mean[0], -largest, largest);
    }
    fantasy_model->add(x, value);
    incumbent = std::max(incumbent, value);
  };
  for (Eigen::Index i = 0; i < pending.rows(); ++i) fantasize(pending.row(i).data());

  Random random(options.seed);
  for (int q = 0; q < options.count; ++q) {
    // The threshold in the (fantasy) model's standardized units, term by term: a sum of raw values near the
    // largest double would overflow before the division.
    const double scale = model.y_scale();
    const double threshold = model.size()
                                 ? incumbent / scale + options.epsilon / scale - model.y_offset() / scale
                                 : options.epsilon;
    const Acquisition acquisition(options.acquisition, threshold, options.beta);
    double score = 0.0;
    const Vector x = maximize_acquisition(model, acquisition, options.optimizer, random.next(), &score);
    suggestion.points.row(q) = x.transpose();
    suggestion.scores[q] = score;
    if (q + 1 < options.count) fantasize(x.data());
  }
  return suggestion;
}

}  // namespace hypercore
