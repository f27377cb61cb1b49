"""A live, read-only web dashboard over a study store (extra `dashboard`).

    hyperengine dashboard sqlite:///runs/study.db            # http://127.0.0.1:8080/

The server is the standard library's `http.server` (docs/architecture.md says why); the pages are static files
of this package, and the plots use the JavaScript bundled in the installed `plotly` package. Nothing is fetched
from the internet.
"""

from __future__ import annotations

from hyperengine.dashboard.server import DashboardServer, serve

__all__ = ["DashboardServer", "serve"]
