"""The coverage service's HTTP API: the team's workspace and its submissions (step 4)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status
from pydantic import BaseModel, Field

from warta.contracts import AssetRef, PressRelease
from warta.runtime import Officer
from warta.runtime.http import service_handlers

from .domain import CoverageVersion, Workspace
from .handlers import CoverageHandlers

router = APIRouter(prefix="/coverage", tags=["coverage"])
Handlers = Annotated[CoverageHandlers, Depends(service_handlers)]


class SubmitCoverage(BaseModel):
    press_release: PressRelease
    assets: tuple[AssetRef, ...] = Field(default=(), max_length=200)


@router.get("/{request_id}")
async def get_workspace(request_id: str, officer: Officer, handlers: Handlers) -> Workspace:
    return await handlers.get(request_id)


@router.post("/{request_id}/submissions", status_code=status.HTTP_201_CREATED)
async def submit(request_id: str, body: SubmitCoverage, officer: Officer, handlers: Handlers) -> CoverageVersion:
    # Who may submit depends on the assignment's members: the domain decides (403 otherwise).
    return await handlers.submit(request_id, press_release=body.press_release, assets=body.assets, officer=officer)


@router.get("/{request_id}/versions/{version}")
async def get_version(
    request_id: str, version: Annotated[int, Path(ge=1)], officer: Officer, handlers: Handlers
) -> CoverageVersion:
    return await handlers.get_version(request_id, version)
