"""A stand-in for a WhatsApp HTTP gateway: it takes ``POST /send`` with a bearer token and a JSON
``{"to", "message", "ref"}``, as the rented gateways do, and keeps what it was sent. ``make up`` runs
one that writes each message under ``.warta/whatsapp/``; tests read ``received`` and can make it
answer 503 for a while. ``compose.yaml`` runs this file by itself (``python whatsapp.py``, it needs
only the standard library) in the notifier's image, printing each message."""

import argparse
import json
import os
import signal
import sys
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
def whatsapp_gateway(
    token: str = "wa-dev-token", keep_in: Path | None = None, port: int = 0, host: str = "127.0.0.1", echo: bool = False
) -> Iterator[Gateway]:
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
                if echo:
                    print(json.dumps(message, ensure_ascii=False), flush=True)
            self._answer(200, {"status": "queued", "id": len(gateway.received)})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer((host, port), Handler)
    gateway.url = f"http://{host}:{server.server_address[1]}/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """Serve until stopped, printing each message; the token is ``WARTA_WHATSAPP_TOKEN``'s."""
    parser = argparse.ArgumentParser(description="A WhatsApp gateway stand-in that prints what it is sent.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8180)
    args = parser.parse_args()
    # As a container's first process it gets no default handling of SIGTERM: stop on it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with whatsapp_gateway(token=os.environ["WARTA_WHATSAPP_TOKEN"], port=args.port, host=args.host, echo=True):
        threading.Event().wait()


if __name__ == "__main__":
    main()
