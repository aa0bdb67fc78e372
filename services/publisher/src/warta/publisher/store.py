"""The publisher's own database: submitted versions and publications."""

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import Conflict
from warta.runtime import Tx
from warta.runtime.documents import from_document, to_document

from .domain import Publication, PublicationState, Submission

SUBMISSIONS = "submissions"
PUBLICATIONS = "publications"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[PUBLICATIONS].create_index([("state", ASCENDING), ("ordered_at", ASCENDING)])


class PublisherStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._submissions = db[SUBMISSIONS]
        self._publications = db[PUBLICATIONS]

    async def keep_submission(self, tx: Tx, submission: Submission) -> None:
        key = f"{submission.request_id}:{submission.version}"
        await self._submissions.replace_one(
            {"_id": key}, to_document(submission, _id=key), upsert=True, session=tx.session
        )

    async def get_submission(self, tx: Tx, request_id: str, version: int) -> Submission | None:
        doc = await self._submissions.find_one({"_id": f"{request_id}:{version}"}, session=tx.session)
        return from_document(Submission, doc) if doc else None

    async def insert(self, tx: Tx, publication: Publication) -> None:
        await self._publications.insert_one(to_document(publication, _id=publication.request_id), session=tx.session)

    async def save(self, tx: Tx, publication: Publication) -> None:
        result = await self._publications.replace_one(
            {"_id": publication.request_id, "revision": publication.revision - 1},
            to_document(publication, _id=publication.request_id),
            session=tx.session,
        )
        if result.matched_count != 1:
            raise Conflict(f"publication {publication.request_id} was changed by someone else; reload and try again")

    async def get(self, request_id: str, tx: Tx | None = None) -> Publication | None:
        doc = await self._publications.find_one({"_id": request_id}, session=tx.session if tx else None)
        return from_document(Publication, doc) if doc else None

    async def list(self, state: PublicationState, limit: int) -> list[Publication]:
        cursor = self._publications.find({"state": state.value}).sort("ordered_at", ASCENDING).limit(limit)
        return [from_document(Publication, doc) async for doc in cursor]
