// hyperbench: times the core's three hot operations on a smooth synthetic objective over the unit cube.
//
//   add      GaussianProcess::add of one more point at size n (median of several adds, each undone by
//            truncate(n)); expected O(n^2), so time(2n) / time(n) ~ 4.
//   suggest  one EI suggestion (count = 1, default optimizer options) at size n.
//   fit      one hyper-parameter refit (fit(), default options: it fits on at most FitOptions::max_points
//            points, printed in the header and the JSON).
// The subset path (what hyperengine runs past 1000 observations, see subset_selection.hpp), at n up to 10,000:
//   select   select_subset of kSubsetSize points out of n;
//   build    a GP on them at a fitted theta (one add_batch: one blocked factorization);
//   suggest  one EI suggestion on that GP;
//   memory   the bytes the subset GP's buffers hold (its factor is kept x kept), against an exact GP's n x n.
//
// Usage: hyperbench [--quick] [--subset-only] [--max-n N] [--json FILE] [--repeats R]
//   --quick   small sizes for a CI smoke run; --subset-only skips the exact-GP table; --max-n caps n;
//   --json writes the results as JSON too.
// Everything is seeded: the same build on the same machine reruns the same work.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "hypercore/acquisition_optimizer.hpp"
#include "hypercore/gaussian_process.hpp"
#include "hypercore/quasi_random.hpp"
#include "hypercore/subset_selection.hpp"

using namespace hypercore;

