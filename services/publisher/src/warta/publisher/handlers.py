"""The publisher's use cases."""

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from prometheus_client import Counter
from pydantic import AnyHttpUrl
from pymongo import ASCENDING

from warta.contracts import (
    Approved,
    AssetKind,
    CoverageSubmitted,
    FieldProblem,
    IllegalTransition,
    InvalidInput,
    NotFound,
    RequestReceived,
    ReviewLevel,
    SocialChannel,
)
from warta.runtime import Clock, Principal, RetryLater, ServiceMetrics, Tx, UnitOfWork
from warta.runtime.faults import fault_point

from .domain import Publication, PublicationState, SocialPackage, Submission
from .mail import Delivery, DeliveryState, deliveries_for, message_for
from .mailer import Mailer
from .registry import Contact, RowProblem, parse_csv, to_csv
from .store import DeliveryLedger, PublisherStore, RegistryStore


class PublisherHandlers:
    def __init__(self, store: PublisherStore, uow: UnitOfWork, clock: Clock, metrics: ServiceMetrics) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._metrics = metrics

    async def note_arrival(self, received: RequestReceived) -> None:
        async def work(tx: Tx) -> None:
            await self._store.note_arrival(tx, received.data.request_id, received.data.received_at)

        await self._uow.run(work, consumes=received)

    async def keep_submission(self, submitted: CoverageSubmitted) -> None:
        async def work(tx: Tx) -> None:
            await self._store.keep_submission(tx, Submission.of(submitted))

        await self._uow.run(work, consumes=submitted)

    async def order_publication(self, approved: Approved) -> None:
        """Only the section head's approval orders publication; the team lead's passes it on."""
        if approved.data.level is not ReviewLevel.SECTION_HEAD:
            return

        async def work(tx: Tx) -> None:
            submission = await self._store.get_submission(tx, approved.data.request_id, approved.data.version)
            if submission is None:
                # Consumers of different subjects do not share an order: the version's content
                # may still be on its way.
                raise RetryLater(f"version {approved.data.version} of {approved.data.request_id} not received yet")
            if await self._store.publications.get(approved.data.request_id, tx) is None:
                await self._store.publications.insert(tx, Publication.order(approved, submission))

        await self._uow.run(work, consumes=approved)

    async def record_publication(self, request_id: str, *, website_url: AnyHttpUrl, officer: Principal) -> Publication:
        now = self._clock.now()

        async def work(tx: Tx) -> Publication:
            publication = await self._store.publications.get(request_id, tx)
            if publication is None:
                raise IllegalTransition(
                    current="not_ordered",
                    attempted="publish",
                    message=f"request {request_id} has no publication ordered by the section head",
                )
            publication.record(website_url=website_url, now=now, actor=officer.actor)
            await self._store.publications.save(tx, publication)
            tx.emit(*publication.events)
            return publication

        publication = await self._uow.run(work)
        self._metrics.step_finished(7, publication.ordered_at, now)
        received_at = await self._store.arrival(request_id)
        if received_at is not None:
            self._metrics.request_finished(received_at, now)
        return publication

    async def record_social(
        self, request_id: str, channel: SocialChannel, *, url: AnyHttpUrl, officer: Principal
    ) -> SocialPackage:
        now = self._clock.now()

        async def work(tx: Tx) -> SocialPackage:
            publication = await self._store.publications.get(request_id, tx)
            if publication is None:
                raise NotFound(f"no publication for request {request_id}")
            package = publication.record_social(channel, url=url, now=now, actor=officer.actor)
            if publication.revision != publication.loaded_revision:
                await self._store.publications.save(tx, publication)
            return package

        return await self._uow.run(work)

    async def get(self, request_id: str) -> Publication:
        publication = await self._store.publications.get(request_id)
        if publication is None:
            raise NotFound(f"no publication for request {request_id}")
        return publication

    async def list(self, state: PublicationState, limit: int) -> list[Publication]:
        return await self._store.publications.find(
            {"state": state.value}, sort=[("ordered_at", ASCENDING)], limit=limit
        )


@dataclass(frozen=True)
class ImportReport:
    dry_run: bool
    outlets: int
    contacts_added: int
    contacts_updated: int
    problems: list[RowProblem]


