// The Gaussian process against a dense reference: the posterior from the full kernel matrix (LDLT solve), the
// incremental Cholesky factor against a batch factorization for several insertion orders, the log marginal
// likelihood and its gradient against the dense formula and finite differences, and the numerical guards
// (duplicates, constant and badly scaled targets, the jitter path, LinAlgError when nothing can be repaired).
#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.hpp"
#include "hypercore/errors.hpp"
#include "hypercore/gaussian_process.hpp"
#include "hypercore/quasi_random.hpp"

using namespace hypercore;

namespace {

constexpr double kLog2Pi = 1.83787706640934548356;

Space mixed_space() {
  return Space({{DimensionKind::Continuous, 0}, {DimensionKind::Integer, 6}, {DimensionKind::Categorical, 3}});
}

// theta = (log l [d], log s2, log noise)
Vector theta_for(int d, double length_scale, double signal_variance, double noise) {
  Vector theta(d + 2);
  theta.head(d).setConstant(std::log(length_scale));
  theta[d] = std::log(signal_variance);
  theta[d + 1] = std::log(noise);
  return theta;
}

RowMatrix uniform_points(int n, int d, std::uint64_t seed) {
  Random random(seed);
  RowMatrix X(n, d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) X(i, j) = random.uniform();
  }
  return X;
}

// A smooth objective on the unit cube.
double objective(const double* x, int d) {
  double value = 0.0;
  for (int j = 0; j < d; ++j) value += std::sin(3.0 * x[j] + j) - (x[j] - 0.4) * (x[j] - 0.4);
  return value;
}

Vector objective_values(const RowMatrix& X) {
  Vector y(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) y[i] = objective(X.row(i).data(), static_cast<int>(X.cols()));
  return y;
}

GaussianProcess make_gp(const Space& space, const char* kernel, const Vector& theta, bool fixed_noise = false) {
  GaussianProcess gp(make_kernel(kernel, space), std::exp(theta[space.size() + 1]), fixed_noise);
  gp.set_log_params(theta);
  return gp;
}

GaussianProcess filled_gp(const Space& space, const char* kernel, const Vector& theta, const RowMatrix& X,
                          const Vector& y) {
  GaussianProcess gp = make_gp(space, kernel, theta);
  for (Eigen::Index i = 0; i < X.rows(); ++i) gp.add(X.row(i).data(), y[i]);
  return gp;
}

// The dense kernel matrix of the GP's data: k(X, X) + (noise + jitter) I.
Matrix dense_kernel_matrix(const GaussianProcess& gp) {
  const RowMatrix X = gp.inputs();
  Matrix K(X.rows(), X.rows());
  gp.kernel().cross(X, X, K);
  K.diagonal().array() += gp.noise_variance() + gp.jitter();
  return K;
}

struct Posterior {
  Vector mean, variance;
};

// Reference posterior in raw units: standardize y by its mean and (population) standard deviation, solve with
// the full kernel matrix, map back.
Posterior dense_posterior(const GaussianProcess& gp, const RowMatrix& Xq) {
  const Vector y = gp.targets();
  const double offset = y.mean();
  const double scale = std::sqrt((y.array() - offset).square().mean());
  const Vector ys = (y.array() - offset).matrix() / scale;
  const Matrix K = dense_kernel_matrix(gp);
  const Eigen::LDLT<Matrix> ldlt(K);
  RowMatrix Q = Xq;
  for (Eigen::Index i = 0; i < Q.rows(); ++i) gp.space().canonicalize(Q.row(i).data());
  Matrix Ks(K.rows(), Q.rows());
  gp.kernel().cross(gp.inputs(), Q, Ks);
  const Matrix solved = ldlt.solve(Ks);
  Posterior posterior;
  posterior.mean = (Ks.transpose() * ldlt.solve(ys)).array() * scale + offset;
  posterior.variance =
      (gp.kernel().signal_variance() - (Ks.array() * solved.array()).colwise().sum().transpose()) * scale * scale;
  return posterior;
}

Posterior predict(const GaussianProcess& gp, const RowMatrix& Xq, bool standardized = false, int threads = 1) {
  Posterior posterior{Vector(Xq.rows()), Vector(Xq.rows())};
  gp.predict(Xq, posterior.mean, posterior.variance, standardized, threads);
  return posterior;
}

