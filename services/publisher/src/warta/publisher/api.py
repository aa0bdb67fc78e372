"""The publisher's HTTP API: what is ready to publish and the record of publication (step 7)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AnyHttpUrl, BaseModel

from warta.contracts import Role, SocialChannel
from warta.runtime import Officer, require_role
from warta.runtime.http import service_handlers

from .domain import Publication, PublicationState, SocialPackage
from .handlers import EmailHandlers, PublisherHandlers
from .mail import Delivery

router = APIRouter(prefix="/publications", tags=["publications"])
Handlers = Annotated[PublisherHandlers, Depends(service_handlers)]


class RecordPublication(BaseModel):
    website_url: AnyHttpUrl


@router.get("")
async def list_publications(
    officer: Officer,
    handlers: Handlers,
    state: PublicationState = PublicationState.READY,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[Publication]:
    return await handlers.list(state, limit)


@router.get("/{request_id}")
async def get_publication(request_id: str, officer: Officer, handlers: Handlers) -> Publication:
    return await handlers.get(request_id)


@router.post("/{request_id}")
async def record_publication(
    request_id: str, body: RecordPublication, officer: Officer, handlers: Handlers
) -> Publication:
    require_role(officer, Role.COVERAGE_TEAM, action="publishing")
    return await handlers.record_publication(request_id, website_url=body.website_url, officer=officer)


def email_handlers(request: Request) -> EmailHandlers:
    handlers: EmailHandlers = request.app.state.email
    return handlers


Email = Annotated[EmailHandlers, Depends(email_handlers)]


class EmailReport(BaseModel):
    recipients: int
    sent: int
    waiting: int
    failed: int


@router.post("/{request_id}/email")
async def email_media(request_id: str, officer: Officer, email: Email) -> EmailReport:
    """Email the published release to every active contact; repeat it to retry what is waiting.
    Nobody gets it twice."""
    require_role(officer, Role.COVERAGE_TEAM, action="emailing the media")
    return EmailReport(**(await email.send(request_id)).__dict__)


@router.get("/{request_id}/deliveries")
async def deliveries(request_id: str, officer: Officer, email: Email) -> list[Delivery]:
    return await email.deliveries(request_id)


class PostedUrl(BaseModel):
    url: AnyHttpUrl


@router.post("/{request_id}/social/{channel}")
async def record_social_post(
    request_id: str, channel: SocialChannel, body: PostedUrl, officer: Officer, handlers: Handlers
) -> SocialPackage:
    """The address of a post an officer made by hand from its package (in the publication)."""
    require_role(officer, Role.COVERAGE_TEAM, action="posting on social media")
    return await handlers.record_social(request_id, channel, url=body.url, officer=officer)
