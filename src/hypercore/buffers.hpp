// Zero-copy views of numpy arrays: a C-contiguous float64 array maps straight to an Eigen matrix; anything
// else (a list, a scalar, another dtype or layout) is refused with a ValueError naming the argument (the Python
// layer converts before calling). Arguments arrive as plain handles, so a non-array never reaches pybind11's
// overload resolution (whose TypeError would not name the argument).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "hypercore/types.hpp"

namespace hypercore::binding {

namespace py = pybind11;

using ConstRowMap = Eigen::Map<const RowMatrix>;
using RowMap = Eigen::Map<RowMatrix>;
using ConstVectorMap = Eigen::Map<const Vector>;
using VectorMap = Eigen::Map<Vector>;

inline py::array check_buffer(const py::handle& object, const char* name, int ndim) {
  if (!py::isinstance<py::array>(object)) {
    throw std::invalid_argument(std::string(name) + ": expected a float64 numpy array, got " +
                                std::string(py::str(py::type::handle_of(object).attr("__name__"))));
  }
  const auto array = py::reinterpret_borrow<py::array>(object);
  if (!py::isinstance<py::array_t<double>>(array) || array.dtype().kind() != 'f' || array.itemsize() != 8) {
    throw std::invalid_argument(std::string(name) + ": expected a float64 array, got dtype " +
                                std::string(py::str(array.dtype())));
  }
  if (array.ndim() != ndim) {
    throw std::invalid_argument(std::string(name) + ": expected " + std::to_string(ndim) + " dimensions, got " +
                                std::to_string(array.ndim()));
  }
  if (!(array.flags() & py::array::c_style)) {
    throw std::invalid_argument(std::string(name) + ": expected a C-contiguous array");
  }
  return array;
}

/// (rows, cols) view of a 2-D array; cols = -1 accepts any width.
/// The view borrows the array's memory: the caller keeps the Python object alive while the view is used.
inline ConstRowMap rows_of(const py::handle& object, const char* name, long cols) {
  const py::array array = check_buffer(object, name, 2);
  if (cols >= 0 && array.shape(1) != cols) {
    throw std::invalid_argument(std::string(name) + ": invalid shape (" + std::to_string(array.shape(0)) + ", " +
                                std::to_string(array.shape(1)) + "), expected (n, " + std::to_string(cols) + ")");
  }
  return ConstRowMap(static_cast<const double*>(array.data()), array.shape(0), array.shape(1));
}

/// [size] view of a 1-D array; size = -1 accepts any length.
inline ConstVectorMap vector_of(const py::handle& object, const char* name, long size) {
  const py::array array = check_buffer(object, name, 1);
  if (size >= 0 && array.shape(0) != size) {
    throw std::invalid_argument(std::string(name) + ": invalid shape (" + std::to_string(array.shape(0)) +
                                ",), expected (" + std::to_string(size) + ",)");
  }
  return ConstVectorMap(static_cast<const double*>(array.data()), array.shape(0));
}

/// A writable [size] view of an output array allocated by the caller.
inline VectorMap output_of(const py::handle& object, const char* name, long size) {
  py::array array = check_buffer(object, name, 1);
  if (!array.writeable()) throw std::invalid_argument(std::string(name) + ": the output array is read-only");
  if (array.shape(0) != size) {
    throw std::invalid_argument(std::string(name) + ": invalid shape (" + std::to_string(array.shape(0)) +
                                ",), expected (" + std::to_string(size) + ",)");
  }
  return VectorMap(static_cast<double*>(array.mutable_data()), size);
}

/// A new numpy array holding a copy of an Eigen result (for results the core computes itself).
/// A vector type (one column at compile time) gives a 1-D array, any matrix type a 2-D one, whatever its size.
template <typename Derived>
py::array_t<double> to_numpy(const Eigen::MatrixBase<Derived>& value) {
  if constexpr (Derived::ColsAtCompileTime == 1) {
    py::array_t<double> out(value.rows());
    VectorMap(out.mutable_data(), value.rows()) = value;
    return out;
  } else {
    py::array_t<double> out({value.rows(), value.cols()});
    RowMap(out.mutable_data(), value.rows(), value.cols()) = value;
    return out;
  }
}

}  // namespace hypercore::binding