double max_abs_difference(const Matrix& a, const Matrix& b) { return (a - b).cwiseAbs().maxCoeff(); }

// The Gaussian log density of ys under N(0, K), K given by its LDLT: the dense reference of the likelihood.
double dense_log_likelihood(const Eigen::LDLT<Matrix>& K, const Vector& ys) {
  return -0.5 * ys.dot(K.solve(ys)) - 0.5 * K.vectorD().array().log().sum() - 0.5 * ys.size() * kLog2Pi;
}

// The analytic gradient of the log marginal likelihood at a fixed theta against central differences.
void check_likelihood_gradient(const GaussianProcess& gp) {
  Vector theta(5);
  theta << std::log(0.3), std::log(0.8), std::log(1.4), std::log(1.5), std::log(2e-3);
  Vector gradient;
  gp.log_marginal_likelihood(theta, &gradient);
  const Vector numeric = check::central_difference(
      [&](const Vector& t) { return gp.log_marginal_likelihood(t, nullptr); }, theta, 1e-5);
  for (int j = 0; j < 5; ++j) CHECK_NEAR(gradient[j], numeric[j], 1e-6);
}

}  // namespace

TEST(posterior_equals_the_dense_reference) {
  const Space space = mixed_space();
  const RowMatrix X = uniform_points(40, 3, 11);
  const Vector y = objective_values(X);
  const RowMatrix Xq = uniform_points(25, 3, 12);
  for (const char* kernel : {"rbf", "matern52"}) {
    const GaussianProcess gp = filled_gp(space, kernel, theta_for(3, 0.4, 1.3, 1e-4), X, y);
    CHECK(gp.jitter() == 0.0);
    const Posterior expected = dense_posterior(gp, Xq);
    const Posterior actual = predict(gp, Xq);
    for (Eigen::Index i = 0; i < Xq.rows(); ++i) {
      CHECK_NEAR(actual.mean[i], expected.mean[i], 1e-8);
      CHECK_NEAR(actual.variance[i], expected.variance[i], 1e-8);
    }
    // standardized output: the same posterior in the GP's own units
    const Posterior standardized = predict(gp, Xq, true);
    for (Eigen::Index i = 0; i < Xq.rows(); ++i) {
      CHECK_NEAR(standardized.mean[i] * gp.y_scale() + gp.y_offset(), actual.mean[i], 1e-10);
      CHECK_NEAR(standardized.variance[i] * gp.y_scale() * gp.y_scale(), actual.variance[i], 1e-10);
    }
    // at a training point the posterior mean nearly interpolates (noise 1e-4)
    const Posterior at_data = predict(gp, X.topRows(5));
    for (int i = 0; i < 5; ++i) CHECK(std::abs(at_data.mean[i] - y[i]) < 0.02 * gp.y_scale());
  }
}

TEST(variance_bound_is_the_one_point_posterior_and_bounds_the_variance) {
  const Space space = mixed_space();
  const RowMatrix X = uniform_points(60, 3, 13);
  const Vector y = objective_values(X);
  const RowMatrix Xq = uniform_points(200, 3, 14);
  const GaussianProcess gp = filled_gp(space, "matern52", theta_for(3, 0.3, 1.1, 1e-3), X, y);
  const Posterior exact = predict(gp, Xq, true);
  Vector mean(Xq.rows()), bound(Xq.rows());
  gp.predict_variance_bound(Xq, mean, bound, 2);
  const double noise_diagonal = gp.kernel().signal_variance() + gp.noise_variance() + gp.jitter();
  for (Eigen::Index q = 0; q < Xq.rows(); ++q) {
    CHECK_NEAR(mean[q], exact.mean[q], 1e-10);
    CHECK(bound[q] >= exact.variance[q] - 1e-12);
    // the dense one-point reference: the largest s2 - k_i^2 / K_ii reduction over the observations
    Vector x = Xq.row(q).transpose();
    space.canonicalize(x.data());
    double best = gp.kernel().signal_variance();
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      const double k = gp.kernel()(gp.inputs().row(i).data(), x.data());
      best = std::min(best, gp.kernel().signal_variance() - k * k / noise_diagonal);
    }
    CHECK_NEAR(bound[q], best, 1e-12);
  }
  // with one observation the bound is the posterior variance itself
  const GaussianProcess single = filled_gp(space, "matern52", theta_for(3, 0.3, 1.1, 1e-3), X.topRows(1),
                                           y.head(1));
  const Posterior one = predict(single, Xq, true);
  single.predict_variance_bound(Xq, mean, bound, 1);
  for (Eigen::Index q = 0; q < Xq.rows(); ++q) CHECK_NEAR(bound[q], one.variance[q], 1e-12);
}

