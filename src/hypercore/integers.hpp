// Whole-number arguments arrive as plain handles, like arrays (buffers.hpp): a float, a bool, a string or an
// integer outside the C++ type's range is a ValueError naming the argument, never pybind11's overload TypeError
// (which names no argument) or a silent wrap-around.
#pragma once

#include <pybind11/pybind11.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace hypercore::binding {

namespace py = pybind11;

template <typename T>
T integer_of(const py::handle& object, const char* name) {
  static_assert(std::is_integral_v<T>);
  const auto refuse = [&]() -> T {
    throw std::invalid_argument(std::string(name) + ": expected an integer in [" +
                                std::to_string(std::numeric_limits<T>::min()) + ", " +
                                std::to_string(std::numeric_limits<T>::max()) + "], got " +
                                std::string(py::repr(object)) + " (" +
                                std::string(py::str(py::type::handle_of(object).attr("__name__"))) + ")");
  };
  if (PyBool_Check(object.ptr()) || !PyIndex_Check(object.ptr())) return refuse();
  const auto value = py::reinterpret_steal<py::object>(PyNumber_Index(object.ptr()));
  if (!value) throw py::error_already_set();
  if constexpr (std::is_signed_v<T>) {
    int overflow = 0;
    const long long number = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow != 0 || number < std::numeric_limits<T>::min() || number > std::numeric_limits<T>::max()) {
      return refuse();
    }
    return static_cast<T>(number);
  } else {
    const int negative = PyObject_RichCompareBool(value.ptr(), py::int_(0).ptr(), Py_LT);
    if (negative != 0) return refuse();
    const unsigned long long number = PyLong_AsUnsignedLongLong(value.ptr());
    if (PyErr_Occurred() != nullptr) {
      PyErr_Clear();
      return refuse();
    }
    if (number > std::numeric_limits<T>::max()) return refuse();
    return static_cast<T>(number);
  }
}

}  // namespace hypercore::binding
