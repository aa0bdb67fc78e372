"""The coverage service's own database: workspaces and their immutable versions."""

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.runtime import Tx
from warta.runtime.documents import AggregateCollection, from_document, to_document

from .domain import CoverageVersion, Workspace

WORKSPACES = "workspaces"
VERSIONS = "versions"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[VERSIONS].create_index([("request_id", ASCENDING), ("version", ASCENDING)], unique=True)


class CoverageStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.workspaces = AggregateCollection(db[WORKSPACES], Workspace, lambda w: w.request_id)
        self._versions = db[VERSIONS]

    async def add_version(self, tx: Tx, version: CoverageVersion) -> None:
        """Versions are only ever inserted: the unique index refuses a second version N."""
        await self._versions.insert_one(
            to_document(version, _id=f"{version.request_id}:{version.version}"), session=tx.session
        )

    async def get_version(self, request_id: str, version: int) -> CoverageVersion | None:
        doc = await self._versions.find_one({"_id": f"{request_id}:{version}"})
        return from_document(CoverageVersion, doc) if doc else None
