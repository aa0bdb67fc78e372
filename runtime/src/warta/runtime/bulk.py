"""Writes to several collections in one command: MongoDB's ``bulkWrite`` (8.0 and later, and
SecantusDB). The database spends about as much on a command that writes one document as on one
that writes five, so the writes a unit of work adds after its body (step clocks, outbox) go
together (ADR 0036)."""

from collections.abc import Sequence
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import ClientBulkWriteException, PyMongoError
from pymongo.operations import InsertOne, ReplaceOne, UpdateOne

Write = InsertOne[Any] | ReplaceOne[Any] | UpdateOne


async def write_together(
    client: AsyncMongoClient[Any], writes: Sequence[Write], session: AsyncClientSession | None
) -> None:
    """Apply ``writes``, in their order, in one command inside ``session``'s transaction.

    PyMongo wraps an error of the whole command (a write conflict) in a ``ClientBulkWriteException``
    that drops the error's labels, and with them the ``TransientTransactionError`` that makes the
    transaction run again; the command's own error is raised instead, as a single write raises it.
    An error of one write (a key taken) stays wrapped, and fails the transaction.
    """
    if not writes:
        return
    try:
        await client.bulk_write(list(writes), session=session, ordered=True)
    except ClientBulkWriteException as error:
        if isinstance(error.error, PyMongoError):
            raise error.error from error
        raise