TEST(prediction_is_identical_for_any_thread_count) {
  const Space space(2);
  const RowMatrix X = uniform_points(50, 2, 21);
  const GaussianProcess gp = filled_gp(space, "matern52", theta_for(2, 0.3, 1.0, 1e-4), X, objective_values(X));
  const RowMatrix Xq = uniform_points(300, 2, 22);
  const Posterior one = predict(gp, Xq, false, 1);
  const Posterior two = predict(gp, Xq, false, 2);
  const Posterior three = predict(gp, Xq, false, 3);
  CHECK(one.mean == two.mean && one.mean == three.mean);
  CHECK(one.variance == two.variance && one.variance == three.variance);
}

TEST(incremental_cholesky_equals_batch_factorization_in_any_order) {
  const Space space = mixed_space();
  const RowMatrix X = uniform_points(30, 3, 31);
  const Vector y = objective_values(X);
  Random random(32);
  std::vector<int> order(30);
  std::iota(order.begin(), order.end(), 0);
  for (int trial = 0; trial < 5; ++trial) {
    if (trial == 1) std::reverse(order.begin(), order.end());
    if (trial >= 2) {
      for (int i = 29; i > 0; --i) std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(random.integer(i + 1))]);
    }
    RowMatrix Xp(30, 3);
    Vector yp(30);
    for (int i = 0; i < 30; ++i) {
      Xp.row(i) = X.row(order[static_cast<size_t>(i)]);
      yp[i] = y[order[static_cast<size_t>(i)]];
    }
    const GaussianProcess gp = filled_gp(space, "matern52", theta_for(3, 0.35, 0.8, 1e-5), Xp, yp);
    const Matrix K = dense_kernel_matrix(gp);
    const Eigen::LLT<Matrix> llt(K);
    const Matrix L = gp.cholesky_factor();
    CHECK(max_abs_difference(L, llt.matrixL().toDenseMatrix()) < 1e-10);
    CHECK(max_abs_difference(L * L.transpose(), K) < 1e-12);
    CHECK((L.triangularView<Eigen::StrictlyUpper>().toDenseMatrix().array() == 0.0).all());
  }
}

TEST(add_batch_equals_adding_one_by_one_and_truncate_undoes_adds) {
  const Space space(3);
  const RowMatrix X = uniform_points(35, 3, 41);
  const Vector y = objective_values(X);
  const Vector theta = theta_for(3, 0.5, 1.0, 1e-4);
  const GaussianProcess one_by_one = filled_gp(space, "rbf", theta, X.topRows(30), y.head(30));
  GaussianProcess batch = make_gp(space, "rbf", theta);
  batch.add_batch(X.topRows(30), y.head(30), Vector());
  CHECK(max_abs_difference(one_by_one.cholesky_factor(), batch.cholesky_factor()) < 1e-12);

  GaussianProcess grown = one_by_one;
  for (int i = 30; i < 35; ++i) grown.add(X.row(i).data(), y[i]);
  CHECK(grown.size() == 35 && one_by_one.size() == 30);  // the copy is independent
  grown.truncate(30);
  const RowMatrix Xq = uniform_points(10, 3, 42);
  const Posterior expected = predict(one_by_one, Xq);
  const Posterior actual = predict(grown, Xq);
  CHECK(actual.mean == expected.mean && actual.variance == expected.variance);
  CHECK(grown.cholesky_factor() == one_by_one.cholesky_factor());
  CHECK_THROWS(grown.truncate(31), std::invalid_argument);
}

