// Stationary ARD kernels over the unit cube, with r2 = sum_j delta_j(a, b)^2 / l_j^2.
//
// Notation (shapes in brackets):
//   d        number of coordinates;  l [d] length scales;  s2 signal variance
//   theta    [d + 1] hyper-parameters in log space: (log l_1 .. log l_d, log s2)
//   delta_j  a_j - b_j for continuous and integer coordinates, [a_j != b_j] for categorical ones
//   f        the kernel's profile, a function of r2 alone; a new kernel is one subclass defining f and df/dr2.
//   r2_x     the part of r2 from continuous and integer coordinates;  r2_h the part from categorical ones
//
// A space whose coordinates are all of one sort (no categories, or only categories) gets k = s2 f(r2). A mixed
// space gets the sum-and-product kernel k = s2 (f(r2_x) + f(r2_h) + f(r2_x) f(r2_h)) / 3 (Ru et al., CoCaBO,
// ICML 2020; BoTorch's MixedSingleTaskGP): the sums let what is learned about the continuous coordinates in
// one category carry over to the others, and a category's offset be learned from all its points; the product
// keeps the interactions. Its diagonal is s2, as for the plain kernel.
#pragma once

#include <memory>
#include <string>

#include "hypercore/space.hpp"
#include "hypercore/types.hpp"

namespace hypercore {

class Kernel {
 public:
  explicit Kernel(Space space);
  virtual ~Kernel() = default;

  virtual std::unique_ptr<Kernel> clone() const = 0;
  virtual std::string name() const = 0;
  /// The profile f(r2); f(0) = 1.
  virtual double profile(double r2) const = 0;
  /// df/dr2.
  virtual double profile_derivative(double r2) const = 0;
  /// Replaces every r2 of a block by f(r2); kernels override it with a vectorized form.
  virtual void profile_in_place(Eigen::Ref<Eigen::ArrayXXd> r2) const;

  const Space& space() const { return space_; }
  int dim() const { return space_.size(); }
  int num_params() const { return dim() + 1; }
  /// theta [d + 1]: log length scales then log signal variance.
  const Vector& log_params() const { return log_params_; }
  void set_log_params(const Vector& theta);
  double signal_variance() const { return signal_variance_; }

  /// Whether the space mixes categorical with continuous or integer coordinates (the sum-and-product kernel).
  bool mixed() const { return mixed_; }
  /// r2 between points a [d] and b [d].
  double scaled_sqdist(const double* a, const double* b) const;
  double operator()(const double* a, const double* b) const;

  /// out (n1, n2) = k(A_i, B_j) for A (n1, d), B (n2, d).
  void cross(const ConstRowMatrixRef& A, const ConstRowMatrixRef& B, Eigen::Ref<Matrix> out) const;
  /// out (n, d): d k(x, B_i) / d x for x [d], B (n, d); zero columns for discrete coordinates. With `values`,
  /// also k(x, B_i) into values [n], from the same distances (the caller needs both, as the posterior does).
  void gradient_x(const double* x, const ConstRowMatrixRef& B, RowMatrixRef out, double* values = nullptr) const;
  /// out [d + 1]: d k(a, b) / d theta.
  void gradient_params(const double* a, const double* b, double* out) const;

 protected:
  /// s2 (fx + fh + fx fh) / 3: the mixed kernel from its two profiles.
  double mixed_value(double fx, double fh) const;
  /// r2_x and r2_h between a [d] and b [d].
  void split_sqdist(const double* a, const double* b, double& r2_x, double& r2_h) const;
  /// out (n1, n2) = r2 (or with `categorical`, r2_h; without, r2_x) between the rows of A and B.
  void sqdist_block(const ConstRowMatrixRef& A, const ConstRowMatrixRef& B, Eigen::Ref<Matrix> out,
                    bool continuous, bool categorical) const;

  Space space_;
  bool mixed_ = false;
  Vector log_params_;
  Vector inverse_sq_length_;  ///< 1 / l_j^2
  double signal_variance_ = 1.0;
};

/// Squared exponential: f(r2) = exp(-r2 / 2). The original hyperengine's default.
class RBFKernel final : public Kernel {
 public:
  using Kernel::Kernel;
  std::unique_ptr<Kernel> clone() const override { return std::make_unique<RBFKernel>(*this); }
  void profile_in_place(Eigen::Ref<Eigen::ArrayXXd> r2) const override;
  std::string name() const override { return "rbf"; }
  double profile(double r2) const override;
  double profile_derivative(double r2) const override;
};

/// Matern 5/2: f(r) = (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r) (Rasmussen & Williams 2006, eq. 4.17).
class Matern52Kernel final : public Kernel {
 public:
  using Kernel::Kernel;
  std::unique_ptr<Kernel> clone() const override { return std::make_unique<Matern52Kernel>(*this); }
  void profile_in_place(Eigen::Ref<Eigen::ArrayXXd> r2) const override;
  std::string name() const override { return "matern52"; }
  double profile(double r2) const override;
  double profile_derivative(double r2) const override;
};

/// "rbf" or "matern52"; throws std::invalid_argument for another name.
std::unique_ptr<Kernel> make_kernel(const std::string& name, const Space& space);

}  // namespace hypercore
