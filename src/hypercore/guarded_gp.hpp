// A GaussianProcess shared between Python threads: the bindings hold one per Python object, with a lock that
// every call takes, waiting for it with the GIL released (so a long fit in one thread neither races with nor
// stalls the other Python threads). One plain mutex rather than a readers-writer lock: threads that keep
// predicting would starve a writer of a shared lock, and each call is parallel inside already.
#pragma once

#include <pybind11/pybind11.h>

#include <mutex>
#include <utility>

#include "hypercore/gaussian_process.hpp"

namespace hypercore::binding {

class GuardedGP {
 public:
  explicit GuardedGP(GaussianProcess gp) : gp_(std::move(gp)), dim_(gp_.dim()) {}
  GuardedGP(const GuardedGP& other);
  /// Moves only from a GuardedGP no other thread can see (a factory's temporary): its lock is not taken.
  GuardedGP(GuardedGP&& other) noexcept : gp_(std::move(other.gp_)), dim_(other.dim_) {}
  GuardedGP& operator=(const GuardedGP&) = delete;
  GuardedGP& operator=(GuardedGP&&) = delete;
  ~GuardedGP() = default;

  /// The dimension never changes, so it is read without the lock (to check argument shapes before waiting).
  int dim() const { return dim_; }

  /// Calls f(const GaussianProcess&) under the lock, with the GIL released: f must not touch Python.
  template <typename F>
  decltype(auto) read(F&& f) const {
    pybind11::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return std::forward<F>(f)(gp_);
  }

  /// Calls f(GaussianProcess&) under the lock, with the GIL released: f must not touch Python.
  template <typename F>
  decltype(auto) write(F&& f) {
    pybind11::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return std::forward<F>(f)(gp_);
  }

 private:
  GaussianProcess gp_;
  int dim_;
  mutable std::mutex mutex_;
};

/// A copy of the model as it is between two mutations (taken under the lock).
inline GuardedGP::GuardedGP(const GuardedGP& other)
    : gp_(other.read([](const GaussianProcess& gp) { return gp; })), dim_(other.dim_) {}

}  // namespace hypercore::binding
