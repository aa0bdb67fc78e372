"""The publisher's HTTP API: what is ready to publish, publishing it, and its record (step 7)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AnyHttpUrl, BaseModel, BeforeValidator
from pydantic_core import PydanticCustomError

from warta.contracts import Role, SocialChannel
from warta.runtime import Officer, Principal, acting_as
from warta.runtime.http import service_handlers

from .domain import Owed, Publication, PublicationState, SocialPackage
from .handlers import Channel, PublisherHandlers
from .mail import Delivery

router = APIRouter(prefix="/publications", tags=["publications"])


class PublicationView(Publication):
    """A publication with what it still owes (``still_owed``)."""

    still_owed: Owed

    @classmethod
    def of(cls, publication: Publication) -> "PublicationView":
        return cls.model_validate({**publication.model_dump(), "still_owed": publication.owed()})


# Step 7's people: the assigned team (the publication checks membership) and the team lead.
PUBLISHERS = (Role.COVERAGE_TEAM, Role.TEAM_LEAD)
Handlers = Annotated[PublisherHandlers, Depends(service_handlers)]


@router.get("")
async def list_publications(
    officer: Officer,
    handlers: Handlers,
    state: PublicationState = PublicationState.READY,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[PublicationView]:
    return [PublicationView.of(p) for p in await handlers.list(state, limit)]


@router.get("/{request_id}")
async def get_publication(request_id: str, officer: Officer, handlers: Handlers) -> PublicationView:
    return PublicationView.of(await handlers.get(request_id))


@router.post("/{request_id}/publish")
async def publish(
    request_id: str,
    officer: Annotated[Principal, acting_as(*PUBLISHERS, action="publishing")],
    handlers: Handlers,
    channel: Channel | None = None,
) -> PublicationView:
    """Publish on the website and email the media, or retry one channel; nothing is done twice."""
    return PublicationView.of(await handlers.publish(request_id, officer=officer, only=channel))


@router.post("/{request_id}/emails/retry")
async def email_failed_again(
    request_id: str,
    officer: Annotated[Principal, acting_as(*PUBLISHERS, action="publishing")],
    handlers: Handlers,
) -> PublicationView:
    """Send each media email that failed for good once more (after its cause is put right)."""
    return PublicationView.of(await handlers.email_failed_again(request_id, officer=officer))


def _whole_address(value: Any) -> Any:
    """An address typed with a space inside is a typo: taken as it is, the space would be encoded
    into a link to no page, and that link goes out to the media."""
    if isinstance(value, str) and any(c.isspace() for c in value.strip()):
        raise PydanticCustomError("url_parsing", "a web address has no spaces in it")
    return value


# The address of a page or post an officer made by hand, as typed into a form.
WebAddress = Annotated[AnyHttpUrl, BeforeValidator(_whole_address)]


class RecordWebsite(BaseModel):
    website_url: WebAddress


@router.post("/{request_id}/website")
async def record_website(
    request_id: str,
    body: RecordWebsite,
    officer: Annotated[Principal, acting_as(*PUBLISHERS, action="publishing")],
    handlers: Handlers,
) -> PublicationView:
    """The address of a website post made by hand, when no channel is connected or it is down."""
    return PublicationView.of(await handlers.record_website(request_id, website_url=body.website_url, officer=officer))


@router.get("/{request_id}/deliveries")
async def deliveries(request_id: str, officer: Officer, handlers: Handlers) -> list[Delivery]:
    return await handlers.deliveries(request_id)


class PostedUrl(BaseModel):
    url: WebAddress


@router.post("/{request_id}/social/{channel}")
async def record_social_post(
    request_id: str,
    channel: SocialChannel,
    body: PostedUrl,
    officer: Annotated[Principal, acting_as(*PUBLISHERS, action="posting on social media")],
    handlers: Handlers,
) -> SocialPackage:
    """The address of a post an officer made by hand from its package (in the publication)."""
    return await handlers.record_social(request_id, channel, url=body.url, officer=officer)
