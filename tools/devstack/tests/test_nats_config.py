"""The NATS permissions shipped in deploy/ are the generated ones, and nats-server runs them with
the passwords from its environment: a service's user connects, a wrong password does not."""

import asyncio
import shutil
from pathlib import Path

import nats
import pytest

from warta.devstack import nats_config
from warta.devstack.demo import SERVICES, SUBSCRIBERS
from warta.devstack.servers import ManagedProcess, _binary, free_port

COMMITTED = Path(__file__).resolve().parents[3] / nats_config.OUTPUT


def test_the_shipped_permissions_are_the_generated_ones():
    assert COMMITTED.read_text() == nats_config.render(), "run `make nats-config` and commit the result"


async def test_nats_server_takes_the_shipped_permissions_with_passwords_from_its_environment(tmp_path, monkeypatch):
    shutil.copy(COMMITTED, tmp_path / COMMITTED.name)
    port = free_port()
    (tmp_path / "nats.conf").write_text(f"listen: 127.0.0.1:{port}\ninclude ./{COMMITTED.name}\n")
    monkeypatch.setenv("WARTA_NATS_PASSWORD_OPERATOR", "operator-secret")
    for service in SERVICES + SUBSCRIBERS:
        monkeypatch.setenv(f"WARTA_NATS_PASSWORD_{service.upper()}", f"{service}-secret")
    argv = [_binary("nats-server"), "-c", str(tmp_path / "nats.conf")]
    server = ManagedProcess("nats", argv, port, tmp_path / "nats.log")
    await asyncio.to_thread(server.start)
    try:
        review = await nats.connect(f"nats://127.0.0.1:{port}", user="warta-review", password="review-secret")
        assert review.is_connected
        await review.close()
        with pytest.raises(nats.errors.Error, match="Authorization Violation"):
            await nats.connect(
                f"nats://127.0.0.1:{port}", user="warta-review", password="intake-secret", allow_reconnect=False
            )
    finally:
        server.stop()
