// Kernels and the space: matrices against closed forms at known distances, symmetry and positive
// semi-definiteness, the categorical Hamming distance and the sum-and-product kernel of mixed spaces, integer
// bin centres, and both gradients against central finite differences.
#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

#include "check.hpp"
#include "hypercore/kernel.hpp"
#include "hypercore/quasi_random.hpp"

using namespace hypercore;

namespace {

const double kSqrt5 = std::sqrt(5.0);

Space mixed_space() {
  return Space({{DimensionKind::Continuous, 0},
                {DimensionKind::Integer, 5},
                {DimensionKind::Categorical, 4},
                {DimensionKind::Continuous, 0}});
}

Vector theta_of(std::initializer_list<double> length_scales, double signal_variance) {
  Vector theta(static_cast<Eigen::Index>(length_scales.size()) + 1);
  Eigen::Index j = 0;
  for (double l : length_scales) theta[j++] = std::log(l);
  theta[j] = std::log(signal_variance);
  return theta;
}

// Random canonical points of a space: uniform coordinates moved to their bin centres.
RowMatrix random_points(const Space& space, int n, std::uint64_t seed) {
  Random random(seed);
  RowMatrix X(n, space.size());
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < space.size(); ++j) X(i, j) = random.uniform();
    space.canonicalize(X.row(i).data());
  }
  return X;
}

std::unique_ptr<Kernel> kernel_with(const std::string& name, const Space& space, const Vector& theta) {
  auto kernel = make_kernel(name, space);
  kernel->set_log_params(theta);
  return kernel;
}

}  // namespace

TEST(rbf_matches_closed_form_at_known_distances) {
  const auto kernel = kernel_with("rbf", Space(2), theta_of({0.5, 2.0}, 1.7));
  const double a[2] = {0.0, 0.0};
  const double b[2] = {0.3, 0.4};
  // r2 = 0.3^2 / 0.5^2 + 0.4^2 / 2^2 = 0.36 + 0.04
  CHECK_NEAR(kernel->scaled_sqdist(a, b), 0.4, 1e-15);
  CHECK_NEAR((*kernel)(a, b), 1.7 * std::exp(-0.2), 1e-15);
  CHECK_NEAR((*kernel)(a, a), 1.7, 1e-15);
}

TEST(matern52_matches_closed_form_at_known_distances) {
  const auto kernel = kernel_with("matern52", Space(1), theta_of({0.25}, 0.6));
  for (double distance : {0.0, 0.01, 0.1, 0.25, 0.5, 1.0}) {
    const double a[1] = {0.0};
    const double b[1] = {distance};
    const double r = distance / 0.25;
    const double expected = 0.6 * (1.0 + kSqrt5 * r + 5.0 * r * r / 3.0) * std::exp(-kSqrt5 * r);
    CHECK_NEAR((*kernel)(a, b), expected, 1e-14);
  }
}

TEST(kernel_matrices_are_symmetric_and_positive_semidefinite) {
  const Space space = mixed_space();
  const RowMatrix X = random_points(space, 60, 3);
  for (const char* name : {"rbf", "matern52"}) {
    const auto kernel = kernel_with(name, space, theta_of({0.3, 0.7, 1.5, 0.2}, 2.5));
    Matrix K(60, 60);
    kernel->cross(X, X, K);
    // symmetric to rounding: a vectorized block and its scalar tail may round the same pair differently
    CHECK((K - K.transpose()).cwiseAbs().maxCoeff() <= 4 * std::numeric_limits<double>::epsilon() * 2.5);
    CHECK((K.diagonal().array() == 2.5).all());
    const Eigen::SelfAdjointEigenSolver<Matrix> eigen(K);
    CHECK(eigen.eigenvalues().minCoeff() > -1e-12 * 2.5 * 60);
    // cross() of two different sets (a vectorized profile) agrees with the pointwise kernel to rounding
    const RowMatrix Y = random_points(space, 7, 4);
    Matrix C(60, 7);
    kernel->cross(X, Y, C);
    for (int i = 0; i < 60; i += 13) {
      for (int j = 0; j < 7; ++j) CHECK_NEAR(C(i, j), (*kernel)(X.row(i).data(), Y.row(j).data()), 1e-14);
    }
  }
}

