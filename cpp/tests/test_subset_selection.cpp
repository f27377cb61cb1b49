// select_subset: the three parts of the kept set against brute-force references (the best values, the nearest
// points in the length-scale metric), its size and order, determinism under the seed, and bad arguments.
#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "hypercore/quasi_random.hpp"
#include "hypercore/subset_selection.hpp"

using namespace hypercore;

namespace {

struct Data {
  RowMatrix X;
  Vector y;
};

Data sample_data(int n, int d, std::uint64_t seed) {
  Random random(seed);
  Data data{RowMatrix(n, d), Vector(n)};
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) data.X(i, j) = random.uniform();
    data.y[i] = -(data.X.row(i).array() - 0.3).square().sum() + 0.01 * random.normal();
  }
  return data;
}

// The indices of the k smallest keys, ties by index (the brute-force reference).
std::vector<int> smallest(const std::vector<double>& keys, int k) {
  std::vector<int> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return keys[static_cast<size_t>(a)] < keys[static_cast<size_t>(b)]; });
  order.resize(static_cast<size_t>(k));
  return order;
}

}  // namespace

TEST(all_points_are_kept_when_they_fit) {
  const Data data = sample_data(40, 3, 1);
  const std::vector<int> chosen = select_subset(data.X, data.y, Vector::Ones(3), 40, 0);
  CHECK(chosen.size() == 40u);
  for (int i = 0; i < 40; ++i) CHECK(chosen[static_cast<size_t>(i)] == i);
}

TEST(the_subset_holds_the_best_and_the_nearest_points) {
  const int n = 2000, d = 4, size = 200;
  const Data data = sample_data(n, d, 2);
  Vector scales(d);
  scales << 0.1, 0.5, 1.0, 2.0;
  const std::vector<int> chosen = select_subset(data.X, data.y, scales, size, 7);
  CHECK(static_cast<int>(chosen.size()) == size);
  CHECK(std::is_sorted(chosen.begin(), chosen.end()));
  const std::set<int> kept(chosen.begin(), chosen.end());
  CHECK(static_cast<int>(kept.size()) == size);  // no duplicates

  std::vector<double> negated(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) negated[static_cast<size_t>(i)] = -data.y[i];
  const std::vector<int> best = smallest(negated, size / 4);
  for (int i : best) CHECK(kept.count(i) == 1);

  // The nearest points to the incumbent, in the length-scale metric: after the best ones are taken, the next
  // size / 2 nearest are kept, so every one of the size / 2 nearest overall is kept.
  Eigen::Index incumbent = 0;
  data.y.maxCoeff(&incumbent);
  std::vector<double> distance(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    distance[static_cast<size_t>(i)] =
        ((data.X.row(i) - data.X.row(incumbent)).array().transpose() / scales.array()).square().sum();
  }
  for (int i : smallest(distance, size / 2)) CHECK(kept.count(i) == 1);
}

TEST(the_global_part_depends_on_the_seed_only) {
  const Data data = sample_data(1000, 3, 3);
  const Vector scales = Vector::Constant(3, 0.3);
  const std::vector<int> first = select_subset(data.X, data.y, scales, 100, 11);
  CHECK(first == select_subset(data.X, data.y, scales, 100, 11));
  CHECK(first != select_subset(data.X, data.y, scales, 100, 12));
  // The random quarter spreads over the whole cube: some kept points are far from the incumbent.
  Eigen::Index incumbent = 0;
  data.y.maxCoeff(&incumbent);
  int far = 0;
  for (int i : first) far += (data.X.row(i) - data.X.row(incumbent)).norm() > 0.5 ? 1 : 0;
  CHECK(far >= 5);
}

TEST(bad_arguments_are_refused) {
  const Data data = sample_data(10, 2, 4);
  CHECK_THROWS(select_subset(data.X, data.y, Vector::Ones(3), 5, 0), std::invalid_argument);
  CHECK_THROWS(select_subset(data.X, data.y.head(9), Vector::Ones(2), 5, 0), std::invalid_argument);
  CHECK_THROWS(select_subset(data.X, data.y, Vector::Zero(2), 5, 0), std::invalid_argument);
  CHECK_THROWS(select_subset(data.X, data.y, Vector::Ones(2), 0, 0), std::invalid_argument);
}

int main() { return check::run_all(); }
