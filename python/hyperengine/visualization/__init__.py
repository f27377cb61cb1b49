"""Pictures of a study: what its Gaussian process believes, and how the search went (matplotlib).

    from hyperengine import visualization
    figure = visualization.plot_gp_slice(study)      # every function takes a study, returns a Figure
    figure.savefig("slice.png")

Needs the `plot` extra (`pip install "hyperengine[plot]"`); `import hyperengine` never imports matplotlib.
See docs/visualization.md.
"""

from hyperengine.visualization._import import require_matplotlib

require_matplotlib()

from hyperengine.visualization.acquisition import plot_acquisition  # noqa: E402
from hyperengine.visualization.contour import gp_surface, plot_gp_contour  # noqa: E402
from hyperengine.visualization.curves import plot_intermediate_values  # noqa: E402
from hyperengine.visualization.history import plot_optimization_history  # noqa: E402
from hyperengine.visualization.importance import param_importances, plot_param_importances  # noqa: E402
from hyperengine.visualization.parallel import plot_parallel_coordinate  # noqa: E402
from hyperengine.visualization.slice import gp_slice, plot_gp_slice  # noqa: E402
from hyperengine.visualization.timeline import plot_timeline  # noqa: E402

__all__ = [
    "gp_slice",
    "gp_surface",
    "param_importances",
    "plot_acquisition",
    "plot_gp_contour",
    "plot_gp_slice",
    "plot_intermediate_values",
    "plot_optimization_history",
    "plot_parallel_coordinate",
    "plot_param_importances",
    "plot_timeline",
]