TEST(categorical_coordinates_use_the_hamming_distance) {
  const Space space({{DimensionKind::Categorical, 4}, {DimensionKind::Continuous, 0}});
  const auto kernel = kernel_with("rbf", space, theta_of({0.5, 1.0}, 1.0));
  const double level0[2] = {space.canonical(0, 0.1), 0.2};
  const double level1[2] = {space.canonical(0, 0.3), 0.2};
  const double level3[2] = {space.canonical(0, 0.9), 0.2};
  // Every other category is at the same distance 1 / l^2, however far apart their bin centres are.
  CHECK_NEAR(kernel->scaled_sqdist(level0, level1), 1.0 / 0.25, 1e-15);
  CHECK_NEAR(kernel->scaled_sqdist(level0, level3), 1.0 / 0.25, 1e-15);
  CHECK_NEAR(kernel->scaled_sqdist(level0, level0), 0.0, 0.0);
  // A mixed space: (f(r2_x) + f(r2_h) + f(r2_x) f(r2_h)) / 3 with r2_x = 0 and r2_h = 4.
  CHECK_NEAR((*kernel)(level0, level3), (1.0 + 2.0 * std::exp(-2.0)) / 3.0, 1e-15);
}

TEST(mixed_spaces_get_the_sum_and_product_kernel_and_one_sort_spaces_the_plain_one) {
  const Space mixed = mixed_space();  // continuous, integer, categorical, continuous
  const Space categories({{DimensionKind::Categorical, 4}, {DimensionKind::Categorical, 3}});
  const Space numbers({{DimensionKind::Continuous, 0}, {DimensionKind::Integer, 5}});
  const double s2 = 1.8;
  for (const char* name : {"rbf", "matern52"}) {
    const auto kernel = kernel_with(name, mixed, theta_of({0.3, 0.7, 1.5, 0.4}, s2));
    CHECK(kernel->mixed());
    const RowMatrix X = random_points(mixed, 12, 5);
    Matrix K(12, 12);
    kernel->cross(X, X, K);
    for (int a = 0; a < 12; ++a) {
      for (int b = 0; b < 12; ++b) {
        const double* x = X.row(a).data();
        const double* y = X.row(b).data();
        const double r2_x = std::pow((x[0] - y[0]) / 0.3, 2) + std::pow((x[1] - y[1]) / 0.7, 2) +
                            std::pow((x[3] - y[3]) / 0.4, 2);
        const double r2_h = x[2] != y[2] ? 1.0 / (1.5 * 1.5) : 0.0;
        const double fx = kernel->profile(r2_x), fh = kernel->profile(r2_h);
        const double expected = s2 * (fx + fh + fx * fh) / 3.0;
        CHECK_NEAR((*kernel)(x, y), expected, 1e-14);
        CHECK_NEAR(K(a, b), expected, 1e-14);
      }
    }
    CHECK_NEAR((*kernel)(X.row(0).data(), X.row(0).data()), s2, 1e-15);
    for (const Space* plain : {&categories, &numbers}) {
      const auto one_sort = kernel_with(name, *plain, theta_of({0.5, 0.9}, s2));
      CHECK(!one_sort->mixed());
      const RowMatrix P = random_points(*plain, 2, 6);
      const double r2 = one_sort->scaled_sqdist(P.row(0).data(), P.row(1).data());
      CHECK_NEAR((*one_sort)(P.row(0).data(), P.row(1).data()), s2 * one_sort->profile(r2), 1e-15);
    }
  }
}

TEST(integer_coordinates_sit_at_bin_centres_and_keep_their_order) {
  const Space space({{DimensionKind::Integer, 5}});
  // level min(floor(u k), k - 1), canonical value (level + 0.5) / k
  CHECK(space.level(0, 0.0) == 0);
  CHECK(space.level(0, 0.199) == 0);
  CHECK(space.level(0, 0.2) == 1);
  CHECK(space.level(0, 1.0) == 4);
  CHECK(space.level(0, 1.7) == 4);
  CHECK(space.level(0, -0.3) == 0);
  CHECK_NEAR(space.canonical(0, 0.45), 0.5, 0.0);
  CHECK_NEAR(space.canonical(0, 1.0), 0.9, 1e-16);
  CHECK_NEAR(space.canonical(0, 0.05), 0.1, 1e-16);
  // canonicalizing twice changes nothing
  for (double u = 0.0; u <= 1.0; u += 0.01) CHECK(space.canonical(0, space.canonical(0, u)) == space.canonical(0, u));
  // integers are ordered: levels 0 and 4 are farther apart than 0 and 1
  const auto kernel = kernel_with("matern52", space, theta_of({0.3}, 1.0));
  const double a[1] = {space.canonical(0, 0.0)};
  const double b[1] = {space.canonical(0, 0.25)};
  const double c[1] = {space.canonical(0, 0.95)};
  CHECK_NEAR(kernel->scaled_sqdist(a, b), 0.2 * 0.2 / 0.09, 1e-14);
  CHECK_NEAR(kernel->scaled_sqdist(a, c), 0.8 * 0.8 / 0.09, 1e-14);
}

