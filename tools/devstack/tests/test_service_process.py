"""A service process started on a port another process took after it was chosen moves to a new
port on its first start, and is only taken as started when the service itself answers there."""

import socket

import httpx

from warta.devstack.pytest_plugin import ServiceProcess


def test_a_first_start_on_a_taken_port_moves_to_a_free_one(namespace, tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        process = ServiceProcess("review", namespace.env("review"), taken, tmp_path / "review.log")
        try:
            process.start()
            assert process.port != taken
            assert "address already in use" in process.log()
            assert httpx.get(f"{process.url}/healthz").json() == {"status": "ok", "service": "review"}
        finally:
            process.stop()
