#include "hypercore/gaussian_process.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "hypercore/box_minimizer.hpp"
#include "hypercore/errors.hpp"
#include "hypercore/parallel.hpp"
#include "hypercore/quasi_random.hpp"

namespace hypercore {

namespace {

constexpr double kLog2Pi = 1.83787706640934548356;
constexpr double kMinPivotRatio = 1e-10;   // a new pivot below this fraction of its diagonal is rebuilt
constexpr double kFirstJitterRatio = 1e-10;
constexpr double kMaxJitterRatio = 1e-2;
constexpr double kMinNoise = 1e-6;
constexpr double kMaxNoise = 1.0;

// Hyper-priors (log space).
// Length scales: log l - c ~ a density proportional to exp(-a cosh(2 (log l - c))), c = log(sqrt(d) / 2):
// nearly flat within a factor of ~3 of the centre and steep beyond, so a handful of points can neither make
// a coordinate irrelevant (l >> 1 on the unit cube, which makes the GP optimistic at the faces) nor turn it
// into noise (l << 0.1). The centre grows as sqrt(d), as distances in the unit cube do (Hvarfner, Hellsten &
// Nardi, ICML 2024).
// Signal variance: log s2 ~ N(0, 1) on standardized data. Noise: sigma_n^2 ~ Exponential(mean 1/30) on
// standardized data: small noise is free, but explaining a third of the variance as noise costs ~10 nats,
// so structure the kernel can model (ripples, a narrow basin) is not written off as noise.
struct GaussianPrior {
  double mean, stdev;
  double log_density(double x, double* gradient) const {
    const double z = (x - mean) / stdev;
    if (gradient) *gradient = -z / stdev;
    return -0.5 * z * z;
  }
};

struct LogCoshPrior {
  double centre, strength;
  double log_density(double x, double* gradient) const {
    const double u = 2.0 * (x - centre);
    if (gradient) *gradient = -2.0 * strength * std::sinh(u);
    return -strength * std::cosh(u);
  }
};

LogCoshPrior length_scale_prior(int dim) { return {std::log(0.5 * std::sqrt(std::max(1, dim))), 0.25}; }
constexpr GaussianPrior kSignalPrior{0.0, 1.0};
struct ExponentialVariancePrior {
  double rate;
  // The density of u = log(variance) when the variance is Exponential(rate): u - rate e^u (with the Jacobian).
  double log_density(double u, double* gradient) const {
    const double variance = std::exp(u);
    if (gradient) *gradient = 1.0 - rate * variance;
    return u - rate * variance;
  }
};
constexpr ExponentialVariancePrior kNoisePrior{30.0};

// The constant c maximizing the likelihood of y ~ N(c 1, K), given the lower triangular view of L, L L^T = K:
// (1^T K^-1 y) / (1^T K^-1 1).
template <typename LowerView>
double generalized_least_squares_mean(const LowerView& L, const Eigen::Ref<const Vector>& y) {
  Vector ones = Vector::Ones(y.size());
  Vector whitened = y;
  L.solveInPlace(ones);
  L.solveInPlace(whitened);
  return ones.dot(whitened) / ones.squaredNorm();
}

// Cholesky of K + jitter I with the jitter grown until the factor is valid; returns the jitter used.
double factorize_with_jitter(Matrix& K, Eigen::LLT<Matrix>& llt, double scale, double start_jitter) {
  if (!std::isfinite(scale) || !(scale > 0.0)) {
    throw LinAlgError("the kernel matrix scale (signal + noise variance) is not a positive finite number: " +
                      std::to_string(scale) + " (hyper-parameters too large)");
  }
  double jitter = start_jitter;
  while (true) {
    if (jitter > 0.0) K.diagonal().array() += jitter;
    llt.compute(K);
    const bool ok = llt.info() == Eigen::Success && llt.matrixLLT().diagonal().allFinite() &&
                    (llt.matrixLLT().diagonal().array() > 0.0).all();
    if (ok) return jitter;
    if (jitter > 0.0) K.diagonal().array() -= jitter;
    jitter = jitter == 0.0 ? kFirstJitterRatio * scale : jitter * 10.0;
    if (!(jitter <= kMaxJitterRatio * scale)) {
      throw LinAlgError("the kernel matrix is not positive definite even with a jitter of " +
                        std::to_string(kMaxJitterRatio) + " times its scale (duplicate points with no noise, "
                        "or non-finite hyper-parameters)");
    }
  }
}

}  // namespace

GaussianProcess::GaussianProcess(std::unique_ptr<Kernel> kernel, double noise_variance, bool fixed_noise,
                                 PriorMean prior_mean)
    : kernel_(std::move(kernel)), noise_variance_(noise_variance), fixed_noise_(fixed_noise), prior_mean_(prior_mean) {
  require(kernel_ != nullptr, "kernel", "must not be null");
  require(std::isfinite(noise_variance) && noise_variance > 0.0, "noise_variance",
          "must be a positive finite number, got " + std::to_string(noise_variance));
  reserve(16);
}

GaussianProcess::GaussianProcess(const GaussianProcess& other)
    : kernel_(other.kernel_->clone()),
      noise_variance_(other.noise_variance_),
      fixed_noise_(other.fixed_noise_),
      prior_mean_(other.prior_mean_),
      jitter_(other.jitter_),
      n_(other.n_),
      X_(other.X_),
      y_(other.y_),
      extra_(other.extra_),
      extra_raw_(other.extra_raw_),
      L_(other.L_),
      alpha_(other.alpha_),
      y_offset_(other.y_offset_),
      y_scale_(other.y_scale_),
      noise_scale_(other.noise_scale_),
      fitted_size_(other.fitted_size_),
      fitted_lml_per_point_(other.fitted_lml_per_point_) {}

GaussianProcess& GaussianProcess::operator=(const GaussianProcess& other) {
  if (this != &other) {
    GaussianProcess copy(other);
    *this = std::move(copy);
  }
  return *this;
}

void GaussianProcess::reserve(int capacity) {
  const int old_capacity = static_cast<int>(X_.rows());
  if (capacity <= old_capacity) return;
  X_.conservativeResize(capacity, dim());
  y_.conservativeResize(capacity);
  extra_.conservativeResize(capacity);
  extra_raw_.conservativeResize(capacity);
  Matrix grown = Matrix::Zero(capacity, capacity);
  grown.topLeftCorner(n_, n_) = L_.topLeftCorner(n_, n_);
  L_.swap(grown);
}

Vector GaussianProcess::log_params() const {
  Vector theta(kernel_->num_params() + 1);
  theta << kernel_->log_params(), std::log(noise_variance_);
  return theta;
}

void GaussianProcess::set_log_params(const Vector& theta) {
  require(theta.size() == kernel_->num_params() + 1, "theta",
          "expected " + std::to_string(kernel_->num_params() + 1) + " values, got " + std::to_string(theta.size()));
  require(theta.allFinite(), "theta", "contains NaN or inf");
  const Vector previous_kernel = kernel_->log_params();
  const double previous_noise = noise_variance_;
  kernel_->set_log_params(theta.head(kernel_->num_params()));
  if (!fixed_noise_) noise_variance_ = std::exp(theta[kernel_->num_params()]);
  try {
    refactorize();
    update_weights();
  } catch (const LinAlgError&) {  // keep the model as it was
    kernel_->set_log_params(previous_kernel);
    noise_variance_ = previous_noise;
    refactorize();
    update_weights();
    throw;
  }
}

std::pair<Vector, Vector> GaussianProcess::log_param_bounds() const {
  const int d = dim();
  Vector lower(d + 2), upper(d + 2);
  lower.head(d).setConstant(std::log(1e-2));
  upper.head(d).setConstant(std::log(1e2));
  lower[d] = std::log(1e-2);
  upper[d] = std::log(1e2);
  if (fixed_noise_) {
    lower[d + 1] = upper[d + 1] = std::log(noise_variance_);
  } else {
    lower[d + 1] = std::log(kMinNoise);
    upper[d + 1] = std::log(kMaxNoise);
  }
  return {lower, upper};
}

double GaussianProcess::diagonal(int i) const {
  return kernel_->signal_variance() + noise_variance_ + jitter_ + extra_[i];
}

void GaussianProcess::add(const double* x, double y, double extra_noise) {
  for (int j = 0; j < dim(); ++j) {
    require(std::isfinite(x[j]), "x", "coordinate " + std::to_string(j) + " is NaN or inf");
  }
  require(std::isfinite(y), "y", "is NaN or inf");
  require(std::isfinite(extra_noise) && extra_noise >= 0.0, "extra_noise", "must be finite and non-negative");
  if (n_ == X_.rows()) reserve(std::max(16, 2 * n_));

  double* row = X_.row(n_).data();
  std::copy(x, x + dim(), row);
  space().canonicalize(row);
  y_[n_] = y;
  extra_raw_[n_] = extra_noise;
  extra_[n_] = extra_noise / noise_scale_ / noise_scale_;

  const int n = n_;
  Vector k(n);
  for (int i = 0; i < n; ++i) k[i] = (*kernel_)(X_.row(i).data(), row);
  Vector l = k;
  if (n > 0) L_.topLeftCorner(n, n).triangularView<Eigen::Lower>().solveInPlace(l);
  ++n_;
  const double diag = diagonal(n);
  const double pivot = diag - l.squaredNorm();
  if (pivot > kMinPivotRatio * diag && std::isfinite(pivot)) {
    L_.row(n).head(n) = l.transpose();
    L_(n, n) = std::sqrt(pivot);
  } else {
    try {
      refactorize();
    } catch (const LinAlgError&) {
      --n_;  // keep what was recorded before this point
      refactorize();
      throw;
    }
  }
  update_weights();
}

void GaussianProcess::add_batch(const ConstRowMatrixRef& X, const ConstVectorRef& y, const ConstVectorRef& extra_noise) {
  require(X.cols() == dim(), "X", "expected " + std::to_string(dim()) + " columns, got " + std::to_string(X.cols()));
  require(y.size() == X.rows(), "y", "expected " + std::to_string(X.rows()) + " values, got " + std::to_string(y.size()));
  require(extra_noise.size() == 0 || extra_noise.size() == X.rows(), "extra_noise",
          "expected 0 or " + std::to_string(X.rows()) + " values, got " + std::to_string(extra_noise.size()));
  require(X.allFinite(), "X", "contains NaN or inf");
  require(y.allFinite(), "y", "contains NaN or inf");
  if (extra_noise.size()) {
    require(extra_noise.allFinite() && (extra_noise.array() >= 0.0).all(), "extra_noise",
            "must be finite and non-negative");
  }
  const int n = n_;
  const int m = static_cast<int>(X.rows());
  if (m == 0) return;
  if (n + m > X_.rows()) reserve(std::max(n + m, 2 * n));
  for (int i = 0; i < m; ++i) {
    X_.row(n + i) = X.row(i);
    space().canonicalize(X_.row(n + i).data());
    y_[n + i] = y[i];
    extra_raw_[n + i] = extra_noise.size() ? extra_noise[i] : 0.0;
    extra_[n + i] = extra_raw_[n + i] / noise_scale_ / noise_scale_;
  }
  // The block form of the incremental update (one BLAS-3 solve instead of m vector solves):
  //   L21 = K21 L11^-T,  L22 L22^T = K22 - L21 L21^T.
  Matrix L21t(n, m), S(m, m);
  kernel_->cross(X_.topRows(n), X_.middleRows(n, m), L21t);
  kernel_->cross(X_.middleRows(n, m), X_.middleRows(n, m), S);
  for (int i = 0; i < m; ++i) S(i, i) = diagonal(n + i);
  if (n > 0) {
    L_.topLeftCorner(n, n).triangularView<Eigen::Lower>().solveInPlace(L21t);
    S.noalias() -= L21t.transpose() * L21t;
  }
  Eigen::LLT<Matrix> llt(S);
  bool valid = llt.info() == Eigen::Success;
  for (int i = 0; valid && i < m; ++i) {
    const double pivot = llt.matrixLLT()(i, i);
    valid = std::isfinite(pivot) && pivot * pivot > kMinPivotRatio * diagonal(n + i);
  }
  n_ = n + m;
  if (valid) {
    L_.block(n, 0, m, n) = L21t.transpose();
    L_.block(n, n, m, m) = llt.matrixL();
  } else {
    try {
      refactorize();
    } catch (const LinAlgError&) {
      n_ = n;  // keep what was recorded before this batch
      refactorize();
      throw;
    }
  }
  update_weights();
}

void GaussianProcess::set_targets(const ConstVectorRef& y) {
  require(y.size() == n_, "y", "expected " + std::to_string(n_) + " values, got " + std::to_string(y.size()));
  require(y.allFinite(), "y", "contains NaN or inf");
  y_.head(n_) = y;
  update_weights();
}

void GaussianProcess::refactorize() {
  const int n = n_;
  jitter_ = 0.0;
  if (n == 0) return;
  Matrix K(n, n);
  kernel_->cross(X_.topRows(n), X_.topRows(n), K);
  for (int i = 0; i < n; ++i) K(i, i) += noise_variance_ + extra_[i];
  Eigen::LLT<Matrix> llt;
  jitter_ = factorize_with_jitter(K, llt, kernel_->signal_variance() + noise_variance_, 0.0);
  L_.topLeftCorner(n, n) = llt.matrixL();
  L_.topRightCorner(n, L_.cols() - n).setZero();
}

void GaussianProcess::update_weights() {
  const int n = n_;
  if (n == 0) {
    y_offset_ = 0.0;
    y_scale_ = 1.0;
    noise_scale_ = 1.0;
    alpha_.resize(0);
    return;
  }
  const auto y = y_.head(n);
  // The moments of y / max|y| (within [-1, 1]), scaled back: finite for any finite y, even near the largest double,
  // where y^2 and the differences y_i - mean would overflow.
  const double magnitude = y.cwiseAbs().maxCoeff();
  const double unit = magnitude > 0.0 ? magnitude : 1.0;
  const Vector scaled = y / unit;
  const double scaled_mean = scaled.mean();
  const double mean = scaled_mean * unit;
  const double scale = std::sqrt((scaled.array() - scaled_mean).square().mean()) * unit;
  y_scale_ = scale > 1e-12 * std::max(1.0, std::abs(mean)) ? scale : 1.0;
  switch (prior_mean_) {
    case PriorMean::Mean:
      y_offset_ = mean;
      break;
    case PriorMean::Max:
      y_offset_ = y.maxCoeff();
      break;
    case PriorMean::Zero:
      y_offset_ = 0.0;
      break;
    case PriorMean::Fitted: {
      // linear in y: computed on the scaled values, which cannot overflow in the triangular solves; the constant
      // may lie beyond the data, and beyond the largest double when they are near it: then it is that double
      const double offset =
          generalized_least_squares_mean(L_.topLeftCorner(n, n).triangularView<Eigen::Lower>(), scaled) * unit;
      y_offset_ = std::isfinite(offset) ? offset : std::copysign(std::numeric_limits<double>::max(), offset);
      break;
    }
  }
  // Extra noise is given in raw units: when the scale has drifted by more than 10% since it was
  // standardized, restandardize it and refactorize, so a point's noise keeps its meaning as data arrive.
  if (extra_raw_.head(n).maxCoeff() == 0.0) {
    noise_scale_ = y_scale_;
  } else if (std::abs(y_scale_ / noise_scale_ - 1.0) > 0.1) {
    noise_scale_ = y_scale_;
    extra_.head(n) = extra_raw_.head(n) / noise_scale_ / noise_scale_;
    refactorize();
  }
  alpha_ = standardized_targets();
  const auto L = L_.topLeftCorner(n, n);
  L.triangularView<Eigen::Lower>().solveInPlace(alpha_);
  L.triangularView<Eigen::Lower>().transpose().solveInPlace(alpha_);
  if (!alpha_.allFinite()) throw LinAlgError("the GP weights are not finite: the kernel matrix is too ill-conditioned");
}

Vector GaussianProcess::standardized_targets() const {
  // y / s - m / s rather than (y - m) / s: the difference of two values near the largest double overflows
  return (y_.head(n_).array() / y_scale_ - y_offset_ / y_scale_).matrix();
}

Vector GaussianProcess::extra_noise() const { return extra_raw_.head(n_); }

Matrix GaussianProcess::cholesky_factor() const {
  return L_.topLeftCorner(n_, n_).triangularView<Eigen::Lower>();
}

double GaussianProcess::best_standardized() const {
  return n_ == 0 ? 0.0 : y_.head(n_).maxCoeff() / y_scale_ - y_offset_ / y_scale_;
}

void GaussianProcess::truncate(int n) {
  require(n >= 0 && n <= n_, "n", "must be between 0 and " + std::to_string(n_));
  n_ = n;
  update_weights();
}

template <typename Block>
void GaussianProcess::for_each_query_block(const ConstRowMatrixRef& Xq, VectorRef first, VectorRef second,
                                           int threads, const Block& block) const {
  const Eigen::Index m = Xq.rows();
  require(Xq.cols() == dim(), "X", "expected " + std::to_string(dim()) + " columns, got " + std::to_string(Xq.cols()));
  require(first.size() == m, "mean", "expected " + std::to_string(m) + " values");
  require(second.size() == m, "variance", "expected " + std::to_string(m) + " values");
  require(Xq.allFinite(), "X", "contains NaN or inf");
  const int n = n_;
  // Blocks of kQueryBlock rows at fixed offsets, whole blocks to each thread: a row's block, and so its
  // rounding, does not depend on the thread count. One buffer per thread is reused for its blocks.
  const long blocks = (m + kQueryBlock - 1) / kQueryBlock;
  parallel_blocks(blocks, resolve_threads(threads), 1, [&](long first_block, long end_block) {
    RowMatrix canonical(kQueryBlock, dim());
    Matrix Ks(n, kQueryBlock);
    for (long b = first_block; b < end_block; ++b) {
      const long start = b * kQueryBlock;
      const long count = std::min<long>(kQueryBlock, m - start);
      if (count != canonical.rows()) {
        canonical.resize(count, dim());
        Ks.resize(n, count);
      }
      canonical = Xq.middleRows(start, count);
      for (long i = 0; i < count; ++i) space().canonicalize(canonical.row(i).data());
      if (n > 0) kernel_->cross(X_.topRows(n), canonical, Ks);
      block(start, count, Ks);
    }
  });
}

void GaussianProcess::predict(const ConstRowMatrixRef& Xq, VectorRef mean, VectorRef variance, bool standardized,
                              int threads) const {
  const double s2 = kernel_->signal_variance();
  const double out_scale = standardized ? 1.0 : y_scale_;
  const double out_offset = standardized ? 0.0 : y_offset_;
  const int n = n_;
  for_each_query_block(Xq, mean, variance, threads, [&](long begin, long count, Matrix& Ks) {
    if (n == 0) {
      mean.segment(begin, count).setConstant(out_offset);
      variance.segment(begin, count).setConstant(s2 * out_scale * out_scale);
      return;
    }
    mean.segment(begin, count) = (Ks.transpose() * alpha_).array() * out_scale + out_offset;
    L_.topLeftCorner(n, n).triangularView<Eigen::Lower>().solveInPlace(Ks);
    const Eigen::ArrayXd latent = (s2 - Ks.colwise().squaredNorm().array().transpose()).max(1e-15 * s2);
    variance.segment(begin, count) = latent * (out_scale * out_scale);
  });
}

void GaussianProcess::predict_variance_bound(const ConstRowMatrixRef& Xq, VectorRef mean, VectorRef variance_bound,
                                             int threads) const {
  const double s2 = kernel_->signal_variance();
  Vector inverse_diagonal(n_);
  for (int i = 0; i < n_; ++i) inverse_diagonal[i] = 1.0 / diagonal(i);
  for_each_query_block(Xq, mean, variance_bound, threads, [&](long begin, long count, Matrix& Ks) {
    if (n_ == 0) {
      mean.segment(begin, count).setZero();
      variance_bound.segment(begin, count).setConstant(s2);
      return;
    }
    mean.segment(begin, count) = Ks.transpose() * alpha_;
    const Eigen::ArrayXd explained =
        (Ks.array().square().colwise() * inverse_diagonal.array()).colwise().maxCoeff().transpose();
    variance_bound.segment(begin, count) = (s2 - explained).max(1e-15 * s2);
  });
}

void GaussianProcess::predict_with_gradient(const double* x, double& mean, double& variance, double* dmean,
                                            double* dvariance) const {
  const int d = dim();
  const int n = n_;
  Vector xc = Eigen::Map<const Vector>(x, d);
  space().canonicalize(xc.data());
  const double s2 = kernel_->signal_variance();
  Eigen::Map<Vector> dm(dmean, d), dv(dvariance, d);
  if (n == 0) {
    mean = 0.0;
    variance = s2;
    dm.setZero();
    dv.setZero();
    return;
  }
  Vector k(n);
  RowMatrix dk(n, d);
  kernel_->gradient_x(xc.data(), X_.topRows(n), dk, k.data());
  mean = k.dot(alpha_);
  dm = dk.transpose() * alpha_;
  const auto L = L_.topLeftCorner(n, n);
  Vector v = k;
  L.triangularView<Eigen::Lower>().solveInPlace(v);
  variance = s2 - v.squaredNorm();
  if (variance <= 1e-15 * s2) {  // clamped: the variance is flat here
    variance = 1e-15 * s2;
    dv.setZero();
    return;
  }
  L.triangularView<Eigen::Lower>().transpose().solveInPlace(v);  // v = K^-1 k
  dv = -2.0 * (dk.transpose() * v);
}

double GaussianProcess::log_marginal_likelihood() const {
  if (n_ == 0) return 0.0;
  const Vector ys = standardized_targets();
  const double log_det = 2.0 * L_.topLeftCorner(n_, n_).diagonal().array().log().sum();
  return -0.5 * ys.dot(alpha_) - 0.5 * log_det - 0.5 * n_ * kLog2Pi;
}

double GaussianProcess::fit_objective(const GaussianProcess& model, const RowMatrix& X, const Vector& ys,
                                      const Vector& extra, const Vector& theta, Vector* gradient) {
  const int n = static_cast<int>(X.rows());
  const int d = model.dim();
  std::unique_ptr<Kernel> kernel = model.kernel_->clone();
  kernel->set_log_params(theta.head(d + 1));
  const double noise = std::exp(theta[d + 1]);
  Matrix K(n, n);
  kernel->cross(X, X, K);
  for (int i = 0; i < n; ++i) K(i, i) += noise + extra[i];
  Eigen::LLT<Matrix> llt;
  factorize_with_jitter(K, llt, kernel->signal_variance() + noise, 0.0);
  // A fitted mean is profiled out: the likelihood at its optimum for this theta. Its gradient is the partial
  // gradient at that constant (the derivative in the constant is zero there), so the formula below holds.
  const Vector centred = model.prior_mean_ == PriorMean::Fitted
                             ? (ys.array() - generalized_least_squares_mean(llt.matrixL(), ys)).matrix()
                             : ys;
  const Vector alpha = llt.solve(centred);
  const double log_det = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
  const double value = -0.5 * centred.dot(alpha) - 0.5 * log_det - 0.5 * n * kLog2Pi;
  if (gradient) {
    // d lml / d theta_j = 0.5 tr((alpha alpha^T - K^-1) dK/dtheta_j)   (R&W eq. 5.9)
    Matrix W = llt.solve(Matrix::Identity(n, n));
    W = alpha * alpha.transpose() - W;
    gradient->setZero(d + 2);
    std::vector<double> g(static_cast<size_t>(d + 1));
    for (int a = 0; a < n; ++a) {
      for (int b = 0; b <= a; ++b) {
        kernel->gradient_params(X.row(a).data(), X.row(b).data(), g.data());
        const double weight = a == b ? 0.5 * W(a, a) : W(a, b);  // symmetric: off-diagonal pairs count twice
        for (int j = 0; j <= d; ++j) (*gradient)[j] += weight * g[static_cast<size_t>(j)];
      }
    }
    (*gradient)[d + 1] = model.fixed_noise_ ? 0.0 : 0.5 * noise * W.trace();
  }
  return value;
}

double GaussianProcess::log_marginal_likelihood(const Vector& theta, Vector* gradient) const {
  require(theta.size() == dim() + 2, "theta", "expected " + std::to_string(dim() + 2) + " values");
  require(theta.allFinite(), "theta", "contains NaN or inf");
  if (n_ == 0) {
    if (gradient) gradient->setZero(dim() + 2);
    return 0.0;
  }
  return fit_objective(*this, X_.topRows(n_), standardized_targets(), extra_.head(n_), theta, gradient);
}

double GaussianProcess::log_prior(const Vector& theta, Vector* gradient) const {
  const int d = dim();
  require(theta.size() == d + 2, "theta", "expected " + std::to_string(d + 2) + " values");
  if (gradient) gradient->setZero(d + 2);
  const LogCoshPrior length_prior = length_scale_prior(d);
  double total = 0.0;
  double g = 0.0;
  for (int j = 0; j < d; ++j) {
    total += length_prior.log_density(theta[j], &g);
    if (gradient) (*gradient)[j] = g;
  }
  total += kSignalPrior.log_density(theta[d], &g);
  if (gradient) (*gradient)[d] = g;
  if (!fixed_noise_) {
    total += kNoisePrior.log_density(theta[d + 1], &g);
    if (gradient) (*gradient)[d + 1] = g;
  }
  return total;
}

FitResult GaussianProcess::fit(const FitOptions& options) {
  require(options.restarts >= 0, "restarts", "must be non-negative");
  require(options.max_iterations > 0, "max_iterations", "must be positive");
  require(options.max_points > 1, "max_points", "must be at least 2");
  const int d = dim();
  FitResult best;
  best.theta = log_params();
  if (n_ < 2) {
    best.log_likelihood = log_marginal_likelihood() + log_prior(best.theta, nullptr);
    return best;
  }
  Random random(options.seed ^ (0x5851F42D4C957F2DULL * static_cast<std::uint64_t>(n_)));

  // The points to fit on: all of them, or a seeded random subset.
  std::vector<int> index(static_cast<size_t>(n_));
  std::iota(index.begin(), index.end(), 0);
  const int m = std::min(n_, options.max_points);
  for (int i = 0; i < m && m < n_; ++i) std::swap(index[static_cast<size_t>(i)], index[static_cast<size_t>(i + random.integer(n_ - i))]);
  RowMatrix X(m, d);
  Vector ys(m), extra(m);
  const Vector all_ys = standardized_targets();
  for (int i = 0; i < m; ++i) {
    X.row(i) = X_.row(index[static_cast<size_t>(i)]);
    ys[i] = all_ys[index[static_cast<size_t>(i)]];
    extra[i] = extra_[index[static_cast<size_t>(i)]];
  }

  const auto [lower, upper] = log_param_bounds();
  std::vector<Vector> starts{log_params().cwiseMax(lower).cwiseMin(upper)};
  const LogCoshPrior length_prior = length_scale_prior(d);
  for (int r = 0; r < options.restarts; ++r) {
    Vector start(d + 2);
    for (int j = 0; j < d; ++j) start[j] = length_prior.centre + 0.5 * random.normal();
    start[d] = kSignalPrior.mean + 0.5 * random.normal();
    start[d + 1] = std::log(1e-3) + random.normal();
    starts.push_back(start.cwiseMax(lower).cwiseMin(upper));
  }

  std::vector<BoxMinimizerResult> results(starts.size());
  BoxMinimizerOptions minimizer;
  minimizer.max_iterations = options.max_iterations;
  minimizer.gradient_tolerance = 1e-5;
  minimizer.relative_tolerance = 1e-8;
  const Objective objective = [&](const Vector& theta, Vector& gradient) {
    Vector prior_gradient;
    double value;
    try {
      value = fit_objective(*this, X, ys, extra, theta, &gradient) + log_prior(theta, &prior_gradient);
    } catch (const LinAlgError&) {
      gradient.setZero(theta.size());
      return std::numeric_limits<double>::infinity();
    }
    gradient = -(gradient + prior_gradient);
    return -value;
  };
  parallel_blocks(static_cast<long>(starts.size()), resolve_threads(options.threads), 1, [&](long begin, long end) {
    for (long s = begin; s < end; ++s) {
      results[static_cast<size_t>(s)] = minimize_in_box(objective, starts[static_cast<size_t>(s)], lower, upper, minimizer);
    }
  });

  best.log_likelihood = -std::numeric_limits<double>::infinity();
  for (const auto& result : results) {
    best.evaluations += result.evaluations;
    if (std::isfinite(result.value) && -result.value > best.log_likelihood) {
      best.log_likelihood = -result.value;
      best.theta = result.x;
    }
  }
  if (!std::isfinite(best.log_likelihood)) {
    throw LinAlgError("hyper-parameter fit failed: the likelihood is not finite at any start");
  }
  set_log_params(best.theta);
  fitted_size_ = n_;
  fitted_lml_per_point_ = log_marginal_likelihood() / n_;
  return best;
}

bool GaussianProcess::should_refit(const RefitPolicy& policy) const {
  if (n_ < 2) return false;
  if (fitted_size_ < 0) return true;
  const int every = policy.every > 0 ? policy.every : (n_ <= 32 ? 1 : (n_ + 15) / 16);
  if (n_ - fitted_size_ >= every) return true;
  const double per_point = log_marginal_likelihood() / n_;
  return fitted_lml_per_point_ - per_point > policy.lml_drop;
}

bool GaussianProcess::maybe_refit(const RefitPolicy& policy, const FitOptions& options) {
  if (!should_refit(policy)) return false;
  fit(options);
  return true;
}

}  // namespace hypercore
