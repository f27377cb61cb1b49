#include <cmath>
#include <string>

#include "acquisition_kind.hpp"
#include "integers.hpp"
#include "buffers.hpp"
#include "hypercore/errors.hpp"
#include "registrations.hpp"
#include "uninitialized.hpp"

namespace hypercore::binding {

void register_acquisition(py::module_& m) {
  m.def("ucb_beta", [](const py::handle& dim, const py::handle& n, double delta) {
    return ucb_beta(integer_of<int>(dim, "dim"), integer_of<int>(n, "n"), delta);
  }, py::arg("dim"), py::arg("n"), py::arg("delta"),
        "The UCB weight sqrt(2 log(d n^2 pi^2 / (6 delta))) (Srinivas et al. 2010; the original's ucb_delta).");

  py::class_<Acquisition>(m, "Acquisition", R"doc(
An acquisition on a standardized posterior N(mu, sigma^2), for maximization.

kind: 'pi' | 'ei' | 'ucb'; threshold: the improvement threshold tau (PI/EI); beta: the UCB weight.
value() gives PI, EI or UCB; score() gives what the optimizer maximizes (log PI, log EI, UCB) and its
derivatives with respect to mu and sigma.
)doc")
      .def(py::init([](const std::string& kind, double threshold, double beta) {
             return Acquisition(acquisition_from_name(kind), threshold, beta);
           }),
           py::arg("kind"), py::arg("threshold") = 0.0, py::arg("beta") = 2.0)
      .def("value", [](const Acquisition& a, const py::object& mu, const py::object& sigma) {
        const auto mus = vector_of(mu, "mu", -1);
        const auto sigmas = vector_of(sigma, "sigma", mus.size());
        require((sigmas.array() > 0.0).all(), "sigma", "must be positive");
        Vector out(mus.size());
        for (Eigen::Index i = 0; i < mus.size(); ++i) out[i] = a.value(mus[i], sigmas[i]);
        return to_numpy(out);
      }, py::arg("mu"), py::arg("sigma"), "Acquisition values [m] for mu [m], sigma [m].")
      .def("score", [](const Acquisition& a, const py::object& mu, const py::object& sigma) {
        const auto mus = vector_of(mu, "mu", -1);
        const auto sigmas = vector_of(sigma, "sigma", mus.size());
        require((sigmas.array() > 0.0).all(), "sigma", "must be positive");
        Vector out(mus.size()), dmu(mus.size()), dsigma(mus.size());
        for (Eigen::Index i = 0; i < mus.size(); ++i) out[i] = a.score(mus[i], sigmas[i], &dmu[i], &dsigma[i]);
        return py::make_tuple(to_numpy(out), to_numpy(dmu), to_numpy(dsigma));
      }, py::arg("mu"), py::arg("sigma"), "(score [m], d score / d mu [m], d score / d sigma [m]).");
  refuse_uninitialized_instances<Acquisition>();
}

}  // namespace hypercore::binding
