#include "hypercore/quasi_random.hpp"

#include <cmath>

namespace hypercore {

std::uint64_t Random::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Random::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Random::normal() {
  constexpr double kTwoPi = 6.28318530717958647692;
  const double u1 = 1.0 - uniform();  // (0, 1]
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

int Random::integer(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }

RowMatrix quasi_random_points(int n, int d, Random& random) {
  // phi_d: fixed point iteration of x = (1 + x)^(1 / (d + 1)), converges for every d >= 1.
  double phi = 2.0;
  for (int i = 0; i < 64; ++i) phi = std::pow(1.0 + phi, 1.0 / (d + 1));
  Vector alpha(d), shift(d);
  for (int j = 0; j < d; ++j) {
    alpha[j] = std::fmod(std::pow(1.0 / phi, j + 1), 1.0);
    shift[j] = random.uniform();
  }
  RowMatrix points(n, d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) {
      const double value = shift[j] + (i + 1) * alpha[j];
      points(i, j) = value - std::floor(value);
    }
  }
  return points;
}

}  // namespace hypercore
