"""The review service's own database: one review per request with its decision history."""

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import Conflict
from warta.runtime import Tx
from warta.runtime.documents import from_document, to_document

from .domain import Review, ReviewState

REVIEWS = "reviews"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[REVIEWS].create_index([("state", ASCENDING), ("waiting_since", ASCENDING)])


class ReviewStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._reviews = db[REVIEWS]

    async def insert(self, tx: Tx, review: Review) -> None:
        await self._reviews.insert_one(to_document(review, _id=review.request_id), session=tx.session)

    async def save(self, tx: Tx, review: Review) -> None:
        result = await self._reviews.replace_one(
            {"_id": review.request_id, "revision": review.revision - 1},
            to_document(review, _id=review.request_id),
            session=tx.session,
        )
        if result.matched_count != 1:
            raise Conflict(f"review {review.request_id} was changed by someone else; reload and try again")

    async def get(self, request_id: str, tx: Tx | None = None) -> Review | None:
        doc = await self._reviews.find_one({"_id": request_id}, session=tx.session if tx else None)
        return from_document(Review, doc) if doc else None

    async def queue(self, state: ReviewState, limit: int) -> list[Review]:
        """What waits at one level, oldest first."""
        cursor = self._reviews.find({"state": state.value}).sort("waiting_since", ASCENDING).limit(limit)
        return [from_document(Review, doc) async for doc in cursor]
