#include "hypercore/subset_selection.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>

#include "hypercore/errors.hpp"
#include "hypercore/quasi_random.hpp"

namespace hypercore {

namespace {

// Moves the `count` smallest keys (ties by index) of the not-yet-chosen indices into `chosen`.
void take_smallest(std::vector<std::pair<double, int>>& keyed, int count, std::vector<char>& taken,
                   std::vector<int>& chosen) {
  keyed.erase(std::remove_if(keyed.begin(), keyed.end(), [&](const auto& item) { return taken[static_cast<size_t>(item.second)]; }),
              keyed.end());
  const auto end = keyed.begin() + std::min<long>(count, static_cast<long>(keyed.size()));
  if (end != keyed.end()) std::nth_element(keyed.begin(), end, keyed.end());  // pairs: ties go by index
  for (auto it = keyed.begin(); it != end; ++it) {
    taken[static_cast<size_t>(it->second)] = 1;
    chosen.push_back(it->second);
  }
}

}  // namespace

std::vector<int> select_subset(const ConstRowMatrixRef& X, const ConstVectorRef& y, const ConstVectorRef& length_scales,
                               int size, std::uint64_t seed) {
  const long n = X.rows();
  const long d = X.cols();
  require(y.size() == n, "y", "expected " + std::to_string(n) + " values, got " + std::to_string(y.size()));
  require(length_scales.size() == d, "length_scales",
          "expected " + std::to_string(d) + " values, got " + std::to_string(length_scales.size()));
  require(size >= 1, "size", "must be at least 1, got " + std::to_string(size));
  require(X.allFinite(), "X", "contains NaN or inf");
  require(y.allFinite(), "y", "contains NaN or inf");
  require(length_scales.allFinite() && (length_scales.array() > 0.0).all(), "length_scales",
          "must be positive finite numbers");
  std::vector<int> chosen;
  if (n <= size) {
    chosen.resize(static_cast<size_t>(n));
    std::iota(chosen.begin(), chosen.end(), 0);
    return chosen;
  }
  chosen.reserve(static_cast<size_t>(size));
  std::vector<char> taken(static_cast<size_t>(n), 0);
  std::vector<std::pair<double, int>> keyed(static_cast<size_t>(n));

  for (long i = 0; i < n; ++i) keyed[static_cast<size_t>(i)] = {-y[i], static_cast<int>(i)};
  take_smallest(keyed, std::max(1, size / 4), taken, chosen);

  long incumbent = 0;
  y.maxCoeff(&incumbent);
  const Eigen::ArrayXd inverse_scale = length_scales.array().inverse();
  keyed.resize(static_cast<size_t>(n));
  for (long i = 0; i < n; ++i) {
    const double distance = ((X.row(i) - X.row(incumbent)).array().transpose() * inverse_scale).square().sum();
    keyed[static_cast<size_t>(i)] = {distance, static_cast<int>(i)};
  }
  take_smallest(keyed, size / 2, taken, chosen);

  std::vector<int> rest;
  rest.reserve(static_cast<size_t>(n) - chosen.size());
  for (long i = 0; i < n; ++i) {
    if (!taken[static_cast<size_t>(i)]) rest.push_back(static_cast<int>(i));
  }
  Random random(seed ^ (0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(n)));
  const long remaining = std::min<long>(size - static_cast<long>(chosen.size()), static_cast<long>(rest.size()));
  const int pool = static_cast<int>(rest.size());
  for (int i = 0; i < remaining; ++i) {  // a partial Fisher-Yates shuffle
    std::swap(rest[static_cast<size_t>(i)], rest[static_cast<size_t>(i + random.integer(pool - i))]);
    chosen.push_back(rest[static_cast<size_t>(i)]);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace hypercore
