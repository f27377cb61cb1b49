#include "hypercore/box_minimizer.hpp"

#include <cmath>
#include <deque>
#include <limits>

#include "hypercore/errors.hpp"

namespace hypercore {

namespace {

Vector project(const Vector& x, const Vector& lower, const Vector& upper) {
  return x.cwiseMax(lower).cwiseMin(upper);
}

// Variables held at a bound by the gradient (a descent step would leave the box) are fixed in this iteration.
Eigen::Array<bool, Eigen::Dynamic, 1> free_variables(const Vector& x, const Vector& g, const Vector& lower,
                                                     const Vector& upper) {
  Eigen::Array<bool, Eigen::Dynamic, 1> free(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const bool at_lower = x[i] <= lower[i] && g[i] > 0.0;
    const bool at_upper = x[i] >= upper[i] && g[i] < 0.0;
    free[i] = !(at_lower || at_upper);
  }
  return free;
}

struct CorrectionPair {
  Vector s, y;
  double rho;
};

// The L-BFGS two-loop recursion restricted to the free variables.
Vector quasi_newton_direction(const Vector& g, const std::deque<CorrectionPair>& pairs,
                              const Eigen::Array<bool, Eigen::Dynamic, 1>& free) {
  const Vector mask = free.cast<double>().matrix();
  Vector q = g.cwiseProduct(mask);
  std::vector<double> alpha(pairs.size());
  for (size_t k = pairs.size(); k-- > 0;) {
    alpha[k] = pairs[k].rho * pairs[k].s.cwiseProduct(mask).dot(q);
    q -= alpha[k] * pairs[k].y.cwiseProduct(mask);
  }
  if (!pairs.empty()) {
    const CorrectionPair& last = pairs.back();
    q *= last.s.dot(last.y) / last.y.squaredNorm();
  }
  for (size_t k = 0; k < pairs.size(); ++k) {
    const double beta = pairs[k].rho * pairs[k].y.cwiseProduct(mask).dot(q);
    q += (alpha[k] - beta) * pairs[k].s.cwiseProduct(mask);
  }
  return -q.cwiseProduct(mask);
}

}  // namespace

BoxMinimizerResult minimize_in_box(const Objective& f, const Vector& x0, const Vector& lower, const Vector& upper,
                                   const BoxMinimizerOptions& options) {
  const Eigen::Index d = x0.size();
  require(lower.size() == d && upper.size() == d, "bounds", "must have the size of x0");
  require((lower.array() <= upper.array()).all(), "bounds", "lower bound above upper bound");

  BoxMinimizerResult result;
  Vector x = project(x0, lower, upper);
  Vector g(d);
  double fx = f(x, g);
  result.evaluations = 1;
  if (!std::isfinite(fx) || !g.allFinite()) {
    result.x = x;
    result.value = fx;
    return result;
  }
  std::deque<CorrectionPair> pairs;
  Vector g_new(d);
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    result.iterations = iteration + 1;
    const Vector projected_gradient = project(x - g, lower, upper) - x;
    if (projected_gradient.lpNorm<Eigen::Infinity>() < options.gradient_tolerance) break;

    const auto free = free_variables(x, g, lower, upper);
    Vector direction = quasi_newton_direction(g, pairs, free);
    if (direction.dot(g) >= 0.0) {  // not a descent direction: fall back to steepest descent
      pairs.clear();
      direction = -g.cwiseProduct(free.cast<double>().matrix());
    }
    double step = pairs.empty() ? std::min(1.0, 1.0 / std::max(1e-12, direction.norm())) : 1.0;

    bool accepted = false;
    Vector x_new(d);
    double f_new = 0.0;
    for (int backtrack = 0; backtrack < 30; ++backtrack) {
      x_new = project(x + step * direction, lower, upper);
      f_new = f(x_new, g_new);
      ++result.evaluations;
      const double decrease = g.dot(x_new - x);
      if (std::isfinite(f_new) && g_new.allFinite() && f_new <= fx + 1e-4 * decrease) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;

    const Vector s = x_new - x;
    const Vector y = g_new - g;
    const double sy = s.dot(y);
    if (sy > 1e-12 * y.squaredNorm()) {
      pairs.push_back({s, y, 1.0 / sy});
      if (static_cast<int>(pairs.size()) > options.memory) pairs.pop_front();
    }
    const double relative_change = (fx - f_new) / std::max({std::abs(fx), std::abs(f_new), 1.0});
    x = x_new;
    g = g_new;
    fx = f_new;
    if (relative_change < options.relative_tolerance) break;
  }
  result.x = x;
  result.value = fx;
  return result;
}

}  // namespace hypercore
