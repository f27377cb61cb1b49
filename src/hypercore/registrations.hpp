// One registration function per area of the core, assembled in module.cpp.
#pragma once

#include <pybind11/pybind11.h>

namespace hypercore::binding {

void register_kernels(pybind11::module_& m);
void register_gp(pybind11::module_& m);
void register_acquisition(pybind11::module_& m);
void register_optimizer(pybind11::module_& m);
void register_subset(pybind11::module_& m);

}  // namespace hypercore::binding