TEST(predict_with_gradient_matches_predict_and_central_differences) {
  const Space space({{DimensionKind::Continuous, 0}, {DimensionKind::Continuous, 0}, {DimensionKind::Integer, 4}});
  const RowMatrix X = uniform_points(25, 3, 51);
  const GaussianProcess gp = filled_gp(space, "matern52", theta_for(3, 0.3, 1.0, 1e-4), X, objective_values(X));
  const RowMatrix Xq = uniform_points(6, 3, 52);
  const Posterior standardized = predict(gp, Xq, true);
  for (int p = 0; p < 6; ++p) {
    Vector x = Xq.row(p).transpose();
    space.canonicalize(x.data());
    double mean, variance;
    Vector dmean(3), dvariance(3);
    gp.predict_with_gradient(x.data(), mean, variance, dmean.data(), dvariance.data());
    CHECK_NEAR(mean, standardized.mean[p], 1e-12);
    CHECK_NEAR(variance, standardized.variance[p], 1e-12);
    auto at = [&](const Vector& z, bool want_mean) {
      double m, v;
      Vector dm(3), dv(3);
      gp.predict_with_gradient(z.data(), m, v, dm.data(), dv.data());
      return want_mean ? m : v;
    };
    const Vector numeric_mean = check::central_difference([&](const Vector& z) { return at(z, true); }, x, 1e-6);
    const Vector numeric_variance = check::central_difference([&](const Vector& z) { return at(z, false); }, x, 1e-6);
    for (int j = 0; j < 2; ++j) {
      CHECK_NEAR(dmean[j], numeric_mean[j], 1e-6);
      CHECK_NEAR(dvariance[j], numeric_variance[j], 1e-6);
    }
    CHECK(dmean[2] == 0.0 && dvariance[2] == 0.0);  // integer coordinate: no gradient
  }
}

TEST(log_marginal_likelihood_equals_the_dense_formula) {
  const Space space(2);
  const RowMatrix X = uniform_points(30, 2, 61);
  const Vector theta = theta_for(2, 0.4, 0.7, 1e-3);
  const GaussianProcess gp = filled_gp(space, "rbf", theta, X, objective_values(X));
  const Matrix K = dense_kernel_matrix(gp);
  const Vector ys = gp.standardized_targets();
  const double expected = dense_log_likelihood(Eigen::LDLT<Matrix>(K), ys);
  CHECK_NEAR(gp.log_marginal_likelihood(), expected, 1e-9);
  CHECK_NEAR(gp.log_marginal_likelihood(theta, nullptr), expected, 1e-9);
}

TEST(fitted_prior_mean_is_the_generalized_least_squares_constant) {
  // y_offset = (1^T K^-1 y) / (1^T K^-1 1) with the dense K, the posterior follows it, and the likelihood is the
  // one maximized over the constant: with its analytic gradient in theta matching central differences.
  const Space space = mixed_space();
  RowMatrix X = uniform_points(40, 3, 81);
  X.bottomRows(15) = X.topRows(1).replicate(15, 1) + 0.01 * uniform_points(15, 3, 82);  // a cluster
  const Vector y = objective_values(X);
  const Vector theta = theta_for(3, 0.4, 1.2, 1e-3);
  GaussianProcess gp(make_kernel("matern52", space), 1e-3, false, PriorMean::Fitted);
  gp.set_log_params(theta);
  for (Eigen::Index i = 0; i < X.rows(); ++i) gp.add(X.row(i).data(), y[i]);
  const Matrix K = dense_kernel_matrix(gp) * gp.y_scale() * gp.y_scale();  // raw units
  const Eigen::LDLT<Matrix> ldlt(K);
  const Vector ones = Vector::Ones(X.rows());
  const double expected = ones.dot(ldlt.solve(y)) / ones.dot(ldlt.solve(ones));
  CHECK_NEAR(gp.y_offset(), expected, 1e-9);
  CHECK(std::abs(gp.y_offset() - y.mean()) > 1e-3);  // the cluster counts like one point, unlike in the mean

  const Vector ys = gp.standardized_targets();
  const Eigen::LDLT<Matrix> standardized(dense_kernel_matrix(gp));
  const double lml = dense_log_likelihood(standardized, ys);
  CHECK_NEAR(gp.log_marginal_likelihood(theta, nullptr), lml, 1e-9);
  for (double shift : {-0.3, 0.3}) {  // any other constant is less likely
    CHECK(dense_log_likelihood(standardized, (ys.array() + shift).matrix()) < lml);
  }
  check_likelihood_gradient(gp);
}

