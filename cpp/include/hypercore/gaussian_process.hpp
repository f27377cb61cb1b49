// A Gaussian-process regression model that owns its data and the Cholesky factor of its kernel matrix.
//
// Notation (shapes in brackets; n points of dimension d):
//   X [n, d]   canonical inputs (see space.hpp);      y [n]  observations as given (raw units)
//   m, s       the standardization: ys = (y - m) / s, m the prior mean (see PriorMean), s the std of y
//   K [n, n]   k(X, X) + (sigma_n^2 + jitter) I + diag(extra noise);  L [n, n] lower, L L^T = K
//   alpha [n]  K^-1 ys;  theta [d + 2]: the kernel's log parameters, then log sigma_n^2 (standardized units)
//
// Adding a point x with kernel column k = k(X, x) extends the factor without refactorizing (O(n^2)):
//   l = L^-1 k,  l_nn = sqrt(k(x, x) + sigma_n^2 + jitter - l.l),  L' = [[L, 0], [l^T, l_nn]].
// A pivot that is not safely positive (a duplicate point with no noise) triggers a full refactorization
// with an adaptive jitter, grown tenfold from 1e-10 s2 up to 1e-2 s2; beyond that LinAlgError is thrown.
// Posterior (Rasmussen & Williams 2006, alg. 2.1): mean = k*^T alpha, var = s2 - |L^-1 k*|^2.
#pragma once

#include <cstdint>
#include <memory>

#include "hypercore/kernel.hpp"
#include "hypercore/types.hpp"

namespace hypercore {

/// Which constant the GP's prior mean takes: the mean of the observations, their maximum (optimistic, so
/// unexplored regions look promising; the original's mu_prior_gen='max'), zero (the caller shifts y itself),
/// or fitted: the generalized-least-squares constant (1^T K^-1 y) / (1^T K^-1 1), the constant that maximizes
/// the marginal likelihood (profiled out of it in fit()). It weighs a cluster of correlated points like one
/// point, so the points an optimizer piles up around its best region do not drag the prior of the unexplored
/// space up to their level (BoTorch likewise learns its constant mean).
enum class PriorMean { Mean, Max, Zero, Fitted };

struct FitOptions {
  int restarts = 2;         ///< random starts drawn from the prior, besides the warm start at the current theta
  int max_iterations = 60;  ///< per start
  int max_points = 200;     ///< fit on a seeded random subset of at most this many points (O(m^3) per step:
                            ///< 200 pin down d + 2 hyper-parameters; 300 cost 3.4x more a step)
  std::uint64_t seed = 0;
  int threads = 0;          ///< 0: all hardware threads
};

/// When maybe_refit() refits: after `every` new points (0: adaptive, every point up to 32 points, then every
/// n/16 points), or as soon as the mean log likelihood per point dropped by `lml_drop` nats since the last fit.
struct RefitPolicy {
  int every = 0;
  double lml_drop = 0.25;
};

struct FitResult {
  Vector theta;
  double log_likelihood = 0.0;  ///< log marginal likelihood + log prior at theta, on the fitted points
  int evaluations = 0;
};

class GaussianProcess {
 public:
  /// Query rows per kernel block in predict and predict_variance_bound, per thread: an (n, 32) block of
  /// doubles stays in cache for the passes over it.
  static constexpr long kQueryBlock = 32;

  /// noise_variance is in standardized units; with fixed_noise it is never fitted.
  explicit GaussianProcess(std::unique_ptr<Kernel> kernel, double noise_variance = 1e-4, bool fixed_noise = false,
                           PriorMean prior_mean = PriorMean::Mean);
  GaussianProcess(const GaussianProcess& other);
  GaussianProcess& operator=(const GaussianProcess& other);
  GaussianProcess(GaussianProcess&&) noexcept = default;
  GaussianProcess& operator=(GaussianProcess&&) noexcept = default;
  ~GaussianProcess() = default;

  int dim() const { return kernel_->dim(); }
  int size() const { return n_; }
  const Space& space() const { return kernel_->space(); }
  const Kernel& kernel() const { return *kernel_; }

  /// theta [d + 2] = (kernel log params, log noise variance). Setting it refactorizes (O(n^3)).
  Vector log_params() const;
  void set_log_params(const Vector& theta);
  double noise_variance() const { return noise_variance_; }
  bool fixed_noise() const { return fixed_noise_; }
  PriorMean prior_mean() const { return prior_mean_; }
  double jitter() const { return jitter_; }
  /// Bounds of theta used by fit(): [lower, upper], each [d + 2].
  std::pair<Vector, Vector> log_param_bounds() const;

