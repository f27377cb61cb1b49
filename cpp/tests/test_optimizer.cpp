// The box minimizer on problems with known minimizers (a quadratic with active bounds, Rosenbrock), and the
// acquisition optimizer: the known maximum of an acquisition surface (a dense grid), determinism under a seed
// and across thread counts, distinct batch points, discrete coordinates at bin centres, pending points avoided.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "check.hpp"
#include "hypercore/acquisition_optimizer.hpp"
#include "hypercore/box_minimizer.hpp"
#include "hypercore/quasi_random.hpp"

using namespace hypercore;

namespace {

double objective(const double* x, int d) {
  double value = 0.0;
  for (int j = 0; j < d; ++j) value += std::sin(3.0 * x[j] + j) - 2.0 * (x[j] - 0.4) * (x[j] - 0.4);
  return value;
}

GaussianProcess fitted_gp(const Space& space, int n, std::uint64_t seed) {
  GaussianProcess gp(make_kernel("matern52", space));
  Random random(seed);
  const int d = space.size();
  Vector x(d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) x[j] = random.uniform();
    space.canonicalize(x.data());
    gp.add(x.data(), objective(x.data(), d));
  }
  Vector theta(d + 2);
  theta.head(d).setConstant(std::log(0.3));
  theta[d] = 0.0;
  theta[d + 1] = std::log(1e-4);
  gp.set_log_params(theta);
  return gp;
}

// The best score of the acquisition on a regular (k + 1)^2 grid of the unit square.
double grid_maximum(const GaussianProcess& gp, const Acquisition& acquisition, int k) {
  RowMatrix grid((k + 1) * (k + 1), 2);
  for (int a = 0; a <= k; ++a) {
    for (int b = 0; b <= k; ++b) grid.row(a * (k + 1) + b) << double(a) / k, double(b) / k;
  }
  Vector scores(grid.rows());
  acquisition_scores(gp, acquisition, grid, scores, 2);
  return scores.maxCoeff();
}

double threshold_of(const GaussianProcess& gp) { return gp.best_standardized(); }

}  // namespace

TEST(box_minimizer_solves_a_quadratic_with_active_bounds) {
  // f(x) = sum c_j (x_j - t_j)^2 with targets outside the box in two coordinates: the minimizer is clamp(t).
  const Vector c = (Vector(4) << 1.0, 10.0, 0.5, 3.0).finished();
  const Vector t = (Vector(4) << 0.3, 1.7, -0.4, 0.9).finished();
  const Objective f = [&](const Vector& x, Vector& g) {
    g = 2.0 * c.cwiseProduct(x - t);
    return c.dot((x - t).cwiseAbs2());
  };
  const Vector lower = Vector::Zero(4), upper = Vector::Ones(4);
  const BoxMinimizerResult result = minimize_in_box(f, Vector::Constant(4, 0.5), lower, upper);
  const Vector expected = t.cwiseMax(lower).cwiseMin(upper);
  CHECK((result.x - expected).lpNorm<Eigen::Infinity>() < 1e-6);
  CHECK(result.x[1] == 1.0 && result.x[2] == 0.0);  // held exactly at the active bounds
  Vector g(4);
  CHECK_NEAR(result.value, f(expected, g), 1e-10);
  // a start outside the box is projected first
  const BoxMinimizerResult outside = minimize_in_box(f, Vector::Constant(4, 7.0), lower, upper);
  CHECK((outside.x - expected).lpNorm<Eigen::Infinity>() < 1e-6);
}

