"""The media registry over HTTP: import and export as CSV, the contacts, opt-outs."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from warta.contracts import FieldProblem, PayloadTooLarge, Role
from warta.runtime import Officer, Principal, acting_as, spreadsheet
from warta.runtime.http import FILE_REFUSALS, csv_download, raw_body
from warta.runtime.indonesian import format_size
from warta.runtime.ratelimit import COUNTED_UPLOAD

from .handlers import RegistryHandlers
from .registry import Contact, RowProblem

router = APIRouter(prefix="/media", tags=["media registry"])
MAX_CSV_BYTES = 5 * 1024 * 1024
KEEPERS = (Role.ADMIN, Role.TEAM_LEAD, Role.COVERAGE_TEAM)


def registry_of(request: Request) -> RegistryHandlers:
    handlers: RegistryHandlers = request.app.state.registry
    return handlers


async def registry_handlers(request: Request) -> RegistryHandlers:
    """FastAPI dependency (a coroutine, not handed to a worker thread): the media registry."""
    return registry_of(request)


Registry = Annotated[RegistryHandlers, Depends(registry_handlers)]


class ImportAnswer(BaseModel):
    dry_run: bool
    outlets: int
    contacts_added: int
    contacts_updated: int
    problems: list[RowProblem]


@router.post(
    "/import",
    responses=FILE_REFUSALS,
    dependencies=[COUNTED_UPLOAD],
    openapi_extra=raw_body("text/csv", description="The media registry as CSV"),
)
async def import_registry(
    request: Request,
    officer: Annotated[Principal, acting_as(*KEEPERS, action="keeping the media registry")],
    registry: Registry,
    dry_run: bool = True,
) -> ImportAnswer:
    """The registry as CSV in the body. A dry run (the default) reports every bad row and writes
    nothing; a real import of a file with any bad row is refused whole."""
    body = bytearray()
    async for piece in request.stream():
        body += piece
        if len(body) > MAX_CSV_BYTES:
            problem = FieldProblem(
                "file",
                "must be at most 5 MB",
                type="file_too_large",
                limits={"limit": format_size(MAX_CSV_BYTES), "max_bytes": str(MAX_CSV_BYTES)},
            )
            raise PayloadTooLarge("the file is over 5 MB", fields=[problem])
    report = await registry.import_csv(spreadsheet.text_of(bytes(body)), dry_run=dry_run)
    return ImportAnswer(**report.__dict__)


@router.get("/export.csv", response_class=Response)
async def export_registry(officer: Officer, registry: Registry) -> Response:
    return csv_download(await registry.export_csv(), "daftar-media.csv")


class ContactView(Contact):
    """A contact with its outlet's name, as an officer reads the registry."""

    outlet: str


@router.get("/contacts")
async def contacts(officer: Officer, registry: Registry) -> list[ContactView]:
    names = await registry.outlet_names()
    return [
        ContactView(**c.model_dump(), outlet=names.get(c.outlet_key, c.outlet_key)) for c in await registry.contacts()
    ]


@router.post("/contacts/{email}/opt-out")
async def opt_out(
    email: str, officer: Annotated[Principal, acting_as(*KEEPERS, action="recording an opt-out")], registry: Registry
) -> Contact:
    return await registry.opt_out(email)