namespace {

constexpr int kSubsetSize = 512;  // hyperengine's SUBSET_SIZE (python/hyperengine/bayesian/subset_model.py)

struct Config {
  std::vector<int> sizes{100, 500, 1000, 2000, 5000};
  std::vector<int> subset_sizes{2000, 5000, 10000};
  std::vector<int> dims{2, 6, 10, 20};
  int repeats = 5;
  std::string json;
  bool quick = false;
  bool subset_only = false;
};

struct Row {
  int dim = 0;
  int n = 0;
  double add_ms = 0.0;
  double suggest_ms = 0.0;
  double fit_ms = 0.0;
  int fit_points = 0;
};

struct SubsetRow {
  int dim = 0;
  int n = 0;
  double select_ms = 0.0;
  double build_ms = 0.0;
  double suggest_ms = 0.0;
  double subset_mib = 0.0;
  double exact_mib = 0.0;
};

// A smooth objective on the unit cube: a sum of shifted sines minus a bowl.
double objective(const double* x, int d) {
  double value = 0.0;
  for (int j = 0; j < d; ++j) value += std::sin(3.0 * x[j] + 0.7 * j) - (x[j] - 0.35) * (x[j] - 0.35);
  return value / std::sqrt(static_cast<double>(d));
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

template <typename Body>
double milliseconds(Body&& body) {
  const auto start = std::chrono::steady_clock::now();
  body();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Config parse(int argc, char** argv) {
  Config config;
  int max_n = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "hyperbench: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--quick") {
      config.quick = true;
    } else if (arg == "--subset-only") {
      config.subset_only = true;
    } else if (arg == "--max-n") {
      max_n = std::atoi(value().c_str());
    } else if (arg == "--json") {
      config.json = value();
    } else if (arg == "--repeats") {
      config.repeats = std::max(1, std::atoi(value().c_str()));
    } else {
      std::fprintf(stderr, "usage: hyperbench [--quick] [--subset-only] [--max-n N] [--json FILE] [--repeats R]\n");
      std::exit(arg == "--help" || arg == "-h" ? 0 : 2);
    }
  }
  if (config.quick) {
    config.sizes = {100, 200, 400};
    config.subset_sizes = {1000, 2000};
    config.dims = {2, 6};
    config.repeats = std::min(config.repeats, 3);
  }
  if (config.subset_only) config.sizes.clear();
  if (max_n > 0) {
    for (auto* sizes : {&config.sizes, &config.subset_sizes}) {
      sizes->erase(std::remove_if(sizes->begin(), sizes->end(), [&](int n) { return n > max_n; }), sizes->end());
    }
  }
  return config;
}

std::vector<Row> run_dimension(int d, const Config& config) {
  std::vector<Row> rows;
  Random random(1234 + static_cast<std::uint64_t>(d));
  const int largest = config.sizes.empty() ? 0 : config.sizes.back();
  // One pool of points: the GP grows through it, and a few spare points are the ones timed by add.
  const int spares = config.repeats;
  RowMatrix X = quasi_random_points(largest + spares, d, random);
  Vector y(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) y[i] = objective(X.row(i).data(), d);

  GaussianProcess gp(make_kernel("matern52", Space(d)));
  FitOptions fit_options;
  for (int n : config.sizes) {
    while (gp.size() < n) gp.add(X.row(gp.size()).data(), y[gp.size()]);
    if (rows.empty()) gp.fit(fit_options);  // a realistic theta, then held fixed while n grows

    Row row;
    row.dim = d;
    row.n = n;
    std::vector<double> adds;
    for (int r = 0; r < config.repeats; ++r) {
      const Eigen::Index spare = largest + r;
      adds.push_back(milliseconds([&] { gp.add(X.row(spare).data(), y[spare]); }));
      gp.truncate(n);
    }
    row.add_ms = median(adds);

    std::vector<double> suggests;
    const int suggest_repeats = n >= 2000 ? std::min(config.repeats, 3) : config.repeats;
    for (int r = 0; r < suggest_repeats; ++r) {
      SuggestOptions options;
      options.seed = static_cast<std::uint64_t>(r);
      suggests.push_back(milliseconds([&] { suggest(gp, RowMatrix(0, d), options); }));
    }
    row.suggest_ms = median(suggests);

    const Vector theta = gp.log_params();
    row.fit_ms = milliseconds([&] { gp.fit(fit_options); });
    row.fit_points = std::min(n, fit_options.max_points);
    gp.set_log_params(theta);  // keep the later sizes on the same theta

    std::printf("%4d %6d %12.4f %12.2f %12.1f %8d\n", row.dim, row.n, row.add_ms, row.suggest_ms, row.fit_ms,
                row.fit_points);
    std::fflush(stdout);
    rows.push_back(row);
  }
  return rows;
}

// The subset path on a pool of the largest n points: select, build and suggest at each n.
std::vector<SubsetRow> run_subset(int d, const Config& config) {
  std::vector<SubsetRow> rows;
  if (config.subset_sizes.empty()) return rows;
  Random random(4321 + static_cast<std::uint64_t>(d));
  const int largest = config.subset_sizes.back();
  const RowMatrix X = quasi_random_points(largest, d, random);
  Vector y(largest);
  for (int i = 0; i < largest; ++i) y[i] = objective(X.row(i).data(), d);
  GaussianProcess fitted(make_kernel("matern52", Space(d)));
  fitted.add_batch(X.topRows(kSubsetSize), y.head(kSubsetSize), Vector());
  fitted.fit(FitOptions{});
  const Vector theta = fitted.log_params();
  const Vector length_scales = theta.head(d).array().exp();
  for (int n : config.subset_sizes) {
    SubsetRow row;
    row.dim = d;
    row.n = n;
    std::vector<int> kept;
    row.select_ms = milliseconds([&] { kept = select_subset(X.topRows(n), y.head(n), length_scales, kSubsetSize, 1); });
    const int m = static_cast<int>(kept.size());
    RowMatrix Xs(m, d);
    Vector ys(m);
    for (int i = 0; i < m; ++i) {
      Xs.row(i) = X.row(kept[static_cast<size_t>(i)]);
      ys[i] = y[kept[static_cast<size_t>(i)]];
    }
    GaussianProcess gp(make_kernel("matern52", Space(d)));
    row.build_ms = milliseconds([&] {
      gp.set_log_params(theta);
      gp.add_batch(Xs, ys, Vector());
    });
    std::vector<double> suggests;
    for (int r = 0; r < config.repeats; ++r) {
      SuggestOptions options;
      options.seed = static_cast<std::uint64_t>(r);
      suggests.push_back(milliseconds([&] { suggest(gp, RowMatrix(0, d), options); }));
    }
    row.suggest_ms = median(suggests);
    row.subset_mib = (static_cast<double>(m) * m + 4.0 * m * (d + 3)) * sizeof(double) / (1 << 20);
    row.exact_mib = (static_cast<double>(n) * n + 4.0 * n * (d + 3)) * sizeof(double) / (1 << 20);
    std::printf("%4d %6d %12.3f %12.2f %12.2f %10.1f %10.1f\n", row.dim, row.n, row.select_ms, row.build_ms,
                row.suggest_ms, row.subset_mib, row.exact_mib);
    std::fflush(stdout);
    rows.push_back(row);
  }
  return rows;
}

void write_json(const std::string& path, const Config& config, const std::vector<Row>& rows,
                const std::vector<SubsetRow>& subset_rows) {
  std::ofstream out(path);
  out << "{\n  \"quick\": " << (config.quick ? "true" : "false") << ",\n  \"repeats\": " << config.repeats
      << ",\n  \"fit_max_points\": " << FitOptions{}.max_points << ",\n  \"results\": [\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    char line[256];
    std::snprintf(line, sizeof line,
                  "    {\"dim\": %d, \"n\": %d, \"add_ms\": %.6f, \"suggest_ms\": %.4f, \"fit_ms\": %.3f, "
                  "\"fit_points\": %d}%s\n",
                  row.dim, row.n, row.add_ms, row.suggest_ms, row.fit_ms, row.fit_points,
                  i + 1 < rows.size() ? "," : "");
    out << line;
  }
  out << "  ],\n  \"subset_size\": " << kSubsetSize << ",\n  \"subset_results\": [\n";
  for (size_t i = 0; i < subset_rows.size(); ++i) {
    const SubsetRow& row = subset_rows[i];
    char line[256];
    std::snprintf(line, sizeof line,
                  "    {\"dim\": %d, \"n\": %d, \"select_ms\": %.4f, \"build_ms\": %.3f, \"suggest_ms\": %.3f, "
                  "\"subset_mib\": %.2f, \"exact_mib\": %.1f}%s\n",
                  row.dim, row.n, row.select_ms, row.build_ms, row.suggest_ms, row.subset_mib, row.exact_mib,
                  i + 1 < subset_rows.size() ? "," : "");
    out << line;
  }
  out << "  ]\n}\n";
}

}  // namespace

