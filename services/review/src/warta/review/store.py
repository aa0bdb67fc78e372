"""The review service's own database: one review per request with its decision history, a copy
of every submitted version, and the reviewers' comments."""

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.runtime import Tx
from warta.runtime.documents import AggregateCollection, from_document, put_later, to_document

from .domain import Review
from .versions import Comment, SubmittedVersion

REVIEWS = "reviews"
VERSIONS = "versions"
COMMENTS = "comments"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[REVIEWS].create_index([("state", ASCENDING), ("waiting_since", ASCENDING)])
    await db[COMMENTS].create_index([("request_id", ASCENDING), ("written_at", ASCENDING)])


class ReviewStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.reviews = AggregateCollection(db[REVIEWS], Review, lambda r: r.request_id)
        self._versions = db[VERSIONS]
        self._comments = db[COMMENTS]

    async def keep_version(self, tx: Tx, version: SubmittedVersion) -> None:
        key = f"{version.request_id}:{version.version}"
        put_later(tx, self._versions, to_document(version, _id=key))

    async def version(self, request_id: str, version: int) -> SubmittedVersion | None:
        doc = await self._versions.find_one({"_id": f"{request_id}:{version}"})
        return from_document(SubmittedVersion, doc) if doc else None

    async def add_comment(self, comment: Comment) -> None:
        await self._comments.insert_one(to_document(comment, _id=comment.comment_id))

    async def comment(self, request_id: str, comment_id: str) -> Comment | None:
        doc = await self._comments.find_one({"_id": comment_id, "request_id": request_id})
        return from_document(Comment, doc) if doc else None

    async def save_comment(self, comment: Comment) -> None:
        await self._comments.replace_one({"_id": comment.comment_id}, to_document(comment, _id=comment.comment_id))

    async def comments(self, request_id: str) -> list[Comment]:
        cursor = self._comments.find({"request_id": request_id}).sort("written_at", ASCENDING)
        return [from_document(Comment, doc) async for doc in cursor]