TEST(log_marginal_likelihood_gradient_matches_central_differences) {
  const Space space = mixed_space();
  const RowMatrix X = uniform_points(30, 3, 71);
  const Vector y = objective_values(X);
  for (const char* kernel : {"rbf", "matern52"}) {
    const GaussianProcess gp = filled_gp(space, kernel, theta_for(3, 0.5, 1.0, 1e-3), X, y);
    check_likelihood_gradient(gp);

    Vector theta(5);
    theta << std::log(0.3), std::log(0.8), std::log(1.4), std::log(1.5), std::log(2e-3);
    Vector prior_gradient;
    gp.log_prior(theta, &prior_gradient);
    const Vector numeric_prior =
        check::central_difference([&](const Vector& t) { return gp.log_prior(t, nullptr); }, theta, 1e-5);
    for (int j = 0; j < 5; ++j) CHECK_NEAR(prior_gradient[j], numeric_prior[j], 1e-8);
  }
  // with a fixed noise the noise coordinate carries no gradient
  GaussianProcess fixed = make_gp(space, "rbf", theta_for(3, 0.5, 1.0, 1e-3), true);
  fixed.add_batch(X, y, Vector());
  Vector gradient;
  fixed.log_marginal_likelihood(theta_for(3, 0.5, 1.0, 1e-3), &gradient);
  CHECK(gradient[4] == 0.0);
}

TEST(fit_improves_the_objective_stays_in_bounds_and_is_deterministic) {
  const Space space(3);
  const RowMatrix X = uniform_points(40, 3, 81);
  const Vector y = objective_values(X);
  const Vector start = theta_for(3, 3.0, 0.3, 1e-1);
  GaussianProcess gp = filled_gp(space, "matern52", start, X, y);
  const double before = gp.log_marginal_likelihood() + gp.log_prior(start, nullptr);
  FitOptions options;
  options.seed = 5;
  const FitResult result = gp.fit(options);
  CHECK(result.log_likelihood > before);
  CHECK(result.evaluations > 0);
  CHECK(gp.log_params() == result.theta);
  CHECK_NEAR(gp.log_marginal_likelihood() + gp.log_prior(result.theta, nullptr), result.log_likelihood, 1e-8);
  const auto [lower, upper] = gp.log_param_bounds();
  CHECK((result.theta.array() >= lower.array()).all() && (result.theta.array() <= upper.array()).all());

  GaussianProcess again = filled_gp(space, "matern52", start, X, y);
  CHECK(again.fit(options).theta == result.theta);

  // a subset fit (max_points) on a larger GP
  GaussianProcess subset = filled_gp(space, "matern52", start, uniform_points(80, 3, 82), objective_values(uniform_points(80, 3, 82)));
  options.max_points = 20;
  const FitResult partial = subset.fit(options);
  CHECK(std::isfinite(partial.log_likelihood));
}

TEST(refit_policy_counts_points_since_the_last_fit) {
  const Space space(2);
  const RowMatrix X = uniform_points(50, 2, 91);
  const Vector y = objective_values(X);
  GaussianProcess gp = make_gp(space, "rbf", theta_for(2, 0.5, 1.0, 1e-3));
  CHECK(!gp.should_refit(RefitPolicy{}));  // fewer than two points
  gp.add_batch(X.topRows(40), y.head(40), Vector());
  CHECK(gp.should_refit(RefitPolicy{}));  // never fitted
  CHECK(gp.maybe_refit(RefitPolicy{10, 1e9}));
  CHECK(!gp.should_refit(RefitPolicy{10, 1e9}));
  for (int i = 40; i < 49; ++i) gp.add(X.row(i).data(), y[i]);
  CHECK(!gp.should_refit(RefitPolicy{10, 1e9}));
  gp.add(X.row(49).data(), y[49]);
  CHECK(gp.should_refit(RefitPolicy{10, 1e9}));
}