  /// Adds one observation: x [d] in the unit cube, y finite, extra_noise >= 0 an observation-noise variance in
  /// raw units (e.g. the uncertainty of a predicted final value). O(n^2).
  void add(const double* x, double y, double extra_noise = 0.0);
  /// Replaces the n observed values (e.g. after re-fitting an output transform); the factor does not depend
  /// on them, so this costs O(n^2).
  void set_targets(const ConstVectorRef& y);
  /// Adds n observations; X (n, d), y [n], extra_noise [n] or empty.
  void add_batch(const ConstRowMatrixRef& X, const ConstVectorRef& y, const ConstVectorRef& extra_noise);

  /// Posterior of the latent function at Xq (m, d): mean [m], variance [m], in raw units unless standardized.
  void predict(const ConstRowMatrixRef& Xq, VectorRef mean, VectorRef variance, bool standardized = false,
               int threads = 1) const;
  /// Standardized posterior mean [m] at Xq (m, d), and an upper bound of the variance [m]: the variance given
  /// the single observation that explains the most of it, s2 - max_i k(x, X_i)^2 / K_ii (conditioning on fewer
  /// points never lowers a Gaussian variance). O(n m d), against O(n^2 m) for the exact variance: it screens
  /// candidates before the exact variance is computed for the promising ones.
  void predict_variance_bound(const ConstRowMatrixRef& Xq, VectorRef mean, VectorRef variance_bound,
                              int threads = 1) const;
  /// Standardized posterior at one point x [d] with gradients dmean [d], dvariance [d] w.r.t. x.
  void predict_with_gradient(const double* x, double& mean, double& variance, double* dmean,
                             double* dvariance) const;

  /// Log marginal likelihood of the standardized data at the current theta (from the factor, O(n)).
  double log_marginal_likelihood() const;
  /// Log marginal likelihood at theta on all points, with its gradient [d + 2] if `gradient` is given. O(n^3).
  double log_marginal_likelihood(const Vector& theta, Vector* gradient) const;
  /// The log density of the hyper-prior at theta, with its gradient if given.
  double log_prior(const Vector& theta, Vector* gradient) const;

  /// Maximizes log marginal likelihood + log prior over theta (multi-start projected L-BFGS in log space,
  /// warm-started from the current theta) and refactorizes.
  FitResult fit(const FitOptions& options = {});
  /// Fits when the policy says so; returns whether it did.
  bool maybe_refit(const RefitPolicy& policy = {}, const FitOptions& options = {});
  bool should_refit(const RefitPolicy& policy) const;

  /// Canonical inputs (n, d), raw observations [n], standardized observations [n], extra noise [n] (raw units).
  RowMatrix inputs() const { return X_.topRows(n_); }
  Vector targets() const { return y_.head(n_); }
  Vector standardized_targets() const;
  Vector extra_noise() const;
  /// The lower Cholesky factor (n, n) (a copy, for inspection and tests).
  Matrix cholesky_factor() const;
  double y_offset() const { return y_offset_; }
  double y_scale() const { return y_scale_; }
  /// Best (largest) standardized observation; 0 with no data.
  double best_standardized() const;

  /// Removes every point after the first `n` (O(1) for the factor, O(n^2) for the weights).
  void truncate(int n);

 private:
  void reserve(int capacity);
  void refactorize();
  void update_weights();
  double diagonal(int i) const;
  /// Checks the query rows Xq (m, d) and the two outputs [m], then calls block(begin, count, Ks) in parallel
  /// over blocks of query rows, Ks (n, count) = k(X, the block's canonical rows) (not filled with no data).
  template <typename Block>
  void for_each_query_block(const ConstRowMatrixRef& Xq, VectorRef first, VectorRef second, int threads,
                            const Block& block) const;
  static double fit_objective(const GaussianProcess& model, const RowMatrix& X, const Vector& ys,
                              const Vector& extra, const Vector& theta, Vector* gradient);

  std::unique_ptr<Kernel> kernel_;
  double noise_variance_;
  bool fixed_noise_;
  PriorMean prior_mean_;
  double jitter_ = 0.0;

  int n_ = 0;
  RowMatrix X_;         ///< capacity rows, first n_ valid
  Vector y_;            ///< raw
  Vector extra_;        ///< extra noise variance in standardized units: extra_raw_ / noise_scale_^2
  Vector extra_raw_;    ///< extra noise variance, raw
  Matrix L_;            ///< capacity x capacity, top-left n_ x n_ valid
  Vector alpha_;        ///< n_
  double y_offset_ = 0.0;
  double y_scale_ = 1.0;
  double noise_scale_ = 1.0;  ///< the y scale extra_ was standardized with; follows y_scale_ within 10%

  int fitted_size_ = -1;        ///< n at the last fit (-1: never fitted)
  double fitted_lml_per_point_ = 0.0;
};

}  // namespace hypercore
