#include <string>

#include "acquisition_kind.hpp"
#include "buffers.hpp"
#include "integers.hpp"
#include "hypercore/errors.hpp"
#include "guarded_gp.hpp"
#include "hypercore/gaussian_process.hpp"
#include "registrations.hpp"

namespace hypercore::binding {

void register_optimizer(py::module_& m) {
  m.def("suggest", [](const GuardedGP& gp, const std::string& acquisition, const py::handle& count,
                      const py::object& pending, double epsilon, double beta, const std::string& fantasy,
                      const py::handle& seed, const py::handle& num_candidates, const py::handle& num_local_candidates,
                      const py::handle& num_starts, const py::handle& max_iterations,
                      const py::handle& max_exhaustive_levels, const py::handle& threads) {
    SuggestOptions options;
    options.acquisition = acquisition_from_name(acquisition);
    options.count = integer_of<int>(count, "count");
    options.epsilon = epsilon;
    options.beta = beta;
    options.fantasy = fantasy_from_name(fantasy);
    options.seed = integer_of<std::uint64_t>(seed, "seed");
    options.optimizer.num_candidates = integer_of<int>(num_candidates, "num_candidates");
    options.optimizer.num_local_candidates = integer_of<int>(num_local_candidates, "num_local_candidates");
    options.optimizer.num_starts = integer_of<int>(num_starts, "num_starts");
    options.optimizer.max_iterations = integer_of<int>(max_iterations, "max_iterations");
    options.optimizer.max_exhaustive_levels = integer_of<int>(max_exhaustive_levels, "max_exhaustive_levels");
    options.optimizer.threads = integer_of<int>(threads, "threads");
    RowMatrix pending_rows(0, gp.dim());
    if (!pending.is_none()) pending_rows = rows_of(pending, "pending", gp.dim());
    const Suggestion suggestion =
        gp.read([&](const GaussianProcess& model) { return suggest(model, pending_rows, options); });
    return py::make_tuple(to_numpy(suggestion.points), to_numpy(suggestion.scores));
  },
        py::arg("gp"), py::arg("acquisition") = "ei", py::arg("count") = 1, py::arg("pending") = py::none(),
        py::arg("epsilon") = 0.0, py::arg("beta") = 2.0, py::arg("fantasy") = "kriging_believer", py::arg("seed") = 0,
        py::arg("num_candidates") = 0, py::arg("num_local_candidates") = 0, py::arg("num_starts") = 8,
        py::arg("max_iterations") = 50, py::arg("max_exhaustive_levels") = 32, py::arg("threads") = 0,
        R"doc(
Maximizes the acquisition ('pi' | 'ei' | 'ucb') over the unit cube and returns (points (count, d), scores [count]).

Pending points (p, d), e.g. running trials, and each chosen point of a batch are fantasized in a copy of the
GP ('kriging_believer' or 'constant_liar_min|mean|max') so a batch is diverse. epsilon is the PI/EI margin in
raw units; beta the UCB weight. Deterministic under `seed`.
)doc");
}

}  // namespace hypercore::binding
