"""The coverage service's own database: workspaces and their immutable versions."""

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import Conflict
from warta.runtime import Tx
from warta.runtime.documents import from_document, to_document

from .domain import CoverageVersion, Workspace

WORKSPACES = "workspaces"
VERSIONS = "versions"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[VERSIONS].create_index([("request_id", ASCENDING), ("version", ASCENDING)], unique=True)


class CoverageStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._workspaces = db[WORKSPACES]
        self._versions = db[VERSIONS]

    async def insert(self, tx: Tx, workspace: Workspace) -> None:
        await self._workspaces.insert_one(to_document(workspace, _id=workspace.request_id), session=tx.session)

    async def save(self, tx: Tx, workspace: Workspace) -> None:
        result = await self._workspaces.replace_one(
            {"_id": workspace.request_id, "revision": workspace.revision - 1},
            to_document(workspace, _id=workspace.request_id),
            session=tx.session,
        )
        if result.matched_count != 1:
            raise Conflict(f"workspace {workspace.request_id} was changed by someone else; reload and try again")

    async def get(self, request_id: str, tx: Tx | None = None) -> Workspace | None:
        doc = await self._workspaces.find_one({"_id": request_id}, session=tx.session if tx else None)
        return from_document(Workspace, doc) if doc else None

    async def add_version(self, tx: Tx, version: CoverageVersion) -> None:
        """Versions are only ever inserted: the unique index refuses a second version N."""
        await self._versions.insert_one(
            to_document(version, _id=f"{version.request_id}:{version.version}"), session=tx.session
        )

    async def get_version(self, request_id: str, version: int) -> CoverageVersion | None:
        doc = await self._versions.find_one({"_id": f"{request_id}:{version}"})
        return from_document(CoverageVersion, doc) if doc else None
