#include <pybind11/stl.h>

#include <string>

#include "buffers.hpp"
#include "hypercore/errors.hpp"
#include "hypercore/gaussian_process.hpp"
#include "registrations.hpp"

namespace hypercore::binding {

namespace {

PriorMean prior_mean_from_name(const std::string& name) {
  if (name == "mean") return PriorMean::Mean;
  if (name == "max") return PriorMean::Max;
  if (name == "zero") return PriorMean::Zero;
  if (name == "fitted") return PriorMean::Fitted;
  throw std::invalid_argument("prior_mean: unknown prior mean '" + name + "', expected 'mean', 'max', 'zero' or 'fitted'");
}

FitOptions fit_options(int restarts, int max_iterations, int max_points, std::uint64_t seed, int threads) {
  FitOptions options;
  options.restarts = restarts;
  options.max_iterations = max_iterations;
  options.max_points = max_points;
  options.seed = seed;
  options.threads = threads;
  return options;
}

std::string prior_mean_name(PriorMean prior_mean) {
  switch (prior_mean) {
    case PriorMean::Max:
      return "max";
    case PriorMean::Zero:
      return "zero";
    case PriorMean::Fitted:
      return "fitted";
    default:
      return "mean";
  }
}

GaussianProcess make_gp(const Space& space, const std::string& kernel, double noise_variance, bool fixed_noise,
                        const std::string& prior_mean) {
  return GaussianProcess(make_kernel(kernel, space), noise_variance, fixed_noise, prior_mean_from_name(prior_mean));
}

py::tuple state_of(const GaussianProcess& gp) {
  return py::make_tuple(gp.space().dimensions().size(), gp.kernel().name(), py::cast(gp.space()),
                        gp.noise_variance(), gp.fixed_noise(), prior_mean_name(gp.prior_mean()), to_numpy(gp.log_params()),
                        to_numpy(gp.inputs()), to_numpy(gp.targets()), to_numpy(gp.extra_noise()));
}

}  // namespace

void register_gp(py::module_& m) {
  py::class_<GaussianProcess>(m, "GaussianProcess", R"doc(
A Gaussian-process model that owns its data and the Cholesky factor of its kernel matrix.

Adding a point extends the factor in O(n^2); outputs are standardized internally; hyper-parameters
theta = (log length scales [d], log signal variance, log noise variance) are fitted by maximizing the
log marginal likelihood plus a log prior.
)doc")
      .def(py::init(&make_gp), py::arg("space"),
           py::arg("kernel") = "matern52", py::arg("noise_variance") = 1e-4, py::arg("fixed_noise") = false,
           py::arg("prior_mean") = "mean")
      .def_property_readonly("dim", &GaussianProcess::dim)
      .def_property_readonly("size", &GaussianProcess::size)
      .def("__len__", &GaussianProcess::size)
      .def_property_readonly("space", &GaussianProcess::space)
      .def_property_readonly("kernel_name", [](const GaussianProcess& gp) { return gp.kernel().name(); })
      .def_property_readonly("prior_mean", [](const GaussianProcess& gp) { return prior_mean_name(gp.prior_mean()); })
      .def_property("log_params", [](const GaussianProcess& gp) { return to_numpy(gp.log_params()); },
                    [](GaussianProcess& gp, const py::array& theta) {
                      const Vector value = vector_of(theta, "theta", gp.dim() + 2);
                      py::gil_scoped_release release;
                      gp.set_log_params(value);
                    }, "theta [d + 2]; setting it refactorizes (O(n^3)).")
      .def_property_readonly("log_param_bounds", [](const GaussianProcess& gp) {
        const auto [lower, upper] = gp.log_param_bounds();
        return py::make_tuple(to_numpy(lower), to_numpy(upper));
      })
      .def_property_readonly("noise_variance", &GaussianProcess::noise_variance)
      .def_property_readonly("fixed_noise", &GaussianProcess::fixed_noise)
      .def_property_readonly("jitter", &GaussianProcess::jitter)
      .def_property_readonly("inputs", [](const GaussianProcess& gp) { return to_numpy(gp.inputs()); },
                             "(n, d) canonical inputs (a copy).")
      .def_property_readonly("targets", [](const GaussianProcess& gp) { return to_numpy(gp.targets()); })
      .def_property_readonly("standardized_targets",
                             [](const GaussianProcess& gp) { return to_numpy(gp.standardized_targets()); })
      .def_property_readonly("extra_noise", [](const GaussianProcess& gp) { return to_numpy(gp.extra_noise()); })
      .def_property_readonly("y_offset", &GaussianProcess::y_offset)
      .def_property_readonly("y_scale", &GaussianProcess::y_scale)
      .def("cholesky_factor", [](const GaussianProcess& gp) { return to_numpy(gp.cholesky_factor()); },
           "The lower Cholesky factor (n, n) of the kernel matrix (a copy).")
      .def("add", [](GaussianProcess& gp, const py::array& x, double y, double extra_noise) {
        const auto point = vector_of(x, "x", gp.dim());
        py::gil_scoped_release release;
        gp.add(point.data(), y, extra_noise);
      }, py::arg("x"), py::arg("y"), py::arg("extra_noise") = 0.0,
         "Adds x [d] with value y; extra_noise is an observation-noise variance in raw units. O(n^2).")
      .def("set_targets", [](GaussianProcess& gp, const py::array& y) {
        const auto values = vector_of(y, "y", gp.size());
        py::gil_scoped_release release;
        gp.set_targets(values);
      }, py::arg("y"), "Replaces the observed values y [n] (the factor is kept: O(n^2)).")
      .def("add_batch", [](GaussianProcess& gp, const py::array& X, const py::array& y, const py::object& extra) {
        const auto rows = rows_of(X, "X", gp.dim());
        const auto values = vector_of(y, "y", rows.rows());
        Vector noise;
        if (!extra.is_none()) noise = vector_of(extra.cast<py::array>(), "extra_noise", rows.rows());
        py::gil_scoped_release release;
        gp.add_batch(rows, values, noise);
      }, py::arg("X"), py::arg("y"), py::arg("extra_noise") = py::none(),
         "Adds X (n, d) with values y [n] (and extra noise [n]).")
      .def("predict", [](const GaussianProcess& gp, const py::array& X, py::object mean, py::object variance,
                         bool standardized, int threads) {
        const auto rows = rows_of(X, "X", gp.dim());
        const long m = rows.rows();
        py::array mean_out = mean.is_none() ? py::array_t<double>(m) : mean.cast<py::array>();
        py::array variance_out = variance.is_none() ? py::array_t<double>(m) : variance.cast<py::array>();
        auto mean_view = output_of(mean_out, "mean", m);
        auto variance_view = output_of(variance_out, "variance", m);
        {
          py::gil_scoped_release release;
          gp.predict(rows, mean_view, variance_view, standardized, threads);
        }
        return py::make_tuple(mean_out, variance_out);
      }, py::arg("X"), py::arg("mean") = py::none(), py::arg("variance") = py::none(), py::arg("standardized") = false,
         py::arg("threads") = 0,
         "Posterior mean [m] and variance [m] of the latent function at X (m, d), written into the given "
         "output arrays when passed (no copies).")
      .def("predict_with_gradient", [](const GaussianProcess& gp, const py::array& x) {
        const auto point = vector_of(x, "x", gp.dim());
        double mean, variance;
        Vector dmean(gp.dim()), dvariance(gp.dim());
        gp.predict_with_gradient(point.data(), mean, variance, dmean.data(), dvariance.data());
        return py::make_tuple(mean, variance, to_numpy(dmean), to_numpy(dvariance));
      }, py::arg("x"), "Standardized (mean, variance, dmean [d], dvariance [d]) at x [d].")
      .def("log_marginal_likelihood", [](const GaussianProcess& gp, const py::object& theta) -> py::object {
        if (theta.is_none()) return py::float_(gp.log_marginal_likelihood());
        const Vector value = vector_of(theta.cast<py::array>(), "theta", gp.dim() + 2);
        Vector gradient;
        double lml;
        {
          py::gil_scoped_release release;
          lml = gp.log_marginal_likelihood(value, &gradient);
        }
        return py::make_tuple(lml, to_numpy(gradient));
      }, py::arg("theta") = py::none(),
         "The log marginal likelihood of the standardized data; with theta, (value, gradient [d + 2]).")
      .def("log_prior", [](const GaussianProcess& gp, const py::array& theta) {
        Vector gradient;
        const double value = gp.log_prior(vector_of(theta, "theta", gp.dim() + 2), &gradient);
        return py::make_tuple(value, to_numpy(gradient));
      }, py::arg("theta"))
      .def("fit", [](GaussianProcess& gp, int restarts, int max_iterations, int max_points, std::uint64_t seed,
                     int threads) {
        FitResult result;
        {
          py::gil_scoped_release release;
          result = gp.fit(fit_options(restarts, max_iterations, max_points, seed, threads));
        }
        py::dict out;
        out["theta"] = to_numpy(result.theta);
        out["log_likelihood"] = result.log_likelihood;
        out["evaluations"] = result.evaluations;
        return out;
      }, py::arg("restarts") = 2, py::arg("max_iterations") = 60, py::arg("max_points") = 200, py::arg("seed") = 0,
         py::arg("threads") = 0, "Fits theta by maximizing log marginal likelihood + log prior; O(m^3) per step.")
      .def("should_refit", [](const GaussianProcess& gp, int every, double lml_drop) {
        return gp.should_refit(RefitPolicy{every, lml_drop});
      }, py::arg("every") = 0, py::arg("lml_drop") = 0.25)
      .def("maybe_refit", [](GaussianProcess& gp, int every, double lml_drop, int restarts, int max_iterations,
                             int max_points, std::uint64_t seed, int threads) {
        py::gil_scoped_release release;
        return gp.maybe_refit(RefitPolicy{every, lml_drop},
                              fit_options(restarts, max_iterations, max_points, seed, threads));
      }, py::arg("every") = 0, py::arg("lml_drop") = 0.25, py::arg("restarts") = 2, py::arg("max_iterations") = 60,
         py::arg("max_points") = 200, py::arg("seed") = 0, py::arg("threads") = 0,
         "Fits when the refit policy says so (every k points, or when the likelihood per point degrades).")
      .def("truncate", &GaussianProcess::truncate, py::arg("n"), "Drops every point after the first n.")
      .def("copy", [](const GaussianProcess& gp) { return GaussianProcess(gp); })
      .def(py::pickle(
          [](const GaussianProcess& gp) { return state_of(gp); },
          [](const py::tuple& state) {
            if (state.size() != 10) throw std::invalid_argument("state: expected a 10-tuple");
            const Space space = state[2].cast<Space>();
            GaussianProcess gp = make_gp(space, state[1].cast<std::string>(), state[3].cast<double>(),
                                         state[4].cast<bool>(), state[5].cast<std::string>());
            const Vector theta = vector_of(state[6].cast<py::array>(), "theta", space.size() + 2);
            const auto X = rows_of(state[7].cast<py::array>(), "X", space.size());
            const auto y = vector_of(state[8].cast<py::array>(), "y", X.rows());
            const auto extra = vector_of(state[9].cast<py::array>(), "extra_noise", X.rows());
            gp.set_log_params(theta);
            gp.add_batch(X, y, extra);
            return gp;
          }));
}

}  // namespace hypercore::binding
