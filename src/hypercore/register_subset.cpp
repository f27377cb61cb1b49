#include <cstdint>
#include <vector>

#include "buffers.hpp"
#include "integers.hpp"
#include "hypercore/subset_selection.hpp"
#include "registrations.hpp"

namespace hypercore::binding {

void register_subset(py::module_& m) {
  m.def("select_subset", [](const py::handle& X, const py::handle& y, const py::handle& length_scales,
                            const py::handle& size_argument, const py::handle& seed_argument) {
    const int size = integer_of<int>(size_argument, "size");
    const auto seed = integer_of<std::uint64_t>(seed_argument, "seed");
    const auto rows = rows_of(X, "X", -1);
    const auto values = vector_of(y, "y", rows.rows());
    const auto scales = vector_of(length_scales, "length_scales", rows.cols());
    std::vector<int> chosen;
    {
      py::gil_scoped_release release;
      chosen = select_subset(rows, values, scales, size, seed);
    }
    py::array_t<std::int64_t> out(static_cast<py::ssize_t>(chosen.size()));
    std::copy(chosen.begin(), chosen.end(), out.mutable_data());
    return out;
  }, py::arg("X"), py::arg("y"), py::arg("length_scales"), py::arg("size"), py::arg("seed") = 0,
     "Indices (ascending) of at most `size` rows of X (n, d) to fit an exact GP on: the size / 4 largest values "
     "y [n], the size / 2 nearest the best point in the length-scale metric, the rest drawn at random (seeded).");
}

}  // namespace hypercore::binding
