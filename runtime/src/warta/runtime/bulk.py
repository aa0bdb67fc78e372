"""Writes to several collections in one command: MongoDB's ``bulkWrite`` (8.0 and later, and
SecantusDB). The database spends about as much on a command that writes one document as on one
that writes five, so a unit of work's writes that can wait for its end (its aggregates', its step
clocks', its outbox's) go together (ADR 0036)."""

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import ClientBulkWriteException, DuplicateKeyError, OperationFailure, PyMongoError
from pymongo.operations import DeleteMany, InsertOne, ReplaceOne, UpdateOne

from warta.contracts import Conflict

Write = InsertOne[Any] | ReplaceOne[Any] | UpdateOne | DeleteMany

DUPLICATE_KEY = 11000


async def write_together(
    client: AsyncMongoClient[Any],
    writes: Sequence[Write],
    session: AsyncClientSession | None,
    must_match: Mapping[int, str] | None = None,
) -> None:
    """Apply ``writes``, in their order, in one command inside ``session``'s transaction. Each
    write named in ``must_match`` (by its place) that finds no document raises ``Conflict`` with
    the message given.

    Errors come out as a single write's would. PyMongo wraps an error of the whole command (a write
    conflict) in a ``ClientBulkWriteException`` that drops its labels, among them the
    ``TransientTransactionError`` that makes the transaction run again: the command's own error is
    raised instead. A write refused comes out with its own code: a key taken as the
    ``DuplicateKeyError`` callers already tell apart.
    """
    if not writes:
        return
    try:
        result = await client.bulk_write(list(writes), session=session, ordered=True, verbose_results=bool(must_match))
    except ClientBulkWriteException as error:
        if isinstance(error.error, PyMongoError):
            raise error.error from error
        failed: dict[str, Any] = next(iter(error.details.get("writeErrors") or []), {})
        if not failed:
            raise
        kind = DuplicateKeyError if failed.get("code") == DUPLICATE_KEY else OperationFailure
        raise kind(failed.get("errmsg", "write refused"), failed.get("code"), failed) from error
    for place, message in (must_match or {}).items():
        if result.update_results[place].matched_count != 1:
            raise Conflict(message)