TEST(box_minimizer_solves_rosenbrock_inside_and_against_a_bound) {
  const Objective rosenbrock = [](const Vector& x, Vector& g) {
    const double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
    g.resize(2);
    g[0] = -2.0 * a - 400.0 * x[0] * b;
    g[1] = 200.0 * b;
    return a * a + 100.0 * b * b;
  };
  BoxMinimizerOptions options;
  options.max_iterations = 500;
  options.relative_tolerance = 0.0;
  options.gradient_tolerance = 1e-9;
  const Vector start = (Vector(2) << -1.2, 1.0).finished();
  const BoxMinimizerResult free = minimize_in_box(rosenbrock, start, Vector::Constant(2, -2.0), Vector::Constant(2, 2.0), options);
  CHECK(std::abs(free.x[0] - 1.0) < 1e-5 && std::abs(free.x[1] - 1.0) < 1e-5);
  CHECK(free.value < 1e-10);
  // with x0 <= 0.5 the constrained minimizer is (0.5, 0.25): the bound is active, the other coordinate free
  const BoxMinimizerResult bounded =
      minimize_in_box(rosenbrock, start, Vector::Constant(2, -2.0), (Vector(2) << 0.5, 2.0).finished(), options);
  CHECK(bounded.x[0] == 0.5);
  CHECK(std::abs(bounded.x[1] - 0.25) < 1e-6);
  CHECK_THROWS(minimize_in_box(rosenbrock, start, Vector::Constant(2, 1.0), Vector::Constant(2, 0.0)),
               std::invalid_argument);
}

TEST(maximize_acquisition_finds_the_maximum_of_the_surface) {
  const Space space(2);
  const GaussianProcess gp = fitted_gp(space, 25, 7);
  for (AcquisitionKind kind : {AcquisitionKind::ExpectedImprovement, AcquisitionKind::ProbabilityOfImprovement,
                               AcquisitionKind::UpperConfidenceBound}) {
    const Acquisition acquisition(kind, threshold_of(gp), kind == AcquisitionKind::UpperConfidenceBound ? 0.0 : 1.0);
    double score = 0.0;
    const Vector x = maximize_acquisition(gp, acquisition, AcquisitionOptimizerOptions{}, 3, &score);
    const double grid_best = grid_maximum(gp, acquisition, 400);
    // the refined point is at least as good as the best grid point (up to the grid's own resolution error)
    CHECK(score >= grid_best - 1e-6);
    Vector one(1);
    acquisition_scores(gp, acquisition, x.transpose(), one, 1);
    CHECK_NEAR(one[0], score, 1e-12);
    CHECK((x.array() >= 0.0).all() && (x.array() <= 1.0).all());
  }
}

TEST(screened_scores_keep_the_exact_best_candidates) {
  // Screening returns exact scores for the best `keep` candidates of an exhaustive scoring, and an upper bound
  // (never below the exact score) for every other candidate.
  const Space space(4);
  const GaussianProcess gp = fitted_gp(space, 150, 17);
  Random random(5);
  const RowMatrix points = quasi_random_points(1000, 4, random);
  for (AcquisitionKind kind : {AcquisitionKind::ExpectedImprovement, AcquisitionKind::ProbabilityOfImprovement,
                               AcquisitionKind::UpperConfidenceBound}) {
    const Acquisition acquisition(kind, threshold_of(gp), 2.0);
    Vector exact(points.rows());
    acquisition_scores(gp, acquisition, points, exact, 2);
    const int keep = 8;
    const Vector screened = screened_scores(gp, acquisition, points, keep, 2);
    std::vector<Eigen::Index> order(static_cast<size_t>(points.rows()));
    for (Eigen::Index i = 0; i < points.rows(); ++i) order[static_cast<size_t>(i)] = i;
    std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return exact[a] > exact[b]; });
    for (int k = 0; k < keep; ++k) {
      const Eigen::Index best = order[static_cast<size_t>(k)];
      CHECK_NEAR(screened[best], exact[best], 1e-12);
    }
    int bounded = 0;
    for (Eigen::Index i = 0; i < points.rows(); ++i) {
      CHECK(screened[i] >= exact[i] - 1e-9);
      if (screened[i] > exact[i] + 1e-9) ++bounded;
    }
    CHECK(bounded > 0);  // some candidates were only bounded, or screening saved nothing
  }
}

TEST(the_same_seed_gives_the_same_suggestion_for_any_thread_count) {
  const Space space(3);
  const GaussianProcess gp = fitted_gp(space, 30, 9);
  SuggestOptions options;
  options.seed = 42;
  options.count = 3;
  options.optimizer.threads = 1;
  const Suggestion a = suggest(gp, RowMatrix(0, 3), options);
  const Suggestion b = suggest(gp, RowMatrix(0, 3), options);
  options.optimizer.threads = 2;
  const Suggestion c = suggest(gp, RowMatrix(0, 3), options);
  CHECK(a.points == b.points && a.scores == b.scores);
  CHECK(a.points == c.points && a.scores == c.scores);
  options.seed = 43;
  const Suggestion other = suggest(gp, RowMatrix(0, 3), options);
  CHECK(other.points.allFinite());
}

