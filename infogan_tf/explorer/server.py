"""The explorer's HTTP server (standard library): the page, and three JSON endpoints the page calls.

    GET  /               the page (one self-contained HTML file, no build step)
    GET  /api/model      the controls to draw (ExplorerService.model)
    POST /api/generate   JSON codes, seed and grid size -> PNG data URLs
    POST /api/encode     an image file as the body -> the codes the encoder reads

A refused request gets HTTP 400 and {"error": "one line"}; anything unexpected gets HTTP 500 and one line, with the
details in the server's log only. Nothing is written to disk.
"""

from __future__ import annotations

import http.server
import json
from importlib import resources
from typing import Any

from absl import logging

from infogan_serving.client import ClientError, one_line
from infogan_tf.explorer.service import MAX_UPLOAD_BYTES, BadRequest, ExplorerService

MAX_JSON_BYTES = 64 << 10
PAGE = resources.files("infogan_tf.explorer").joinpath("page.html")


class ExplorerHandler(http.server.BaseHTTPRequestHandler):
    """One request: route it, answer JSON or the page; never a stack trace in the response."""

    server: ExplorerServer
    server_version = "infogan-explore"

    def do_GET(self) -> None:
        if self.path in ("/", "/index.html"):
            self._send(200, PAGE.read_bytes(), "text/html; charset=utf-8")
        elif self.path == "/api/model":
            self._send_json(200, self.server.service.model())
        else:
            self._send_json(404, {"error": f"no page {self.path}"})

    def do_POST(self) -> None:
        routes = {"/api/generate": (MAX_JSON_BYTES, self._generate), "/api/encode": (MAX_UPLOAD_BYTES, self._encode)}
        if self.path not in routes:
            self._send_json(404, {"error": f"no endpoint {self.path}"})
            return
        limit, handle = routes[self.path]
        try:
            self._send_json(200, handle(self._body(limit)))
        except (BadRequest, ClientError) as error:
            self._send_json(400, {"error": one_line(error)})
        except Exception as error:  # noqa: BLE001 (the page gets one line; the log gets the traceback)
            logging.exception("explorer request %s failed", self.path)
            self._send_json(500, {"error": f"internal error: {one_line(error)}"})

    def _body(self, limit: int) -> bytes:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise BadRequest("the request has no Content-Length") from None
        if not 0 <= length <= limit:
            self._discard(length)
            raise BadRequest(f"the request body is {length} bytes; this endpoint takes up to {limit}")
        return self.rfile.read(length)

    def _discard(self, length: int) -> None:
        """Reads a refused body in small pieces without keeping it, so the client can read the refusal."""
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                break
            length -= len(chunk)

    def _generate(self, body: bytes) -> dict:
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            raise BadRequest("the request body is not JSON") from None
        return self.server.service.generate(request)

    def _encode(self, body: bytes) -> dict:
        return self.server.service.encode(body)

    def _send_json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        logging.info("%s %s", self.address_string(), format % args)


class ExplorerServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server that carries the service its handlers answer from."""

    daemon_threads = True

    def __init__(self, service: ExplorerService, host: str = "127.0.0.1", port: int = 8090):
        self.service = service
        super().__init__((host, port), ExplorerHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"
