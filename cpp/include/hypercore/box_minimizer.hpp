// Bound-constrained minimization by projected L-BFGS: the quasi-Newton direction is computed on the free
// variables (those not held at a bound by the gradient), steps are projected onto the box, and an Armijo
// backtracking line search accepts them (Bertsekas 1982; Byrd, Lu, Nocedal & Zhu 1995 for the L-BFGS-B idea).
// Used for hyper-parameter fitting (log space) and acquisition refinement (unit cube).
#pragma once

#include <functional>

#include "hypercore/types.hpp"

namespace hypercore {

struct BoxMinimizerOptions {
  int max_iterations = 100;
  int memory = 8;                 ///< L-BFGS correction pairs kept
  double gradient_tolerance = 1e-6;  ///< stop when the projected gradient's max-norm is below this
  double relative_tolerance = 1e-10;  ///< stop when the relative decrease of f is below this
};

struct BoxMinimizerResult {
  Vector x;
  double value = 0.0;
  int iterations = 0;
  int evaluations = 0;
};

/// f(x, grad) returns the objective at x [d] and writes its gradient into grad [d].
using Objective = std::function<double(const Vector& x, Vector& grad)>;

/// Minimizes f over lower <= x <= upper, starting from x0 (projected onto the box).
BoxMinimizerResult minimize_in_box(const Objective& f, const Vector& x0, const Vector& lower, const Vector& upper,
                                   const BoxMinimizerOptions& options = {});

}  // namespace hypercore
