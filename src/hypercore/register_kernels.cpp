#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "buffers.hpp"
#include "hypercore/errors.hpp"
#include "hypercore/kernel.hpp"
#include "registrations.hpp"
#include "uninitialized.hpp"

namespace hypercore::binding {

namespace {

DimensionKind kind_from_name(const std::string& name) {
  if (name == "continuous") return DimensionKind::Continuous;
  if (name == "integer") return DimensionKind::Integer;
  if (name == "categorical") return DimensionKind::Categorical;
  throw std::invalid_argument("kinds: unknown dimension kind '" + name +
                              "', expected 'continuous', 'integer' or 'categorical'");
}

std::string kind_name(DimensionKind kind) {
  switch (kind) {
    case DimensionKind::Continuous:
      return "continuous";
    case DimensionKind::Integer:
      return "integer";
    case DimensionKind::Categorical:
      return "categorical";
  }
  return "continuous";
}

}  // namespace

void register_kernels(py::module_& m) {
  py::class_<Space>(m, "Space", "The unit cube as the GP sees it: each coordinate continuous, integer or categorical.")
      .def(py::init<int>(), py::arg("dim"), "An all-continuous space of `dim` coordinates.")
      .def(py::init([](const std::vector<std::string>& kinds, const std::vector<int>& levels) {
             require(kinds.size() == levels.size(), "levels", "must have one entry per kind");
             std::vector<Dimension> dimensions;
             for (size_t j = 0; j < kinds.size(); ++j) dimensions.push_back({kind_from_name(kinds[j]), levels[j]});
             return Space(dimensions);
           }),
           py::arg("kinds"), py::arg("levels"),
           "kinds[d]: 'continuous' | 'integer' | 'categorical'; levels[d]: the number of values (0 if continuous).")
      .def_property_readonly("size", &Space::size)
      .def_property_readonly("kinds", [](const Space& space) {
        std::vector<std::string> kinds;
        for (const auto& dim : space.dimensions()) kinds.push_back(kind_name(dim.kind));
        return kinds;
      })
      .def_property_readonly("levels", [](const Space& space) {
        std::vector<int> levels;
        for (const auto& dim : space.dimensions()) levels.push_back(dim.levels);
        return levels;
      })
      .def("canonicalize", [](const Space& space, const py::object& X) {
        const auto rows = rows_of(X, "X", space.size());
        RowMatrix out = rows;
        for (Eigen::Index i = 0; i < out.rows(); ++i) space.canonicalize(out.row(i).data());
        return to_numpy(out);
      }, py::arg("X"), "X (n, d) -> its canonical values (bin centres for discrete coordinates).")
      .def(py::pickle(
          [](const Space& space) {
            std::vector<std::string> kinds;
            std::vector<int> levels;
            for (const auto& dim : space.dimensions()) {
              kinds.push_back(kind_name(dim.kind));
              levels.push_back(dim.levels);
            }
            return py::make_tuple(kinds, levels);
          },
          [](const py::tuple& state) {
            const auto kinds = state[0].cast<std::vector<std::string>>();
            const auto levels = state[1].cast<std::vector<int>>();
            std::vector<Dimension> dimensions;
            for (size_t j = 0; j < kinds.size(); ++j) dimensions.push_back({kind_from_name(kinds[j]), levels[j]});
            return Space(dimensions);
          }));

  py::class_<Kernel>(m, "Kernel", "A stationary ARD kernel k(a, b) = s2 f(r2); theta = (log l [d], log s2).")
      .def_property_readonly("name", &Kernel::name)
      .def_property_readonly("dim", &Kernel::dim)
      .def_property("log_params", [](const Kernel& k) { return to_numpy(k.log_params()); },
                    [](Kernel& k, const py::object& theta) {
                      k.set_log_params(vector_of(theta, "theta", k.num_params()));
                    })
      .def("matrix", [](const Kernel& k, const py::object& A, const py::object& B) {
        const auto a = rows_of(A, "A", k.dim());
        const auto b = rows_of(B, "B", k.dim());
        Matrix out(a.rows(), b.rows());
        k.cross(a, b, out);  // with the GIL held: a standalone kernel has no lock, the GIL orders its calls
        return to_numpy(out);
      }, py::arg("A"), py::arg("B"), "K (n1, n2) = k(A_i, B_j) for A (n1, d), B (n2, d) (canonical inputs).")
      .def("gradient_x", [](const Kernel& k, const py::object& x, const py::object& B) {
        const auto point = vector_of(x, "x", k.dim());
        const auto b = rows_of(B, "B", k.dim());
        RowMatrix out(b.rows(), k.dim());
        k.gradient_x(point.data(), b, out);
        return to_numpy(out);
      }, py::arg("x"), py::arg("B"), "(n, d): d k(x, B_i) / dx (zero for discrete coordinates).")
      .def("gradient_params", [](const Kernel& k, const py::object& a, const py::object& b) {
        const auto pa = vector_of(a, "a", k.dim());
        const auto pb = vector_of(b, "b", k.dim());
        Vector out(k.num_params());
        k.gradient_params(pa.data(), pb.data(), out.data());
        return to_numpy(out);
      }, py::arg("a"), py::arg("b"), "[d + 1]: d k(a, b) / d theta.");

  py::class_<RBFKernel, Kernel>(m, "RBFKernel", "Squared exponential kernel: f(r2) = exp(-r2 / 2).")
      .def(py::init<Space>(), py::arg("space"));
  py::class_<Matern52Kernel, Kernel>(m, "Matern52Kernel", "Matern 5/2 kernel.")
      .def(py::init<Space>(), py::arg("space"));
  refuse_uninitialized_instances<Space>();
  refuse_uninitialized_instances<Kernel>();
  refuse_uninitialized_instances<RBFKernel>();
  refuse_uninitialized_instances<Matern52Kernel>();
}

}  // namespace hypercore::binding
