"""Turning pydantic state into MongoDB documents and back."""

from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from pydantic import AnyUrl, BaseModel

M = TypeVar("M", bound=BaseModel)


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


def from_document(cls: type[M], doc: dict[str, Any]) -> M:
    return cls.model_validate({k: v for k, v in doc.items() if k != "_id"})
