"""The dashboard's HTTP server: the standard library's ThreadingHTTPServer, read-only, on loopback by default.

Routes (GET only; anything else is 405):
  /                              the study list            /studies/<name>            a study's page
  /static/<file>                 this package's files       /static/plotly.min.js     the installed plotly's bundle
  /api/studies                   api.studies                /api/studies/<name>?after=V   api.study
  /api/studies/<name>/model      the GP's slices and importances (api_model.ModelViews)

Binding an address other than loopback requires a token; every request must then carry it, as `?token=` (the
pages pass it on) or an `X-Hyperengine-Token` header. Responses forbid framing and inline scripts (a CSP with
script-src 'self'), and static files come from a fixed list, so no path reaches outside the package.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from hyperengine.dashboard import api
from hyperengine.dashboard.api_model import ModelViews
from hyperengine.storage import BaseStorage, StorageLike, UnknownStudyError, get_storage, open_existing

log = logging.getLogger("hyperengine.dashboard")

STATIC_FILES = {"dashboard.css": "text/css", "common.js": "text/javascript", "index.js": "text/javascript",
                "study.js": "text/javascript", "favicon.svg": "image/svg+xml"}
PAGES = {"index": "index.html", "study": "study.html"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def plotly_bundle() -> Path:
    """plotly.min.js as shipped inside the installed `plotly` package (ImportError naming the extra without it)."""
    try:
        import plotly
    except ImportError as missing:
        raise ImportError('the dashboard needs plotly: pip install "hyperengine[dashboard]"') from missing
    bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not bundle.is_file():
        raise ImportError(f"the installed plotly has no bundled plotly.min.js at {bundle}")
    return bundle


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DashboardServer(ThreadingHTTPServer):
    """Serves one storage. `start()` runs it in a daemon thread (tests, notebooks); `serve_forever()` blocks."""

    daemon_threads = True

    def __init__(self, storage: StorageLike, host: str = "127.0.0.1", port: int = 8080,
                 token: str | None = None) -> None:
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an integer in 0..65535, got {port!r}")
        if token is not None and (not isinstance(token, str) or len(token) < 8):
            raise ValueError("token must be a string of at least 8 characters")
        if not is_loopback(host) and token is None:
            raise ValueError(f"host {host!r} is not a loopback address: give a token (--token) so that only "
                             "those who know it can read the studies")
        self.storage: BaseStorage = (open_existing(storage) if isinstance(storage, (str, os.PathLike))
                                     else get_storage(storage))
        self.token = token
        self.plotly = plotly_bundle()
        self.models = ModelViews(self.storage)
        self._thread: threading.Thread | None = None
        super().__init__((host, port), DashboardHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="hyperengine-dashboard", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join()


class DashboardHandler(BaseHTTPRequestHandler):
    server: DashboardServer
    server_version = "hyperengine-dashboard"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        log.debug("%s " + format, self.address_string(), *args)

    # -- dispatch -------------------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if not self._authorized(query):
            self._send_json({"error": "a valid token is required"}, HTTPStatus.UNAUTHORIZED)
            return
        segments = [unquote(segment) for segment in parts.path.split("/") if segment]
        try:
            self._route(segments, query)
        except ConnectionError:  # the client went away mid-answer (a closed tab): nobody to answer
            log.debug("dashboard client of %s disconnected", self.path)
        except UnknownStudyError as missing:
            self._send_json({"error": str(missing)}, HTTPStatus.NOT_FOUND)
        except ValueError as bad:
            self._send_json({"error": str(bad)}, HTTPStatus.BAD_REQUEST)
        except Exception as failure:  # a broken store or a bug: the page shows it, the server keeps serving
            log.exception("dashboard request %s failed", self.path)
            self._send_json({"error": f"{type(failure).__name__}: {failure}"}, HTTPStatus.INTERNAL_SERVER_ERROR)

    def _route(self, segments: list[str], query: dict[str, list[str]]) -> None:
        storage = self.server.storage
        match segments:
            case []:
                self._send_page(PAGES["index"])
            case ["studies", _]:
                self._send_page(PAGES["study"])
            case ["favicon.ico"]:
                self._send_bytes(resources.files(__package__).joinpath("static", "favicon.svg").read_bytes(),
                                 "image/svg+xml", cache=True)
            case ["static", "plotly.min.js"]:
                self._send_file(self.server.plotly, "text/javascript", cache=True)
            case ["static", name] if name in STATIC_FILES:
                self._send_bytes(resources.files(__package__).joinpath("static", name).read_bytes(),
                                 STATIC_FILES[name])
            case ["api", "studies"]:
                self._send_json(api.studies(storage))
            case ["api", "studies", name]:
                self._send_json(api.study(storage, name, _after(query)))
            case ["api", "studies", name, "model"]:
                storage.load_study(name)  # UnknownStudyError (404) before anything is loaded
                self._send_json(self.server.models.model(name))
            case _:
                self._send_json({"error": f"no such page: /{'/'.join(segments)}"}, HTTPStatus.NOT_FOUND)

    def _refuse(self) -> None:
        self._send_json({"error": "the dashboard is read-only"}, HTTPStatus.METHOD_NOT_ALLOWED)

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse  # noqa: N815

    def _authorized(self, query: dict[str, list[str]]) -> bool:
        expected = self.server.token
        if expected is None:
            return True
        given = self.headers.get("X-Hyperengine-Token") or (query.get("token") or [""])[0]
        return hmac.compare_digest(given.encode(), expected.encode())

    # -- responses ------------------------------------------------------------------------------------------
    def _send_page(self, name: str) -> None:
        self._send_bytes(resources.files(__package__).joinpath("static", name).read_bytes(), "text/html")

    def _send_file(self, path: Path, content_type: str, cache: bool = False) -> None:
        self._send_bytes(path.read_bytes(), content_type, cache)

    def _send_json(self, payload: Any, status: HTTPStatus = HTTPStatus.OK) -> None:
        body = json.dumps(payload, allow_nan=False, default=str).encode()
        self._send_bytes(body, "application/json", status=status)

    def _send_bytes(self, body: bytes, content_type: str, cache: bool = False,
                    status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
        for header, value in SECURITY_HEADERS.items():
            self.send_header(header, value)
        self.end_headers()
        self.wfile.write(body)


def _after(query: dict[str, list[str]]) -> int:
    raw = (query.get("after") or ["0"])[0]
    try:
        after = int(raw)
    except ValueError:
        raise ValueError(f"after must be a non-negative integer (a version), got {raw!r}") from None
    if after < 0:
        raise ValueError(f"after must be a non-negative integer (a version), got {raw!r}")
    return after


def serve(storage: StorageLike, host: str = "127.0.0.1", port: int = 8080, token: str | None = None) -> None:
    """Serve the dashboard until interrupted (Ctrl-C)."""
    server = DashboardServer(storage, host, port, token)
    print(f"hyperengine dashboard on {server.url}" + (f"?token={token}" if token else ""), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