TEST(exact_duplicates_without_noise_take_the_jitter_path) {
  const Space space(2);
  const RowMatrix X = uniform_points(12, 2, 101);
  // a fixed noise far below double precision: duplicates make K numerically singular
  GaussianProcess gp = make_gp(space, "rbf", theta_for(2, 0.5, 1.0, 1e-300), true);
  for (int i = 0; i < 12; ++i) gp.add(X.row(i).data(), objective(X.row(i).data(), 2));
  CHECK(gp.jitter() == 0.0);
  for (int copy = 0; copy < 3; ++copy) gp.add(X.row(3).data(), objective(X.row(3).data(), 2) + 0.1 * copy);
  CHECK(gp.jitter() > 0.0);
  CHECK(gp.jitter() <= 1e-2 * (1.0 + 1e-300));
  gp.add(X.row(7).data() , 0.5);  // one more point after the jitter: the incremental path keeps the jitter
  const Matrix L = gp.cholesky_factor();
  CHECK(L.allFinite());
  CHECK(max_abs_difference(L * L.transpose(), dense_kernel_matrix(gp)) < 1e-12);
  const RowMatrix Xq = uniform_points(20, 2, 102);
  const Posterior posterior = predict(gp, Xq);
  CHECK(posterior.mean.allFinite() && posterior.variance.allFinite());
  CHECK((posterior.variance.array() > 0.0).all());
  // K + jitter I has a condition number near 1 / jitter ~ 1e10: the dense solve agrees to about 1e10 eps
  const Posterior expected = dense_posterior(gp, Xq);
  for (int i = 0; i < 20; ++i) CHECK_NEAR(posterior.mean[i], expected.mean[i], 1e-4);
}

TEST(near_duplicates_and_constant_targets_stay_finite) {
  const Space space(2);
  GaussianProcess gp(make_kernel("matern52", space));
  const RowMatrix X = uniform_points(10, 2, 111);
  for (int i = 0; i < 10; ++i) {
    gp.add(X.row(i).data(), 3.0);
    Vector nudged = X.row(i).transpose();
    nudged[0] += 1e-13;
    gp.add(nudged.data(), 3.0);
  }
  CHECK(gp.y_scale() == 1.0);
  const RowMatrix Xq = uniform_points(30, 2, 112);
  const Posterior posterior = predict(gp, Xq);
  CHECK(posterior.mean.allFinite() && posterior.variance.allFinite());
  for (int i = 0; i < 30; ++i) CHECK_NEAR(posterior.mean[i], 3.0, 1e-12);
  const FitResult result = gp.fit();
  CHECK(result.theta.allFinite() && std::isfinite(result.log_likelihood));
  CHECK(predict(gp, Xq).variance.allFinite());
}

TEST(huge_and_tiny_target_scales_give_the_same_standardized_posterior) {
  const Space space(3);
  const RowMatrix X = uniform_points(30, 3, 121);
  const Vector y = objective_values(X);
  const Vector theta = theta_for(3, 0.4, 1.0, 1e-4);
  const GaussianProcess unit = filled_gp(space, "rbf", theta, X, y);
  const RowMatrix Xq = uniform_points(15, 3, 122);
  const Posterior reference = predict(unit, Xq);
  const Posterior reference_standardized = predict(unit, Xq, true);
  for (double scale : {1e12, 1e-9}) {
    const double shift = 5.0 * scale;
    const GaussianProcess scaled = filled_gp(space, "rbf", theta, X, (y.array() * scale + shift).matrix());
    const Posterior standardized = predict(scaled, Xq, true);
    const Posterior raw = predict(scaled, Xq);
    CHECK(raw.mean.allFinite() && raw.variance.allFinite());
    for (int i = 0; i < 15; ++i) {
      CHECK_NEAR(standardized.mean[i], reference_standardized.mean[i], 1e-9);
      CHECK_NEAR(standardized.variance[i], reference_standardized.variance[i], 1e-9);
      CHECK_NEAR(raw.mean[i] / scale, reference.mean[i] + 5.0, 1e-9);
      CHECK_NEAR(raw.variance[i] / (scale * scale), reference.variance[i], 1e-9);
    }
  }
  // values below the scale floor are taken as constant: still finite
  const GaussianProcess tiny = filled_gp(space, "rbf", theta, X, (y * 1e-15).eval());
  const Posterior posterior = predict(tiny, Xq);
  CHECK(posterior.mean.allFinite() && posterior.variance.allFinite());
}

