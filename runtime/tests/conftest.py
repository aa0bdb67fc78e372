"""A database client that notes what it reads, for the tests that hold the runtime to a number of
queries."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring


class Finds(monitoring.CommandListener):
    """The collection of every ``find`` the client sent, and the name of every command, in order."""

    def __init__(self) -> None:
        self.collections: list[str] = []
        self.commands: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands.append(event.command_name)
        if event.command_name == "find":
            self.collections.append(event.command["find"])

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def watched(servers) -> AsyncIterator[tuple[AsyncMongoClient[Any], Finds]]:
    finds = Finds()
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongodb_url, tz_aware=True, event_listeners=[finds])
    try:
        yield client, finds
    finally:
        await client.close()
