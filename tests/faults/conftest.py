"""Servers of the fault suite's own, which its tests stop and start: the shared test servers stay
up for everyone else. Always embedded (nats-server from its wheel, SecantusDB), whatever backend
the rest of the suite uses, because only a server the test started can be stopped by it."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from warta.contracts import Role
from warta.devstack.servers import ManagedProcess, embedded_mongo, embedded_nats, mongodb_url, nats_url
from warta.runtime import ServiceSettings, issue_dev_token


@dataclass
class OwnServers:
    nats: ManagedProcess
    mongo: ManagedProcess

    @property
    def env(self) -> dict[str, str]:
        return {"WARTA_NATS_URL": nats_url(self.nats), "WARTA_MONGODB_URL": mongodb_url(self.mongo)}


@pytest.fixture
def own_servers(tmp_path) -> Iterator[OwnServers]:
    servers = OwnServers(embedded_nats(tmp_path / "nats"), embedded_mongo(tmp_path / "secantusdb"))
    servers.nats.start()
    servers.mongo.start()
    try:
        yield servers
    finally:
        servers.nats.stop()
        servers.mongo.stop()


@pytest.fixture
def token_for():
    settings = ServiceSettings(service_name="test")

    def token_for(officer_id: str, role: Role) -> str:
        return issue_dev_token(settings, officer_id=officer_id, role=role)

    return token_for