TEST(continuous_coordinates_are_clipped_to_the_unit_interval) {
  const Space space(2);
  double x[2] = {-0.5, 1.25};
  space.canonicalize(x);
  CHECK(x[0] == 0.0 && x[1] == 1.0);
}

TEST(gradient_x_matches_central_differences) {
  const Space space = mixed_space();
  const RowMatrix B = random_points(space, 12, 5);
  const RowMatrix points = random_points(space, 6, 6);
  for (const char* name : {"rbf", "matern52"}) {
    const auto kernel = kernel_with(name, space, theta_of({0.3, 0.7, 1.5, 0.2}, 2.5));
    for (int p = 0; p < points.rows(); ++p) {
      const Vector x = points.row(p).transpose();
      RowMatrix gradient(B.rows(), space.size());
      kernel->gradient_x(x.data(), B, gradient);
      for (int i = 0; i < B.rows(); ++i) {
        const double* b = B.row(i).data();
        const Vector numeric =
            check::central_difference([&](const Vector& z) { return (*kernel)(z.data(), b); }, x, 1e-6);
        for (int j = 0; j < space.size(); ++j) {
          if (space.is_continuous(j)) {
            CHECK_NEAR(gradient(i, j), numeric[j], 1e-7);
          } else {
            CHECK(gradient(i, j) == 0.0);
          }
        }
      }
    }
  }
}

TEST(gradient_params_matches_central_differences) {
  const Space space = mixed_space();
  const RowMatrix A = random_points(space, 8, 7);
  for (const char* name : {"rbf", "matern52"}) {
    const Vector theta = theta_of({0.3, 0.7, 1.5, 0.2}, 2.5);
    const auto kernel = kernel_with(name, space, theta);
    const auto probe = make_kernel(name, space);
    for (int a = 0; a < A.rows(); ++a) {
      for (int b = 0; b < A.rows(); ++b) {
        Vector gradient(kernel->num_params());
        kernel->gradient_params(A.row(a).data(), A.row(b).data(), gradient.data());
        const Vector numeric = check::central_difference(
            [&](const Vector& t) {
              probe->set_log_params(t);
              return (*probe)(A.row(a).data(), A.row(b).data());
            },
            theta, 1e-6);
        for (int j = 0; j < kernel->num_params(); ++j) CHECK_NEAR(gradient[j], numeric[j], 1e-7);
      }
    }
  }
}

TEST(profiles_start_at_one_and_derivatives_match_differences) {
  for (const char* name : {"rbf", "matern52"}) {
    const auto kernel = make_kernel(name, Space(1));
    CHECK(kernel->profile(0.0) == 1.0);
    for (double r2 : {1e-4, 0.1, 1.0, 4.0, 30.0}) {
      const double h = 1e-7 * std::max(1.0, r2);
      const double numeric = (kernel->profile(r2 + h) - kernel->profile(r2 - h)) / (2.0 * h);
      CHECK_NEAR(kernel->profile_derivative(r2), numeric, 1e-7);
    }
  }
}

TEST(bad_kernel_arguments_are_refused) {
  CHECK_THROWS(make_kernel("linear", Space(2)), std::invalid_argument);
  const auto kernel = make_kernel("rbf", Space(2));
  CHECK_THROWS(kernel->set_log_params(Vector::Zero(2)), std::invalid_argument);
  Vector theta = Vector::Zero(3);
  theta[1] = std::nan("");
  CHECK_THROWS(kernel->set_log_params(theta), std::invalid_argument);
  CHECK_THROWS(Space({{DimensionKind::Integer, 0}}), std::invalid_argument);
  CHECK_THROWS(Space(-1), std::invalid_argument);
}

int main() { return check::run_all(); }