TEST(targets_near_the_largest_double_keep_a_finite_standardization) {
  // y^2 and y_i - mean overflow there: the moments are taken of y / max|y| and scaled back
  const Space space(2);
  const RowMatrix X = uniform_points(20, 2, 131);
  const Vector y = objective_values(X);
  const Vector unit_y = y / y.cwiseAbs().maxCoeff();
  const Vector theta = theta_for(2, 0.4, 1.0, 1e-4);
  const RowMatrix Xq = uniform_points(10, 2, 132);
  for (const char* prior : {"mean", "fitted"}) {
    const PriorMean prior_mean = std::string(prior) == "mean" ? PriorMean::Mean : PriorMean::Fitted;
    GaussianProcess reference(make_kernel("rbf", space), 1e-4, false, prior_mean);
    reference.set_log_params(theta);
    reference.add_batch(X, unit_y, Vector());
    const Posterior expected = predict(reference, Xq, true);
    for (double scale : {1e155, 1e300, std::numeric_limits<double>::max()}) {
      GaussianProcess huge(make_kernel("rbf", space), 1e-4, false, prior_mean);
      huge.set_log_params(theta);
      huge.add_batch(X, (unit_y * scale).eval(), Vector());
      CHECK(std::isfinite(huge.y_scale()) && std::isfinite(huge.y_offset()));
      CHECK(huge.standardized_targets().allFinite());
      const Posterior standardized = predict(huge, Xq, true);
      for (int i = 0; i < 10; ++i) {
        CHECK_NEAR(standardized.mean[i], expected.mean[i], 1e-9);
        CHECK_NEAR(standardized.variance[i], expected.variance[i], 1e-9);
      }
    }
  }
}

TEST(unrepairable_kernel_matrices_throw_lin_alg_error_and_keep_the_model) {
  const Space space(2);
  const RowMatrix X = uniform_points(10, 2, 131);
  const Vector theta = theta_for(2, 0.5, 1.0, 1e-4);
  GaussianProcess gp = filled_gp(space, "rbf", theta, X, objective_values(X));
  const RowMatrix Xq = uniform_points(5, 2, 132);
  const Posterior before = predict(gp, Xq);
  // a length scale of e^-400: 1 / l^2 overflows, so k(x, x) = s2 f(0 * inf) is NaN and no jitter can help
  Vector bad_length = theta;
  bad_length[0] = -400.0;
  CHECK_THROWS(gp.set_log_params(bad_length), LinAlgError);
  // a signal variance of e^800 = inf: the jitter scale itself is infinite
  Vector bad_signal = theta;
  bad_signal[2] = 800.0;
  CHECK_THROWS(gp.set_log_params(bad_signal), LinAlgError);
  CHECK(gp.log_params() == theta);
  const Posterior after = predict(gp, Xq);  // refactorized in one batch: equal to rounding
  for (int i = 0; i < 5; ++i) {
    CHECK_NEAR(after.mean[i], before.mean[i], 1e-12);
    CHECK_NEAR(after.variance[i], before.variance[i], 1e-12);
  }
  // the likelihood at such a theta is an error too, not a NaN
  CHECK_THROWS(gp.log_marginal_likelihood(bad_length, nullptr), LinAlgError);
}

TEST(bad_inputs_are_refused_with_invalid_argument) {
  const Space space(2);
  GaussianProcess gp(make_kernel("rbf", space));
  const double nan_point[2] = {0.5, std::nan("")};
  const double point[2] = {0.5, 0.5};
  CHECK_THROWS(gp.add(nan_point, 1.0), std::invalid_argument);
  CHECK_THROWS(gp.add(point, INFINITY), std::invalid_argument);
  CHECK_THROWS(gp.add(point, 1.0, -1.0), std::invalid_argument);
  CHECK(gp.size() == 0);
  CHECK_THROWS(GaussianProcess(make_kernel("rbf", space), 0.0), std::invalid_argument);
  CHECK_THROWS(gp.set_log_params(Vector::Zero(3)), std::invalid_argument);
  Vector mean(2), variance(3);
  CHECK_THROWS(gp.predict(RowMatrix::Zero(2, 2), mean, variance), std::invalid_argument);
  CHECK_THROWS(gp.predict(RowMatrix::Zero(3, 3), variance, variance), std::invalid_argument);
}

TEST(an_empty_gp_predicts_its_prior) {
  const Space space(2);
  GaussianProcess gp(make_kernel("rbf", space));
  Vector theta = theta_for(2, 0.5, 2.0, 1e-4);
  gp.set_log_params(theta);
  const Posterior posterior = predict(gp, uniform_points(4, 2, 141));
  CHECK((posterior.mean.array() == 0.0).all());
  CHECK((posterior.variance.array() == 2.0).all());
  CHECK(gp.log_marginal_likelihood() == 0.0);
}

int main() { return check::run_all(); }
