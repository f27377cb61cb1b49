// Acquisitions against closed forms computed here with std::erfc (double) and std::erfc (long double) far in
// the tail, the asymptotic series of log EI / log PI for very negative z, monotonicity and continuity of the
// stable branches, and the score derivatives against central finite differences.
#include <cmath>
#include <stdexcept>

#include "check.hpp"
#include "hypercore/acquisition.hpp"

using namespace hypercore;

namespace {

const double kPi = std::acos(-1.0);

double Phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }
double phi(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * kPi); }

// log Phi(z) and log h(z) = log(phi + z Phi) in long double: 64-bit mantissa and an exponent range that reaches
// z = -100 without underflow, so the cancellation in h costs z^2 * 1e-19, well below double precision.
long double log_Phi_long(long double z) { return std::log(0.5L * std::erfc(-z / std::sqrt(2.0L))); }
long double log_h_long(long double z) {
  const long double pdf = std::exp(-0.5L * z * z) / std::sqrt(2.0L * 3.14159265358979323846264338327950288L);
  return std::log(pdf + z * 0.5L * std::erfc(-z / std::sqrt(2.0L)));
}

// The asymptotic series for z -> -inf, summed here to 30 terms (at z <= -12.5 the last is below 1e-19):
//   Phi(z) = phi(z) / |z| sum_k (-1)^k (2k - 1)!! z^-2k,   h(z) = phi(z) / z^2 sum_k (-1)^k (2k + 1)!! z^-2k
double series(double z, bool for_h) {
  double total = 1.0, term = 1.0;
  for (int k = 1; k <= 30; ++k) {
    term *= -(2.0 * k + (for_h ? 1.0 : -1.0)) / (z * z);
    total += term;
  }
  return total;
}
double log_Phi_series(double z) {
  return -0.5 * z * z - 0.5 * std::log(2.0 * kPi) - std::log(-z) + std::log(series(z, false));
}
double log_h_series(double z) {
  return -0.5 * z * z - 0.5 * std::log(2.0 * kPi) - 2.0 * std::log(-z) + std::log(series(z, true));
}

}  // namespace

TEST(normal_functions_match_erfc_closed_forms) {
  for (double z = -8.0; z <= 8.0; z += 0.125) {
    CHECK_NEAR(normal_pdf(z), phi(z), 1e-15);
    CHECK_NEAR(normal_cdf(z), Phi(z), 1e-15);
    CHECK_NEAR(log_normal_cdf(z), std::log(Phi(z)), 1e-13);
    CHECK_NEAR(log_h(z), std::log(phi(z) + z * Phi(z)), 1e-12);
  }
}

TEST(acquisition_values_match_closed_forms) {
  for (double tau : {-1.0, 0.0, 0.7}) {
    for (double mu : {-2.0, -0.3, 0.0, 0.5, 1.9}) {
      for (double sigma : {1e-3, 0.2, 1.0, 3.0}) {
        const double z = (mu - tau) / sigma;
        CHECK_NEAR(Acquisition(AcquisitionKind::ProbabilityOfImprovement, tau, 2.0).value(mu, sigma), Phi(z), 1e-15);
        CHECK_NEAR(Acquisition(AcquisitionKind::ExpectedImprovement, tau, 2.0).value(mu, sigma),
                   sigma * (z * Phi(z) + phi(z)), 1e-14);
        CHECK_NEAR(Acquisition(AcquisitionKind::UpperConfidenceBound, tau, 1.5).value(mu, sigma), mu + 1.5 * sigma,
                   1e-15);
      }
    }
  }
}

TEST(scores_are_the_logs_of_the_values) {
  const Acquisition pi(AcquisitionKind::ProbabilityOfImprovement, 0.4, 2.0);
  const Acquisition ei(AcquisitionKind::ExpectedImprovement, 0.4, 2.0);
  const Acquisition ucb(AcquisitionKind::UpperConfidenceBound, 0.4, 2.5);
  double dmu, dsigma;
  for (double mu = -3.0; mu <= 3.0; mu += 0.25) {
    for (double sigma : {0.05, 0.3, 1.0}) {
      if ((mu - 0.4) / sigma < -20.0) continue;  // the values themselves underflow towards subnormals there
      CHECK_NEAR(pi.score(mu, sigma, &dmu, &dsigma), std::log(pi.value(mu, sigma)), 1e-12);
      CHECK_NEAR(ei.score(mu, sigma, &dmu, &dsigma), std::log(ei.value(mu, sigma)), 1e-10);
      CHECK_NEAR(ucb.score(mu, sigma, &dmu, &dsigma), mu + 2.5 * sigma, 1e-15);
    }
  }
}

TEST(log_ei_and_log_pi_match_long_double_references_in_the_tail) {
  for (double z = -60.0; z <= 6.0; z += 0.0625) {
    const double cdf = static_cast<double>(log_Phi_long(z));
    const double h = static_cast<double>(log_h_long(z));
    const double rounding = 1e-13 + 2e-15 * std::abs(h);  // a few ulps of values up to ~1800
    CHECK_ABS(log_normal_cdf(z), cdf, rounding);
    // The closed form of h = phi + z Phi cancels: the exp() inside phi and erfc carries ~z^2 / 2 ulps of
    // relative error, amplified z^2 times. The asymptotic branch (very negative z) has no such loss.
    CHECK_ABS(log_h(z), h, rounding + 1e-15 * z * z * (1.0 + 0.5 * z * z));
    if (z < -12.0) CHECK_ABS(log_h(z), h, rounding);
  }
}

