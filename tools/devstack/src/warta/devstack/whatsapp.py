"""A stand-in for a WhatsApp HTTP gateway: it takes ``POST /send`` with a bearer token and a JSON
``{"to", "message", "ref"}``, as the rented gateways do, and keeps what it was sent. ``make up`` runs
one that writes each message under ``.warta/whatsapp/``; tests read ``received`` and can make it
answer 503 for a while."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Gateway:
    url: str
    token: str
    received: list[dict[str, Any]] = field(default_factory=list)
    refuse_next: int = 0  # answer 503 to this many more requests

    def to(self, number: str) -> list[str]:
        return [m["message"] for m in self.received if m["to"] == number]


@contextmanager
def whatsapp_gateway(token: str = "wa-dev-token", keep_in: Path | None = None, port: int = 0) -> Iterator[Gateway]:
    lock = threading.Lock()
    gateway = Gateway(url="", token=token)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path != "/send":
                return self._answer(404, {"error": "not found"})
            if self.headers.get("Authorization") != f"Bearer {gateway.token}":
                return self._answer(401, {"error": "invalid token"})
            with lock:
                if gateway.refuse_next > 0:
                    gateway.refuse_next -= 1
                    return self._answer(503, {"error": "busy"})
                message = json.loads(body)
                gateway.received.append(message)
                if keep_in is not None:
                    keep_in.mkdir(parents=True, exist_ok=True)
                    (keep_in / f"{len(gateway.received):05d}.json").write_text(json.dumps(message, ensure_ascii=False))
            self._answer(200, {"status": "queued", "id": len(gateway.received)})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
