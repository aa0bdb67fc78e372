"""The review service's own database: one review per request with its decision history."""

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.runtime.documents import AggregateCollection

from .domain import Review

REVIEWS = "reviews"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[REVIEWS].create_index([("state", ASCENDING), ("waiting_since", ASCENDING)])


def reviews(db: AsyncDatabase[Any]) -> AggregateCollection[Review]:
    return AggregateCollection(db[REVIEWS], Review, lambda r: r.request_id)
