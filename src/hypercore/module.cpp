// hypercore._core: the compiled Gaussian-process core of hyperengine.
#include <pybind11/pybind11.h>

#include "hypercore/errors.hpp"
#include "registrations.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "The compiled core of hyperengine: kernels, Gaussian process, acquisitions and their optimizer.";
  // register_exception also installs the translator; a bare py::exception<> only creates the Python type, so a
  // thrown LinAlgError would surface as RuntimeError.
  auto& lin_alg_error = pybind11::register_exception<hypercore::LinAlgError>(m, "LinAlgError", PyExc_ArithmeticError);
  lin_alg_error.doc() = "A linear-algebra failure that could not be repaired (the kernel matrix is singular).";
  hypercore::binding::register_kernels(m);
  hypercore::binding::register_gp(m);
  hypercore::binding::register_acquisition(m);
  hypercore::binding::register_optimizer(m);
  hypercore::binding::register_subset(m);
}
