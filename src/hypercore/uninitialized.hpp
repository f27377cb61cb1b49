// Refusing objects made by `Cls.__new__(Cls)` without `__init__`. pybind11 passes such an object to a C++
// function by allocating raw, unconstructed storage for it on the spot (its lazy allocation, which calls the
// type's `operator_new` hook): every method would then read garbage or crash. Pickling makes these objects
// legitimately (`__new__`, then `__setstate__`, which constructs in place without that allocation), so they
// cannot be forbidden; instead the hook throws, and any call that receives one raises ValueError.
#pragma once

#include <pybind11/pybind11.h>

#include <cstddef>
#include <string>
#include <typeinfo>

namespace hypercore::binding {

template <typename T>
void* refuse_uninitialized(std::size_t /*size*/) {
  const auto* info = pybind11::detail::get_type_info(typeid(T));
  const std::string name = info != nullptr ? info->type->tp_name : "object";
  throw pybind11::value_error(name + ": the object is uninitialized (made by __new__ without __init__); "
                              "construct it by calling the class");
}

/// Installs the refusal for the bound class T (call after registering it).
template <typename T>
void refuse_uninitialized_instances() {
  pybind11::detail::get_type_info(typeid(T))->operator_new = &refuse_uninitialized<T>;
}

}  // namespace hypercore::binding
