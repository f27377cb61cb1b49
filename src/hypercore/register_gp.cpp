#include <pybind11/stl.h>

#include <string>

#include "buffers.hpp"
#include "integers.hpp"
#include "hypercore/errors.hpp"
#include "guarded_gp.hpp"
#include "hypercore/gaussian_process.hpp"
#include "registrations.hpp"
#include "uninitialized.hpp"

namespace hypercore::binding {

namespace {

PriorMean prior_mean_from_name(const std::string& name) {
  if (name == "mean") return PriorMean::Mean;
  if (name == "max") return PriorMean::Max;
  if (name == "zero") return PriorMean::Zero;
  if (name == "fitted") return PriorMean::Fitted;
  throw std::invalid_argument("prior_mean: unknown prior mean '" + name + "', expected 'mean', 'max', 'zero' or 'fitted'");
}

FitOptions fit_options(const py::handle& restarts, const py::handle& max_iterations, const py::handle& max_points,
                       const py::handle& seed, const py::handle& threads) {
  FitOptions options;
  options.restarts = integer_of<int>(restarts, "restarts");
  options.max_iterations = integer_of<int>(max_iterations, "max_iterations");
  options.max_points = integer_of<int>(max_points, "max_points");
  options.seed = integer_of<std::uint64_t>(seed, "seed");
  options.threads = integer_of<int>(threads, "threads");
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

/// The pickled state, copied under the lock; its arrays are made once the GIL is back.
py::tuple state_of(const GuardedGP& guarded) {
  const GaussianProcess gp = guarded.read([](const GaussianProcess& model) { return model; });
  return py::make_tuple(gp.space().dimensions().size(), gp.kernel().name(), py::cast(gp.space()),
                        gp.noise_variance(), gp.fixed_noise(), prior_mean_name(gp.prior_mean()), to_numpy(gp.log_params()),
                        to_numpy(gp.inputs()), to_numpy(gp.targets()), to_numpy(gp.extra_noise()));
}

GuardedGP gp_from_state(const py::tuple& state) {
  if (state.size() != 10) throw std::invalid_argument("state: expected a 10-tuple");
  const Space space = state[2].cast<Space>();
  GaussianProcess gp = make_gp(space, state[1].cast<std::string>(), state[3].cast<double>(), state[4].cast<bool>(),
                               state[5].cast<std::string>());
  const Vector theta = vector_of(state[6], "theta", space.size() + 2);
  const auto X = rows_of(state[7], "X", space.size());
  const auto y = vector_of(state[8], "y", X.rows());
  const auto extra = vector_of(state[9], "extra_noise", X.rows());
  gp.set_log_params(theta);
  gp.add_batch(X, y, extra);
  return GuardedGP(std::move(gp));
}

/// A read-only property: `get(const GaussianProcess&)` under the lock.
template <typename Get>
auto reader(Get get) {
  return [get](const GuardedGP& gp) { return gp.read(get); };
}

/// A read-only array property: the core's result is copied under the lock, converted to numpy with the GIL.
template <typename Get>
auto array_reader(Get get) {
  return [get](const GuardedGP& gp) { return to_numpy(gp.read(get)); };
}

}  // namespace

void register_gp(py::module_& m) {
  py::class_<GuardedGP>(m, "GaussianProcess", R"doc(
A Gaussian-process model that owns its data and the Cholesky factor of its kernel matrix.

Adding a point extends the factor in O(n^2); outputs are standardized internally; hyper-parameters
theta = (log length scales [d], log signal variance, log noise variance) are fitted by maximizing the
log marginal likelihood plus a log prior.

Thread safety: one GP may be used from several Python threads. Each GP has a lock that every method (and
suggest) holds for its whole call, waiting for it and computing with the GIL released: a call sees the model
between two mutations.
)doc")
      .def(py::init([](const Space& space, const std::string& kernel, double noise_variance, bool fixed_noise,
                       const std::string& prior_mean) {
             return GuardedGP(make_gp(space, kernel, noise_variance, fixed_noise, prior_mean));
           }),
           py::arg("space"), py::arg("kernel") = "matern52", py::arg("noise_variance") = 1e-4,
           py::arg("fixed_noise") = false, py::arg("prior_mean") = "mean")
      .def_property_readonly("dim", &GuardedGP::dim)
      .def_property_readonly("size", reader([](const GaussianProcess& gp) { return gp.size(); }))
      .def("__len__", reader([](const GaussianProcess& gp) { return gp.size(); }))
      .def_property_readonly("space", reader([](const GaussianProcess& gp) { return gp.space(); }))
      .def_property_readonly("kernel_name", reader([](const GaussianProcess& gp) { return gp.kernel().name(); }))
      .def_property_readonly("prior_mean",
                             reader([](const GaussianProcess& gp) { return prior_mean_name(gp.prior_mean()); }))
      .def_property("log_params", array_reader([](const GaussianProcess& gp) { return gp.log_params(); }),
                    [](GuardedGP& gp, const py::object& theta) {
                      const auto value = vector_of(theta, "theta", gp.dim() + 2);
                      gp.write([&](GaussianProcess& model) { model.set_log_params(value); });
                    }, "theta [d + 2]; setting it refactorizes (O(n^3)).")
      .def_property_readonly("log_param_bounds", [](const GuardedGP& gp) {
        const auto [lower, upper] = gp.read([](const GaussianProcess& model) { return model.log_param_bounds(); });
        return py::make_tuple(to_numpy(lower), to_numpy(upper));
      })
      .def_property_readonly("noise_variance", reader([](const GaussianProcess& gp) { return gp.noise_variance(); }))
      .def_property_readonly("fixed_noise", reader([](const GaussianProcess& gp) { return gp.fixed_noise(); }))
      .def_property_readonly("jitter", reader([](const GaussianProcess& gp) { return gp.jitter(); }))
      .def_property_readonly("inputs", array_reader([](const GaussianProcess& gp) { return gp.inputs(); }),
                             "(n, d) canonical inputs (a copy).")
      .def_property_readonly("targets", array_reader([](const GaussianProcess& gp) { return gp.targets(); }))
      .def_property_readonly("standardized_targets",
                             array_reader([](const GaussianProcess& gp) { return gp.standardized_targets(); }))
      .def_property_readonly("extra_noise", array_reader([](const GaussianProcess& gp) { return gp.extra_noise(); }))
      .def_property_readonly("y_offset", reader([](const GaussianProcess& gp) { return gp.y_offset(); }))
      .def_property_readonly("y_scale", reader([](const GaussianProcess& gp) { return gp.y_scale(); }))
      .def("cholesky_factor", array_reader([](const GaussianProcess& gp) { return gp.cholesky_factor(); }),
           "The lower Cholesky factor (n, n) of the kernel matrix (a copy).")
      .def("add", [](GuardedGP& gp, const py::object& x, double y, double extra_noise) {
        const auto point = vector_of(x, "x", gp.dim());
        gp.write([&](GaussianProcess& model) { model.add(point.data(), y, extra_noise); });
      }, py::arg("x"), py::arg("y"), py::arg("extra_noise") = 0.0,
         "Adds x [d] with value y; extra_noise is an observation-noise variance in raw units. O(n^2).")
      .def("set_targets", [](GuardedGP& gp, const py::object& y) {
        const auto values = vector_of(y, "y", -1);
        gp.write([&](GaussianProcess& model) { model.set_targets(values); });
      }, py::arg("y"), "Replaces the observed values y [n] (the factor is kept: O(n^2)).")
      .def("add_batch", [](GuardedGP& gp, const py::object& X, const py::object& y, const py::object& extra) {
        const auto rows = rows_of(X, "X", gp.dim());
        const auto values = vector_of(y, "y", rows.rows());
        Vector noise;
        if (!extra.is_none()) noise = vector_of(extra, "extra_noise", rows.rows());
        gp.write([&](GaussianProcess& model) { model.add_batch(rows, values, noise); });
      }, py::arg("X"), py::arg("y"), py::arg("extra_noise") = py::none(),
         "Adds X (n, d) with values y [n] (and extra noise [n]).")
      .def("predict", [](const GuardedGP& gp, const py::object& X, const py::object& mean, const py::object& variance,
                         bool standardized, const py::handle& threads_argument) {
        const int threads = integer_of<int>(threads_argument, "threads");
        const auto rows = rows_of(X, "X", gp.dim());
        const long m = rows.rows();
        py::object mean_out = mean.is_none() ? py::array_t<double>(m) : mean;
        py::object variance_out = variance.is_none() ? py::array_t<double>(m) : variance;
        auto mean_view = output_of(mean_out, "mean", m);
        auto variance_view = output_of(variance_out, "variance", m);
        gp.read([&](const GaussianProcess& model) {
          model.predict(rows, mean_view, variance_view, standardized, threads);
        });
        return py::make_tuple(mean_out, variance_out);
      }, py::arg("X"), py::arg("mean") = py::none(), py::arg("variance") = py::none(), py::arg("standardized") = false,
         py::arg("threads") = 0,
         "Posterior mean [m] and variance [m] of the latent function at X (m, d), written into the given "
         "output arrays when passed (no copies).")
      .def("predict_with_gradient", [](const GuardedGP& gp, const py::object& x) {
        const auto point = vector_of(x, "x", gp.dim());
        double mean = 0.0, variance = 0.0;
        Vector dmean(gp.dim()), dvariance(gp.dim());
        gp.read([&](const GaussianProcess& model) {
          model.predict_with_gradient(point.data(), mean, variance, dmean.data(), dvariance.data());
        });
        return py::make_tuple(mean, variance, to_numpy(dmean), to_numpy(dvariance));
      }, py::arg("x"), "Standardized (mean, variance, dmean [d], dvariance [d]) at x [d].")
      .def("log_marginal_likelihood", [](const GuardedGP& gp, const py::object& theta) -> py::object {
        if (theta.is_none()) {
          return py::float_(gp.read([](const GaussianProcess& model) { return model.log_marginal_likelihood(); }));
        }
        const Vector value = vector_of(theta, "theta", gp.dim() + 2);
        Vector gradient;
        const double lml = gp.read([&](const GaussianProcess& model) {
          return model.log_marginal_likelihood(value, &gradient);
        });
        return py::make_tuple(lml, to_numpy(gradient));
      }, py::arg("theta") = py::none(),
         "The log marginal likelihood of the standardized data; with theta, (value, gradient [d + 2]).")
      .def("log_prior", [](const GuardedGP& gp, const py::object& theta) {
        const Vector value = vector_of(theta, "theta", gp.dim() + 2);
        Vector gradient;
        const double prior = gp.read([&](const GaussianProcess& model) {
          return model.log_prior(value, &gradient);
        });
        return py::make_tuple(prior, to_numpy(gradient));
      }, py::arg("theta"))
      .def("fit", [](GuardedGP& gp, const py::handle& restarts, const py::handle& max_iterations,
                     const py::handle& max_points, const py::handle& seed, const py::handle& threads) {
        const FitOptions options = fit_options(restarts, max_iterations, max_points, seed, threads);
        const FitResult result = gp.write([&](GaussianProcess& model) { return model.fit(options); });
        py::dict out;
        out["theta"] = to_numpy(result.theta);
        out["log_likelihood"] = result.log_likelihood;
        out["evaluations"] = result.evaluations;
        return out;
      }, py::arg("restarts") = 2, py::arg("max_iterations") = 60, py::arg("max_points") = 200, py::arg("seed") = 0,
         py::arg("threads") = 0, "Fits theta by maximizing log marginal likelihood + log prior; O(m^3) per step.")
      .def("should_refit", [](const GuardedGP& gp, const py::handle& every, double lml_drop) {
        const RefitPolicy policy{integer_of<int>(every, "every"), lml_drop};
        return gp.read([&](const GaussianProcess& model) { return model.should_refit(policy); });
      }, py::arg("every") = 0, py::arg("lml_drop") = 0.25)
      .def("maybe_refit", [](GuardedGP& gp, const py::handle& every, double lml_drop, const py::handle& restarts,
                             const py::handle& max_iterations, const py::handle& max_points, const py::handle& seed,
                             const py::handle& threads) {
        const RefitPolicy policy{integer_of<int>(every, "every"), lml_drop};
        const FitOptions options = fit_options(restarts, max_iterations, max_points, seed, threads);
        return gp.write([&](GaussianProcess& model) { return model.maybe_refit(policy, options); });
      }, py::arg("every") = 0, py::arg("lml_drop") = 0.25, py::arg("restarts") = 2, py::arg("max_iterations") = 60,
         py::arg("max_points") = 200, py::arg("seed") = 0, py::arg("threads") = 0,
         "Fits when the refit policy says so (every k points, or when the likelihood per point degrades).")
      .def("truncate", [](GuardedGP& gp, const py::handle& count) {
             const int n = integer_of<int>(count, "n");
             gp.write([n](GaussianProcess& model) { model.truncate(n); });
           },
           py::arg("n"), "Drops every point after the first n.")
      .def("copy", [](const GuardedGP& gp) { return GuardedGP(gp); })
      .def(py::pickle([](const GuardedGP& gp) { return state_of(gp); }, &gp_from_state));
  refuse_uninitialized_instances<GuardedGP>();
}

}  // namespace hypercore::binding
