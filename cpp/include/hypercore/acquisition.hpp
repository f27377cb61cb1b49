// Acquisition functions for maximization, on the standardized posterior N(mu, sigma^2) of the latent function.
//
//   z = (mu - tau) / sigma, tau = incumbent + epsilon (the improvement threshold)
//   PI  = Phi(z)                                  (Kushner 1964)
//   EI  = sigma (z Phi(z) + phi(z)) = sigma h(z)  (Mockus, Tiesis & Zilinskas 1978)
//   UCB = mu + beta sigma, beta = sqrt(2 log(d n^2 pi^2 / (6 delta)))  (Srinivas et al. 2010)
// The optimizer maximizes a score: log PI and log EI (same maximizer, but finite and smooth far from the
// incumbent, where PI and EI underflow; Ament et al., NeurIPS 2023) and UCB itself.
#pragma once

namespace hypercore {

enum class AcquisitionKind { ProbabilityOfImprovement, ExpectedImprovement, UpperConfidenceBound };

/// Standard normal density, CDF, log CDF and log h(z) = log(z Phi(z) + phi(z)), stable for very negative z.
double normal_pdf(double z);
double normal_cdf(double z);
double log_normal_cdf(double z);
double log_h(double z);
/// phi(z) / Phi(z) and Phi(z) / h(z), the derivatives of log Phi and log h, stable for very negative z.
double inverse_mills_ratio(double z);
double cdf_over_h(double z);

/// The UCB exploration weight of the original hyperengine: sqrt(2 log(d n^2 pi^2 / (6 delta))), n >= 1.
double ucb_beta(int dim, int n, double delta);

class Acquisition {
 public:
  /// threshold: tau for PI/EI (standardized); beta: the UCB weight.
  Acquisition(AcquisitionKind kind, double threshold, double beta);

  AcquisitionKind kind() const { return kind_; }
  /// The acquisition value itself (PI, EI or UCB).
  double value(double mu, double sigma) const;
  /// The score maximized by the optimizer (log PI, log EI, UCB) with d/dmu and d/dsigma.
  double score(double mu, double sigma, double* dmu, double* dsigma) const;
  /// The largest score at mean mu over every sigma in (0, sigma_max]: EI and UCB grow with sigma; PI does
  /// below the threshold and is highest at sigma -> 0 (log PI -> 0) above it.
  double score_bound(double mu, double sigma_max) const;

 private:
  AcquisitionKind kind_;
  double threshold_;
  double beta_;
};

}  // namespace hypercore