TEST(log_ei_and_log_pi_match_the_asymptotic_series_for_very_negative_z) {
  for (double z : {-12.5, -20.0, -40.0, -60.0, -100.0, -1e3, -1e5, -1e8}) {
    CHECK(std::isfinite(log_h(z)) && std::isfinite(log_normal_cdf(z)));
    CHECK_NEAR(log_h(z), log_h_series(z), 1e-15);
    CHECK_NEAR(log_normal_cdf(z), log_Phi_series(z), 1e-15);
    // the derivative ratios follow the same series: d log Phi / dz ~ -z / S_cdf, d log h / dz ~ -z S_cdf / S_h
    CHECK_NEAR(inverse_mills_ratio(z), -z / series(z, false), 1e-13);
    CHECK_NEAR(cdf_over_h(z), -z * series(z, false) / series(z, true), 1e-13);
  }
}

TEST(log_ei_and_log_pi_are_finite_and_increasing_everywhere) {
  double previous_h = -INFINITY, previous_cdf = -INFINITY;
  for (double z = -200.0; z <= 10.0; z += 1e-3) {
    const double h = log_h(z);
    const double cdf = log_normal_cdf(z);
    CHECK(std::isfinite(h) && std::isfinite(cdf));
    if (!(h > previous_h) || !(cdf >= previous_cdf)) {
      check::fail(__FILE__, __LINE__, "not increasing at z = " + std::to_string(z));
      break;
    }
    previous_h = h;
    previous_cdf = cdf;
  }
  // the branches join without a step where the formula switches: across the switch the change is the slope
  // times the step, to rounding
  for (double z0 : {-12.0, 5.0}) {
    const double step = 1e-9;
    CHECK_ABS(log_h(z0 + step) - log_h(z0 - step), 2.0 * step * cdf_over_h(z0), 5e-12);
    CHECK_ABS(log_normal_cdf(z0 + step) - log_normal_cdf(z0 - step), 2.0 * step * inverse_mills_ratio(z0), 5e-12);
  }
}

TEST(derivative_ratios_match_central_differences_of_the_logs) {
  for (double z : {-300.0, -40.0, -12.5, -11.5, -10.0, -3.0, -0.5, 0.0, 1.0, 4.9, 5.1, 9.0}) {
    const double h = 1e-6 * std::max(1.0, std::abs(z));
    CHECK_NEAR(inverse_mills_ratio(z), (log_normal_cdf(z + h) - log_normal_cdf(z - h)) / (2.0 * h), 1e-6);
    CHECK_NEAR(cdf_over_h(z), (log_h(z + h) - log_h(z - h)) / (2.0 * h), 1e-6);
  }
}

TEST(score_gradients_match_central_differences) {
  for (AcquisitionKind kind : {AcquisitionKind::ProbabilityOfImprovement, AcquisitionKind::ExpectedImprovement,
                               AcquisitionKind::UpperConfidenceBound}) {
    const Acquisition acquisition(kind, 0.8, 1.7);
    for (double mu : {-40.0, -5.0, -1.0, 0.0, 0.8, 1.5, 4.0}) {
      for (double sigma : {0.1, 0.5, 2.0}) {
        double dmu, dsigma, ignored_mu, ignored_sigma;
        acquisition.score(mu, sigma, &dmu, &dsigma);
        auto score = [&](double m, double s) { return acquisition.score(m, s, &ignored_mu, &ignored_sigma); };
        const double h = 1e-6;
        const double numeric_mu = (score(mu + h, sigma) - score(mu - h, sigma)) / (2.0 * h);
        const double numeric_sigma = (score(mu, sigma + h * sigma) - score(mu, sigma - h * sigma)) / (2.0 * h * sigma);
        CHECK_NEAR(dmu, numeric_mu, 1e-5);
        CHECK_NEAR(dsigma, numeric_sigma, 1e-5);
      }
    }
  }
}

TEST(ucb_beta_follows_the_formula) {
  for (int d : {1, 3, 10}) {
    for (int n : {1, 5, 100}) {
      for (double delta : {0.01, 0.1, 0.5}) {
        CHECK_NEAR(ucb_beta(d, n, delta), std::sqrt(2.0 * std::log(d * double(n) * n * kPi * kPi / (6.0 * delta))),
                   1e-14);
      }
    }
  }
  CHECK(ucb_beta(2, 0, 0.1) == ucb_beta(2, 1, 0.1));  // n is at least 1
  CHECK_THROWS(ucb_beta(0, 5, 0.1), std::invalid_argument);
  CHECK_THROWS(ucb_beta(2, 5, 0.0), std::invalid_argument);
  CHECK_THROWS(ucb_beta(2, 5, 1.0), std::invalid_argument);
}

TEST(bad_acquisition_parameters_are_refused) {
  CHECK_THROWS(Acquisition(AcquisitionKind::ExpectedImprovement, NAN, 1.0), std::invalid_argument);
  CHECK_THROWS(Acquisition(AcquisitionKind::UpperConfidenceBound, 0.0, -1.0), std::invalid_argument);
  CHECK_THROWS(Acquisition(AcquisitionKind::UpperConfidenceBound, 0.0, INFINITY), std::invalid_argument);
}

int main() { return check::run_all(); }
