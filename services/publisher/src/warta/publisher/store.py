"""The publisher's own database: submitted versions and publications."""

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.runtime import Tx
from warta.runtime.documents import AggregateCollection, from_document, to_document

from .domain import Publication, Submission

SUBMISSIONS = "submissions"
PUBLICATIONS = "publications"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[PUBLICATIONS].create_index([("state", ASCENDING), ("ordered_at", ASCENDING)])


class PublisherStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.publications = AggregateCollection(db[PUBLICATIONS], Publication, lambda p: p.request_id)
        self._submissions = db[SUBMISSIONS]

    async def keep_submission(self, tx: Tx, submission: Submission) -> None:
        key = f"{submission.request_id}:{submission.version}"
        await self._submissions.replace_one(
            {"_id": key}, to_document(submission, _id=key), upsert=True, session=tx.session
        )

    async def get_submission(self, tx: Tx, request_id: str, version: int) -> Submission | None:
        doc = await self._submissions.find_one({"_id": f"{request_id}:{version}"}, session=tx.session)
        return from_document(Submission, doc) if doc else None
