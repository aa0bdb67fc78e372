"""Small real HTTP servers for tests on loopback: a base handler that answers quietly, a way to
serve one, and a photo server that answers as the coverage service does, only to a bearer of a
valid Warta token of the coverage team."""

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import jwt

from warta.contracts import AssetKind, AssetRef
from warta.runtime import ServiceSettings

from . import samples


class QuietHandler(BaseHTTPRequestHandler):
    def answer(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """Serve ``handler`` on a free loopback port until the block ends; yields the port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port
    finally:
        server.shutdown()


class PhotoHandler(QuietHandler):
    """``GET /assets/<sha256>``: the photo with that hash, to a coverage-team token only."""

    photos: ClassVar[dict[str, tuple[bytes, str]]] = {}

    def do_GET(self) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        secret = ServiceSettings(service_name="test").auth_dev_secret.get_secret_value()
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], audience="warta")
        except jwt.InvalidTokenError:
            self.send_error(401)
            return
        found = self.photos.get(self.path.rsplit("/", 1)[-1])
        if found is None or claims["warta_role"] != "coverage_team":
            self.send_error(404 if found is None else 403)
            return
        self.answer(*found)


@contextmanager
def served_photos(
    captions: tuple[str, ...], *, credit: str = "Dewi Lestari", seed: int = 60, size: tuple[int, int] = (640, 480)
) -> Iterator[tuple[AssetRef, ...]]:
    """Photos of an approved version as a camera wrote them (GPS position, serial number, the
    camera's own description), one per caption, served where their references point."""
    with serving(PhotoHandler) as port:
        refs = []
        for i, caption in enumerate(captions):
            data = samples.camera_jpeg(*size, seed=seed * (i + 1))  # colours far enough apart to differ
            sha = hashlib.sha256(data).hexdigest()
            PhotoHandler.photos[sha] = (data, "image/jpeg")
            uri = f"http://127.0.0.1:{port}/assets/{sha}"
            refs.append(
                AssetRef(
                    kind=AssetKind.PHOTO, uri=uri, sha256=sha, content_type="image/jpeg", caption=caption, credit=credit
                )
            )
        yield tuple(refs)
