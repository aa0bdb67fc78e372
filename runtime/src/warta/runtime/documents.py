"""Aggregates in MongoDB: conversion to documents and a collection with optimistic concurrency."""

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import AnyUrl, BaseModel
from pymongo import DeleteMany, InsertOne, ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection

from .aggregate import Aggregate
from .tx import Tx

M = TypeVar("M", bound=BaseModel)
A = TypeVar("A", bound=Aggregate)


def _bson_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _bson_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_bson_value(v) for v in value]
    if isinstance(value, datetime):
        return value  # BSON keeps milliseconds; nothing in the SOP is finer than that
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID | AnyUrl):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def to_document(model: BaseModel, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = _bson_value(model.model_dump(mode="python"))
    doc.update(extra)
    return doc


def from_document(cls: type[M], doc: Mapping[str, Any]) -> M:
    return cls.model_validate({k: v for k, v in doc.items() if k != "_id"})


def insert_later(tx: Tx, collection: AsyncCollection[Any], document: dict[str, Any]) -> None:
    """Insert ``document`` with the unit of work's own writes, at its end (ADR 0036); a key taken
    fails the transaction with ``DuplicateKeyError`` then. Nothing in the transaction may read it
    back: a read by key can check with ``tx.require_written``; a read by query cannot be checked."""
    namespace = collection.full_name
    tx.write_later(InsertOne(document, namespace=namespace), (namespace, document["_id"]))


def put_later(tx: Tx, collection: AsyncCollection[Any], document: dict[str, Any]) -> None:
    """Write ``document`` over the one with its key, or as a new one, at the unit of work's end."""
    namespace = collection.full_name
    key = document["_id"]
    tx.write_later(ReplaceOne({"_id": key}, document, upsert=True, namespace=namespace), (namespace, key))


def delete_later(tx: Tx, collection: AsyncCollection[Any], field: str, value: Any) -> None:
    """Delete the documents whose ``field`` is ``value``, at the unit of work's end, before any
    write queued after this one."""
    namespace = collection.full_name
    tx.write_later(DeleteMany({field: value}, namespace=namespace), (namespace, (field, value)))


class AggregateCollection(Generic[A]):
    """One kind of aggregate in one collection, keyed by ``key(aggregate)``.

    ``save`` replaces the document only if its stored revision is the one the aggregate was loaded
    at, so two officers acting at once cannot overwrite each other silently.

    An aggregate is written at the end of its unit of work, with the unit of work's own writes in
    one command (ADR 0036): ``insert`` and ``save`` take its document as it is when they are
    called, and the body that calls them does not read it back. A key taken fails the transaction
    with ``DuplicateKeyError``, a revision changed meanwhile with ``Conflict``.
    """

    def __init__(self, collection: AsyncCollection[Any], cls: type[A], key: Callable[[A], str]) -> None:
        self.collection = collection
        self._cls = cls
        self._key = key

    async def insert(self, tx: Tx, aggregate: A) -> None:
        key = self._key(aggregate)
        namespace = self.collection.full_name
        tx.write_later(InsertOne(to_document(aggregate, _id=key), namespace=namespace), (namespace, key))

    async def insert_many(self, tx: Tx, aggregates: list[A]) -> None:
        for aggregate in aggregates:
            await self.insert(tx, aggregate)

    async def save(self, tx: Tx, aggregate: A) -> None:
        key = self._key(aggregate)
        namespace = self.collection.full_name
        tx.write_later(
            ReplaceOne(
                {"_id": key, "revision": aggregate.loaded_revision},
                to_document(aggregate, _id=key),
                namespace=namespace,
            ),
            (namespace, key),
            conflict=f"{key} was changed by someone else at the same time; reload and try again",
        )

    async def get(self, key: str, tx: Tx | None = None) -> A | None:
        if tx is not None:
            tx.require_written(self.collection.full_name, key)
        doc = await self.collection.find_one({"_id": key}, session=tx.session if tx else None)
        return from_document(self._cls, doc) if doc else None

    async def get_many(self, keys: Iterable[str], tx: Tx | None = None) -> dict[str, A]:
        """The aggregates with these keys that exist, by key."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        if tx is not None:
            for key in wanted:
                tx.require_written(self.collection.full_name, key)
        cursor = self.collection.find({"_id": {"$in": wanted}}, session=tx.session if tx else None)
        return {doc["_id"]: from_document(self._cls, doc) async for doc in cursor}

    async def find(
        self, query: Mapping[str, Any], *, sort: list[tuple[str, int]], limit: int, skip: int = 0
    ) -> list[A]:
        cursor = self.collection.find(dict(query)).sort(sort).skip(skip).limit(limit)
        return [from_document(self._cls, doc) async for doc in cursor]
