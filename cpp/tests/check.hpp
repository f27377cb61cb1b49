// A tiny test harness for the core's C++ tests (no third-party framework): named test functions registered
// with TEST(name), checks that record failures and keep going, and a main that runs everything and returns
// non-zero when any check failed. Also central finite differences, shared by the gradient tests.
#pragma once

#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "hypercore/types.hpp"

namespace check {

inline int& failures() {
  static int count = 0;
  return count;
}

inline std::vector<std::pair<std::string, std::function<void()>>>& registry() {
  static std::vector<std::pair<std::string, std::function<void()>>> tests;
  return tests;
}

inline bool add(const char* name, std::function<void()> test) {
  registry().emplace_back(name, std::move(test));
  return true;
}

inline void fail(const char* file, int line, const std::string& message) {
  ++failures();
  std::fprintf(stderr, "%s:%d: FAILED %s\n", file, line, message.c_str());
}

/// |actual - expected| <= tolerance * max(1, |expected|): relative for large values, absolute for small ones
/// (CHECK_NEAR); CHECK_ABS is absolute everywhere, for logs of tiny numbers.
inline bool near(double actual, double expected, double tolerance) {
  return std::abs(actual - expected) <= tolerance * std::max(1.0, std::abs(expected));
}

/// Runs every registered test; an exception escaping a test counts as a failure. Returns the exit code.
inline int run_all() {
  for (const auto& [name, test] : registry()) {
    const int before = failures();
    try {
      test();
    } catch (const std::exception& error) {
      fail(name.c_str(), 0, std::string("unexpected exception: ") + error.what());
    }
    std::printf("%-60s %s\n", name.c_str(), failures() == before ? "ok" : "FAILED");
  }
  std::printf("%zu tests, %d failed checks\n", registry().size(), failures());
  return failures() == 0 ? 0 : 1;
}

/// Central finite difference of f: R^d -> R at x, step h in every coordinate.
inline hypercore::Vector central_difference(const std::function<double(const hypercore::Vector&)>& f,
                                            const hypercore::Vector& x, double h) {
  hypercore::Vector gradient(x.size());
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    hypercore::Vector plus = x, minus = x;
    plus[j] += h;
    minus[j] -= h;
    gradient[j] = (f(plus) - f(minus)) / (2.0 * h);
  }
  return gradient;
}

}  // namespace check

#define TEST(name)                                                     \
  static void name();                                                  \
  [[maybe_unused]] static const bool name##_registered = ::check::add(#name, &name); \
  static void name()

#define CHECK(condition)                                                           \
  do {                                                                             \
    if (!(condition)) ::check::fail(__FILE__, __LINE__, "CHECK(" #condition ")"); \
  } while (false)

#define CHECK_NEAR(actual, expected, tolerance)                                                          \
  do {                                                                                                   \
    const double check_actual_ = (actual);                                                               \
    const double check_expected_ = (expected);                                                           \
    if (!::check::near(check_actual_, check_expected_, (tolerance))) {                                   \
      char check_buffer_[256];                                                                           \
      std::snprintf(check_buffer_, sizeof check_buffer_, "%s = %.17g, expected %s = %.17g (tol %g)",    \
                    #actual, check_actual_, #expected, check_expected_, static_cast<double>(tolerance)); \
      ::check::fail(__FILE__, __LINE__, check_buffer_);                                                  \
    }                                                                                                    \
  } while (false)

#define CHECK_THROWS(expression, ExceptionType)                                                        \
  do {                                                                                                 \
    bool check_thrown_ = false;                                                                        \
    try {                                                                                              \
      (void)(expression);                                                                              \
    } catch (const ExceptionType&) {                                                                   \
      check_thrown_ = true;                                                                            \
    }                                                                                                  \
    if (!check_thrown_) ::check::fail(__FILE__, __LINE__, #expression " did not throw " #ExceptionType); \
  } while (false)

#define CHECK_ABS(actual, expected, tolerance)                                                               \
  do {                                                                                                       \
    const double check_actual_ = (actual);                                                                   \
    const double check_expected_ = (expected);                                                               \
    if (!(std::abs(check_actual_ - check_expected_) <= (tolerance))) {                                       \
      char check_buffer_[256];                                                                               \
      std::snprintf(check_buffer_, sizeof check_buffer_, "|%s - %s| = |%.17g - %.17g| > %g", #actual,        \
                    #expected, check_actual_, check_expected_, static_cast<double>(tolerance));             \
      ::check::fail(__FILE__, __LINE__, check_buffer_);                                                      \
    }                                                                                                        \
  } while (false)