class RegistryHandlers:
    """The media registry's use cases: import (checked whole first), export, opt-out."""

    def __init__(self, store: RegistryStore, uow: UnitOfWork, clock: Clock) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock

    async def import_csv(self, text: str, *, dry_run: bool) -> ImportReport:
        parsed = parse_csv(text)
        existing = {c.email: c for c in await self._store.contacts()}
        added = sum(c.email not in existing for c in parsed.contacts)
        report = ImportReport(
            dry_run=dry_run,
            outlets=len(parsed.outlets),
            contacts_added=added,
            contacts_updated=len(parsed.contacts) - added,
            problems=parsed.problems,
        )
        if dry_run:
            return report
        if parsed.problems:
            raise InvalidInput(
                f"{len(parsed.problems)} bad rows; nothing was imported",
                fields=[FieldProblem(f"rows.{p.row}.{p.field}", p.message) for p in parsed.problems],
            )

        async def work(tx: Tx) -> None:
            for outlet in parsed.outlets:
                await self._store.put_outlet(tx, outlet)
            for contact in parsed.contacts:
                before = existing.get(contact.email)
                # An opt-out is the contact's own wish: a spreadsheet does not undo it.
                kept = contact.model_copy(update={"opted_out_at": before.opted_out_at if before else None})
                await self._store.put_contact(tx, kept)

        await self._uow.run(work)
        return report

    async def export_csv(self) -> str:
        return to_csv(await self._store.outlets(), await self._store.contacts())

    async def contacts(self) -> list[Contact]:
        return await self._store.contacts()

    async def opt_out(self, email: str) -> Contact:
        contact = await self._store.contact(email.strip().lower())
        if contact is None:
            raise NotFound(f"no contact {email}")
        if contact.opted_out_at is None:
            contact.opted_out_at = self._clock.now()
            await self._store.put_contact(None, contact)
        return contact


@dataclass(frozen=True)
class FanoutReport:
    recipients: int
    sent: int
    waiting: int
    failed: int


class EmailHandlers:
    """Step 7's email: the release to every active contact of the registry, once each."""

    def __init__(
        self,
        publications: PublisherStore,
        registry: RegistryStore,
        ledger: DeliveryLedger,
        mailer: Mailer,
        clock: Clock,
        metrics: ServiceMetrics,
        *,
        sender: str,
        public_url: str,
        concurrency: int,
        per_second: float,
        retry_window: timedelta = timedelta(seconds=10),
    ) -> None:
        self._publications = publications
        self._registry = registry
        self._ledger = ledger
        self._mailer = mailer
        self._clock = clock
        self._sender = sender
        self._public_url = public_url.rstrip("/")
        self._concurrency = concurrency
        self._interval = 1 / per_second
        self._retry_window = retry_window
        self._emails = Counter(
            "warta_media_emails",
            "Emails to media contacts by outcome of each attempt: sent, transient (retried), failed.",
            ["outcome"],
            registry=metrics.registry,
        )

    async def send(self, request_id: str) -> FanoutReport:
        """Send what is due until nothing more is due within the retry window; repeatable."""
        publication = await self._publications.publications.get(request_id)
        if publication is None or publication.website_url is None:
            raise IllegalTransition(
                current=publication.state.value if publication else "not_ordered",
                attempted="email the media",
                message="the release is emailed with its website link: publish it on the website first",
            )
        publication.require_embargo_over(self._clock.now(), "email the media")
        for delivery in deliveries_for(request_id, publication.version, await self._registry.contacts()):
            await self._ledger.open(delivery)
        gate = asyncio.Semaphore(self._concurrency)
        pace = asyncio.Lock()

        async def deliver(delivery: Delivery) -> None:
            async with gate:
                if not await self._ledger.claim(delivery):
                    return
                async with pace:  # the relay's rate: one message per interval
                    await asyncio.sleep(self._interval)
                message = message_for(
                    delivery,
                    publication.press_release,
                    photos=tuple(a for a in publication.assets if a.kind is AssetKind.PHOTO),
                    website_url=str(publication.website_url),
                    sender=self._sender,
                    opt_out_url=f"{self._public_url}/media/contacts/{delivery.email}/opt-out",
                    domain="warta.tangerangkota.go.id",
                )
                refusal = await self._mailer.send(message)
                now = self._clock.now()
                if refusal is None:
                    delivery.accepted(now)
                else:
                    delivery.refused(*refusal, now)
                await self._ledger.record(delivery)
                self._emails.labels(delivery.state.value).inc()
                fault_point("email.after_record")

        while True:
            now = self._clock.now()
            entries = await self._ledger.of(request_id, publication.version)
            due = [d for d in entries if d.due(now)]
            if due:
                await asyncio.gather(*(deliver(d) for d in due))
                continue
            soon = [d.retry_at for d in entries if d.state is DeliveryState.TRANSIENT and d.retry_at]
            if not soon or min(soon) - now > self._retry_window:
                break
            await asyncio.sleep(max(0.0, (min(soon) - now).total_seconds()))
        counts = await self._ledger.counts(request_id, publication.version)
        return FanoutReport(
            recipients=sum(counts.values()),
            sent=counts[DeliveryState.SENT.value],
            waiting=counts[DeliveryState.TRANSIENT.value] + counts[DeliveryState.PENDING.value],
            failed=counts[DeliveryState.FAILED.value],
        )

    async def deliveries(self, request_id: str) -> list[Delivery]:
        publication = await self._publications.publications.get(request_id)
        if publication is None:
            raise NotFound(f"no publication for request {request_id}")
        return await self._ledger.of(request_id, publication.version)
