"""Log lines an operator can follow one request by.

One JSON object per line on stdout where the cluster collects them (``log_format="json"``),
readable text in the dev stack. Every line names its time, level, service and logger; a line
written while an event is handled or an officer's HTTP call is answered also names the request,
the event and its type, and the officer, as bound for that work (``bound``). Warta's own loggers
speak at INFO; every other library's at WARNING unless ``log_levels`` asks for more (a disposition
sheet's font subsetting would otherwise fill the intake's log)."""

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

from . import tracing

LogFormat = Literal["json", "text"]
# What a line may carry beyond its time, level, service, logger and message, where known.
CONTEXT = ("request_id", "event_id", "event_type", "officer_id", "trace_id", "span_id")

_context: ContextVar[dict[str, str]] = ContextVar("warta_log_context", default={})  # noqa: B039 (never mutated)


@contextmanager
def bound(**fields: str | None) -> Iterator[None]:
    """Every line logged inside names these (those not None), besides what was bound around it."""
    token = _context.set(_context.get() | {name: value for name, value in fields.items() if value is not None})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: str | None) -> None:
    """Name these on every later line of the current task: once an HTTP call's officer is known."""
    _context.set(_context.get() | {name: value for name, value in fields.items() if value is not None})


def current(name: str) -> str | None:
    """What is bound for ``name`` in the work now running: the event type being handled, the officer calling."""
    return _context.get().get(name)


class _Context(logging.Filter):
    """Puts the service and the bound fields on each record (a field the call named itself wins)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        for name, value in (_context.get() | tracing.ids_now()).items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class _Text(logging.Formatter):
    """``time service LEVEL logger: message [request_id=… event_type=…]``."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        known = " ".join(f"{name}={getattr(record, name)}" for name in CONTEXT if hasattr(record, name))
        return f"{line} [{known}]" if known else line


def formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(
            ["levelname", "service", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            json_ensure_ascii=False,
        )
    return _Text("%(asctime)s %(service)s %(levelname)s %(name)s: %(message)s")


def configure(service: str, log_format: LogFormat, levels: dict[str, str] | None = None) -> None:
    """The process's logging: one handler on stdout, the chosen format, the levels."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_Context(service))
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("warta").setLevel(logging.INFO)
    # FastStream's own lines come through the bus's logger (bus.py): a line per message and per
    # finished task, a library's chatter like any other's.
    logging.getLogger(f"warta.{service}.bus").setLevel(logging.WARNING)
    for name, level in (levels or {}).items():
        logging.getLogger(name).setLevel(level.upper())