int main(int argc, char** argv) {
  const Config config = parse(argc, argv);
  std::printf("hyperbench: matern52 GP, EI suggestions (count 1, default optimizer), fit() on at most %d points\n",
              FitOptions{}.max_points);
  std::printf("%4s %6s %12s %12s %12s %8s\n", "d", "n", "add [ms]", "suggest [ms]", "fit [ms]", "fit pts");
  std::vector<Row> rows;
  for (int d : config.dims) {
    const std::vector<Row> part = run_dimension(d, config);
    rows.insert(rows.end(), part.begin(), part.end());
  }
  std::printf("\nadd-one-point scaling, time(n_next) / time(n) (O(n^2): ratio ~ (n_next / n)^2):\n");
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].dim != rows[i - 1].dim) continue;
    const double growth = static_cast<double>(rows[i].n) / rows[i - 1].n;
    std::printf("  d=%-3d n %5d -> %5d: x%.2f (n^2 predicts x%.2f)\n", rows[i].dim, rows[i - 1].n, rows[i].n,
                rows[i].add_ms / rows[i - 1].add_ms, growth * growth);
  }
  std::printf("\nsubset path (an exact GP on %d selected points of n): select, build at a fitted theta, suggest;\n"
              "memory of the GP's buffers, subset vs an exact GP on all n points\n", kSubsetSize);
  std::printf("%4s %6s %12s %12s %12s %10s %10s\n", "d", "n", "select [ms]", "build [ms]", "suggest [ms]",
              "subset MiB", "exact MiB");
  std::vector<SubsetRow> subset_rows;
  for (int d : config.dims) {
    const std::vector<SubsetRow> part = run_subset(d, config);
    subset_rows.insert(subset_rows.end(), part.begin(), part.end());
  }
  if (!config.json.empty()) write_json(config.json, config, rows, subset_rows);
  return 0;
}
