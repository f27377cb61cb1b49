#include "hypercore/kernel.hpp"

#include <cmath>
#include <utility>

#include "hypercore/errors.hpp"

namespace hypercore {

Kernel::Kernel(Space space)
    : space_(std::move(space)),
      log_params_(Vector::Zero(space_.size() + 1)),
      inverse_sq_length_(Vector::Ones(space_.size())) {
  bool categorical = false, other = false;
  for (const Dimension& dimension : space_.dimensions()) {
    (dimension.kind == DimensionKind::Categorical ? categorical : other) = true;
  }
  mixed_ = categorical && other;
}

void Kernel::set_log_params(const Vector& theta) {
  require(theta.size() == num_params(), "theta",
          "expected " + std::to_string(num_params()) + " values, got " + std::to_string(theta.size()));
  require(theta.allFinite(), "theta", "contains NaN or inf");
  log_params_ = theta;
  inverse_sq_length_ = (-2.0 * theta.head(dim()).array()).exp();
  signal_variance_ = std::exp(theta[dim()]);
}

void Kernel::split_sqdist(const double* a, const double* b, double& r2_x, double& r2_h) const {
  r2_x = 0.0;
  r2_h = 0.0;
  for (int j = 0; j < dim(); ++j) {
    if (space_[j].kind == DimensionKind::Categorical) {
      if (a[j] != b[j]) r2_h += inverse_sq_length_[j];
    } else {
      const double delta = a[j] - b[j];
      r2_x += delta * delta * inverse_sq_length_[j];
    }
  }
}

double Kernel::scaled_sqdist(const double* a, const double* b) const {
  // In a space of one sort one part is 0, so the sum is exactly the coordinate-ordered one of sqdist_block.
  double r2_x, r2_h;
  split_sqdist(a, b, r2_x, r2_h);
  return r2_x + r2_h;
}

double Kernel::mixed_value(double fx, double fh) const { return signal_variance_ * (fx + fh + fx * fh) / 3.0; }

double Kernel::operator()(const double* a, const double* b) const {
  if (!mixed_) return signal_variance_ * profile(scaled_sqdist(a, b));
  double r2_x, r2_h;
  split_sqdist(a, b, r2_x, r2_h);
  return mixed_value(profile(r2_x), profile(r2_h));
}

void Kernel::profile_in_place(Eigen::Ref<Eigen::ArrayXXd> r2) const {
  for (Eigen::Index j = 0; j < r2.cols(); ++j) {
    for (Eigen::Index i = 0; i < r2.rows(); ++i) r2(i, j) = profile(r2(i, j));
  }
}

void Kernel::sqdist_block(const ConstRowMatrixRef& A, const ConstRowMatrixRef& B, Eigen::Ref<Matrix> out,
                          bool continuous, bool categorical) const {
  // One coordinate at a time down contiguous columns (vectorized). The sum runs over coordinates in the same
  // order as scaled_sqdist, so it is the same.
  out.setZero();
  Eigen::ArrayXd column(A.rows());
  for (int j = 0; j < dim(); ++j) {
    const bool is_categorical = space_[j].kind == DimensionKind::Categorical;
    if (is_categorical ? !categorical : !continuous) continue;
    column = A.col(j).array();
    const double weight = inverse_sq_length_[j];
    for (Eigen::Index c = 0; c < B.rows(); ++c) {
      const double b = B(c, j);
      if (is_categorical) {
        out.col(c).array() += (column != b).cast<double>() * weight;
      } else {
        out.col(c).array() += (column - b).square() * weight;
      }
    }
  }
}

void Kernel::cross(const ConstRowMatrixRef& A, const ConstRowMatrixRef& B, Eigen::Ref<Matrix> out) const {
  // Distances first, then the profile over the whole block at once.
  if (!mixed_) {
    sqdist_block(A, B, out, true, true);
    profile_in_place(out.array());
    out *= signal_variance_;
    return;
  }
  Matrix categorical(A.rows(), B.rows());
  sqdist_block(A, B, out, true, false);
  sqdist_block(A, B, categorical, false, true);
  profile_in_place(out.array());
  profile_in_place(categorical.array());
  out.array() = (signal_variance_ / 3.0) * (out.array() + categorical.array() + out.array() * categorical.array());
}

void Kernel::gradient_x(const double* x, const ConstRowMatrixRef& B, RowMatrixRef out, double* values) const {
  for (Eigen::Index i = 0; i < B.rows(); ++i) {
    const double* b = B.row(i).data();
    // dk/dr2 of the continuous part: s2 f'(r2) plainly; s2 f'(r2_x) (1 + f(r2_h)) / 3 in a mixed space.
    double dk_dr2;
    if (mixed_) {
      double r2_x, r2_h;
      split_sqdist(x, b, r2_x, r2_h);
      const double fh = profile(r2_h);
      dk_dr2 = signal_variance_ * profile_derivative(r2_x) * (1.0 + fh) / 3.0;
      if (values) values[i] = mixed_value(profile(r2_x), fh);
    } else {
      const double r2 = scaled_sqdist(x, b);
      dk_dr2 = signal_variance_ * profile_derivative(r2);
      if (values) values[i] = signal_variance_ * profile(r2);
    }
    const double scale = 2.0 * dk_dr2;
    for (int j = 0; j < dim(); ++j) {
      out(i, j) = space_.is_continuous(j) ? scale * (x[j] - b[j]) * inverse_sq_length_[j] : 0.0;
    }
  }
}

void Kernel::gradient_params(const double* a, const double* b, double* out) const {
  // dk/dr2 of the coordinates' own part, and k itself (= dk / dlog s2).
  double dk_dr2_x, dk_dr2_h, k;
  if (mixed_) {
    double r2_x, r2_h;
    split_sqdist(a, b, r2_x, r2_h);
    const double fx = profile(r2_x), fh = profile(r2_h);
    dk_dr2_x = signal_variance_ * profile_derivative(r2_x) * (1.0 + fh) / 3.0;
    dk_dr2_h = signal_variance_ * profile_derivative(r2_h) * (1.0 + fx) / 3.0;
    k = mixed_value(fx, fh);
  } else {
    const double r2 = scaled_sqdist(a, b);
    dk_dr2_x = dk_dr2_h = signal_variance_ * profile_derivative(r2);
    k = signal_variance_ * profile(r2);
  }
  for (int j = 0; j < dim(); ++j) {
    double sq, dk_dr2;
    if (space_[j].kind == DimensionKind::Categorical) {
      sq = a[j] != b[j] ? 1.0 : 0.0;
      dk_dr2 = dk_dr2_h;
    } else {
      const double delta = a[j] - b[j];
      sq = delta * delta;
      dk_dr2 = dk_dr2_x;
    }
    // d r2 / d log l_j = -2 delta_j^2 / l_j^2
    out[j] = dk_dr2 * (-2.0 * sq * inverse_sq_length_[j]);
  }
  out[dim()] = k;
}

double RBFKernel::profile(double r2) const { return std::exp(-0.5 * r2); }

double RBFKernel::profile_derivative(double r2) const { return -0.5 * std::exp(-0.5 * r2); }

void RBFKernel::profile_in_place(Eigen::Ref<Eigen::ArrayXXd> r2) const { r2 = (-0.5 * r2).exp(); }

namespace {
constexpr double kSqrt5 = 2.23606797749978969641;
}

double Matern52Kernel::profile(double r2) const {
  const double r = std::sqrt(r2);
  return (1.0 + kSqrt5 * r + (5.0 / 3.0) * r2) * std::exp(-kSqrt5 * r);
}

double Matern52Kernel::profile_derivative(double r2) const {
  const double r = std::sqrt(r2);
  return -(5.0 / 6.0) * (1.0 + kSqrt5 * r) * std::exp(-kSqrt5 * r);
}

void Matern52Kernel::profile_in_place(Eigen::Ref<Eigen::ArrayXXd> r2) const {
  const Eigen::ArrayXXd r = r2.sqrt();
  r2 = (1.0 + kSqrt5 * r + (5.0 / 3.0) * r2) * (-kSqrt5 * r).exp();
}

std::unique_ptr<Kernel> make_kernel(const std::string& name, const Space& space) {
  if (name == "rbf") return std::make_unique<RBFKernel>(space);
  if (name == "matern52") return std::make_unique<Matern52Kernel>(space);
  throw std::invalid_argument("kernel: unknown kernel '" + name + "', expected 'rbf' or 'matern52'");
}

}  // namespace hypercore
