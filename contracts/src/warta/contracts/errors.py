"""The refusals every Warta API can answer with.

Domain code raises these; each service's HTTP adapter maps them to a status and the JSON error
body ``{"error": code, "message": ..., "fields": [{"field": ..., "message": ...}]}``, which is
itself a contract: the console shows ``fields`` next to the inputs they name.
"""

from dataclasses import dataclass


@dataclass
class FieldProblem:
    """One field's problem. ``type`` and ``limits`` name the rule and its numbers, so a face in
    another language (the console) can say it in its own words; ``message`` says it in English."""

    field: str
    message: str
    type: str | None = None
    limits: dict[str, str] | None = None


class DomainError(Exception):
    """Base of every refusal; ``code`` is a stable machine-readable name."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or []


class InvalidInput(DomainError):
    """The input is well-formed but breaks a rule of the SOP (e.g. coverage without photos)."""

    status = 422
    code = "invalid_input"


class PayloadTooLarge(DomainError):
    """An upload is bigger than the limit for its kind (e.g. a letter scan over 20 MB)."""

    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    """An upload's bytes are not one of the types accepted for its kind."""

    status = 415
    code = "unsupported_media_type"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """The officer's role or relation to the request does not allow this action."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The action collides with existing data (e.g. a letter registered twice)."""

    status = 409
    code = "conflict"


class IllegalTransition(Conflict):
    """The action is not allowed in the current state (e.g. approving before submission)."""

    code = "illegal_transition"

    def __init__(self, *, current: str, attempted: str, message: str | None = None) -> None:
        super().__init__(message or f"cannot {attempted} while the state is {current!r}")
        self.current = current
        self.attempted = attempted


class TooManyRequests(DomainError):
    """One officer or address asked more often than the service allows (sign-ins, uploads)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