TEST(batch_suggestions_are_distinct_and_unobserved) {
  const Space space(2);
  const GaussianProcess gp = fitted_gp(space, 20, 11);
  for (Fantasy fantasy : {Fantasy::KrigingBeliever, Fantasy::ConstantLiarMin, Fantasy::ConstantLiarMean,
                          Fantasy::ConstantLiarMax}) {
    for (AcquisitionKind kind : {AcquisitionKind::ExpectedImprovement, AcquisitionKind::UpperConfidenceBound}) {
      SuggestOptions options;
      options.count = 5;
      options.fantasy = fantasy;
      options.acquisition = kind;
      options.seed = 1;
      const Suggestion suggestion = suggest(gp, RowMatrix(0, 2), options);
      CHECK(suggestion.points.rows() == 5 && suggestion.scores.size() == 5);
      CHECK(suggestion.scores.allFinite());
      const RowMatrix data = gp.inputs();
      for (int a = 0; a < 5; ++a) {
        for (int b = 0; b < a; ++b) CHECK((suggestion.points.row(a) - suggestion.points.row(b)).norm() > 1e-3);
        for (int i = 0; i < data.rows(); ++i) CHECK((suggestion.points.row(a) - data.row(i)).norm() > 1e-9);
      }
    }
  }
}

TEST(discrete_coordinates_come_back_as_bin_centres) {
  const Space space({{DimensionKind::Continuous, 0},
                     {DimensionKind::Integer, 7},
                     {DimensionKind::Categorical, 3},
                     {DimensionKind::Integer, 100}});
  const GaussianProcess gp = fitted_gp(space, 25, 13);
  SuggestOptions options;
  options.count = 3;
  options.seed = 5;
  const Suggestion suggestion = suggest(gp, RowMatrix(0, 4), options);
  for (int q = 0; q < 3; ++q) {
    for (int j = 1; j < 4; ++j) {
      const double value = suggestion.points(q, j);
      const int levels = space[j].levels;
      CHECK(value == (space.level(j, value) + 0.5) / levels);
    }
  }
}

TEST(pending_points_are_avoided) {
  const Space space(2);
  const GaussianProcess gp = fitted_gp(space, 20, 17);
  SuggestOptions options;
  options.seed = 2;
  const Suggestion first = suggest(gp, RowMatrix(0, 2), options);
  const RowMatrix pending = first.points;
  const Suggestion second = suggest(gp, pending, options);
  CHECK((second.points.row(0) - first.points.row(0)).norm() > 1e-2);
  // the GP itself is untouched by the fantasies
  CHECK(gp.size() == 20);
}

TEST(an_empty_gp_still_suggests_points_in_the_cube) {
  const Space space(3);
  GaussianProcess gp(make_kernel("rbf", space));
  SuggestOptions options;
  options.count = 2;
  const Suggestion suggestion = suggest(gp, RowMatrix(0, 3), options);
  CHECK(suggestion.points.allFinite());
  CHECK((suggestion.points.array() >= 0.0).all() && (suggestion.points.array() <= 1.0).all());
}

TEST(bad_suggest_options_are_refused) {
  const Space space(2);
  const GaussianProcess gp = fitted_gp(space, 5, 19);
  SuggestOptions options;
  options.count = 0;
  CHECK_THROWS(suggest(gp, RowMatrix(0, 2), options), std::invalid_argument);
  options.count = 1;
  CHECK_THROWS(suggest(gp, RowMatrix::Zero(1, 3), options), std::invalid_argument);
  RowMatrix bad_pending = RowMatrix::Zero(1, 2);
  bad_pending(0, 1) = NAN;
  CHECK_THROWS(suggest(gp, bad_pending, options), std::invalid_argument);
  options.optimizer.num_starts = 0;
  CHECK_THROWS(suggest(gp, RowMatrix(0, 2), options), std::invalid_argument);
}

int main() { return check::run_all(); }
