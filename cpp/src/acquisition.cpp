#include "hypercore/acquisition.hpp"

#include <cmath>
#include <string>

#include "hypercore/errors.hpp"

namespace hypercore {

namespace {
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kLogSqrt2Pi = 0.91893853320467274178;
constexpr double kPi = 3.14159265358979323846;
// Below this z the closed forms lose accuracy (erfc underflows near -38; h(z) = phi + z Phi cancels, costing
// about z^4 / 2 ulps since the exp() inside phi and erfc carries z^2 / 2 ulps of relative error, amplified z^2
// times), so the asymptotic series Phi(z) = phi(z)/|z| (1 - 1/z^2 + 3/z^4 - ...) is used instead. Its k-th term
// is (2k -+ 1)!! / z^2k; at z = -12 the term after the sixteenth is below 2e-16, so sixteen terms are exact to
// double precision there, where the closed form is still good to ~1e-12 (at -25 with four terms the series
// and the closed form were both off by 1e-10, a visible step in log EI where the branches met).
constexpr double kAsymptotic = -12.0;
constexpr int kSeriesTerms = 16;

// sum_k (-1)^k c_k / z^2k, c_k = prod_{i=1..k} (2i + offset): offset -1 gives (2k - 1)!!, offset +1 (2k + 1)!!.
double alternating_series(double z, double offset) {
  const double t = 1.0 / (z * z);
  double term = 1.0, total = 1.0;
  for (int k = 1; k <= kSeriesTerms; ++k) {
    term *= -(2.0 * k + offset) * t;
    total += term;
  }
  return total;
}
// 1 - 1/z^2 + 3/z^4 - 15/z^6 + ...: Phi(z) = phi(z) / |z| * series_cdf(z)
double series_cdf(double z) { return alternating_series(z, -1.0); }
// 1 - 3/z^2 + 15/z^4 - 105/z^6 + ...: h(z) = phi(z) / z^2 * series_h(z)
double series_h(double z) { return alternating_series(z, 1.0); }
}  // namespace

double normal_pdf(double z) { return kInvSqrt2Pi * std::exp(-0.5 * z * z); }

double normal_cdf(double z) { return 0.5 * std::erfc(-z * kInvSqrt2); }

double log_normal_cdf(double z) {
  if (z < kAsymptotic) return -0.5 * z * z - kLogSqrt2Pi - std::log(-z) + std::log(series_cdf(z));
  if (z > 5.0) return std::log1p(-0.5 * std::erfc(z * kInvSqrt2));
  return std::log(normal_cdf(z));
}

double log_h(double z) {
  if (z < kAsymptotic) return -0.5 * z * z - kLogSqrt2Pi - 2.0 * std::log(-z) + std::log(series_h(z));
  return std::log(normal_pdf(z) + z * normal_cdf(z));
}

double inverse_mills_ratio(double z) {
  if (z < kAsymptotic) return -z / series_cdf(z);
  return normal_pdf(z) / normal_cdf(z);
}

double cdf_over_h(double z) {
  if (z < kAsymptotic) return -z * series_cdf(z) / series_h(z);
  return normal_cdf(z) / (normal_pdf(z) + z * normal_cdf(z));
}

double ucb_beta(int dim, int n, double delta) {
  require(dim >= 1, "dim", "must be at least 1");
  require(delta > 0.0 && delta < 1.0, "delta", "must be in (0, 1), got " + std::to_string(delta));
  const double count = std::max(1, n);
  const double argument = dim * count * count * kPi * kPi / (6.0 * delta);
  return std::sqrt(2.0 * std::log(std::max(argument, 1.0)));
}

Acquisition::Acquisition(AcquisitionKind kind, double threshold, double beta)
    : kind_(kind), threshold_(threshold), beta_(beta) {
  require(std::isfinite(threshold), "threshold", "must be finite");
  require(std::isfinite(beta) && beta >= 0.0, "beta", "must be finite and non-negative");
}

double Acquisition::value(double mu, double sigma) const {
  const double z = (mu - threshold_) / sigma;
  switch (kind_) {
    case AcquisitionKind::ProbabilityOfImprovement:
      return normal_cdf(z);
    case AcquisitionKind::ExpectedImprovement:
      return sigma * (normal_pdf(z) + z * normal_cdf(z));
    case AcquisitionKind::UpperConfidenceBound:
      return mu + beta_ * sigma;
  }
  return 0.0;
}

double Acquisition::score(double mu, double sigma, double* dmu, double* dsigma) const {
  const double z = (mu - threshold_) / sigma;
  switch (kind_) {
    case AcquisitionKind::ProbabilityOfImprovement: {
      const double ratio = inverse_mills_ratio(z);  // d log Phi / dz
      *dmu = ratio / sigma;
      *dsigma = -ratio * z / sigma;
      return log_normal_cdf(z);
    }
    case AcquisitionKind::ExpectedImprovement: {
      const double ratio = cdf_over_h(z);  // d log h / dz
      *dmu = ratio / sigma;
      *dsigma = (1.0 - ratio * z) / sigma;
      return std::log(sigma) + log_h(z);
    }
    case AcquisitionKind::UpperConfidenceBound:
      *dmu = 1.0;
      *dsigma = beta_;
      return mu + beta_ * sigma;
  }
  return 0.0;
}

double Acquisition::score_bound(double mu, double sigma_max) const {
  if (kind_ == AcquisitionKind::ProbabilityOfImprovement && mu >= threshold_) return 0.0;
  double dmu, dsigma;
  return score(mu, sigma_max, &dmu, &dsigma);
}

}  // namespace hypercore
