"""The publisher's use cases."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from prometheus_client import Counter
from pydantic import AnyHttpUrl
from pymongo import ASCENDING

from warta.contracts import (
    Approved,
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
from warta.runtime.mailer import Envelope, Mailer
from warta.runtime.release import render_release
from warta.runtime.sends import WAITING, SendState

from .assets import AssetFetcher
from .domain import EmailTally, Publication, PublicationState, SocialPackage, Submission, WebsiteRecord
from .mail import Delivery, ReleaseEmail, attachable, deliveries_for
from .opt_out import OptOutLinks
from .registry import Contact, RowProblem, parse_csv, to_csv
from .store import DeliveryLedger, PublisherStore, RegistryStore
from .website import ChannelError, Picture, WebsiteChannel, post_for

log = logging.getLogger(__name__)


class Channel(StrEnum):
    WEBSITE = "website"
    EMAIL = "email"


class PublisherHandlers:
    def __init__(
        self,
        store: PublisherStore,
        uow: UnitOfWork,
        clock: Clock,
        metrics: ServiceMetrics,
        *,
        email: "EmailHandlers",
        website: WebsiteChannel | None,
        assets: AssetFetcher,
        category: str,
        website_lease: timedelta,
        publish_hold: timedelta = timedelta(seconds=15),
    ) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._metrics = metrics
        self._email = email
        self._website = website
        self._assets = assets
        self._category = category
        self._website_lease = website_lease
        self._publish_hold = publish_hold
        self._website_attempts = Counter(
            "warta_website_publications",
            "Attempts at publishing on the city website by outcome: published, transient, failed.",
            ["outcome"],
            registry=metrics.registry,
        )

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

    async def publish(self, request_id: str, *, officer: Principal, only: Channel | None = None) -> Publication:
        """Step 7: the website, then the media email; repeat it (for one channel or all) to retry
        what failed. A failed website does not hold back the email, which then goes without the
        link; the publication is complete, and ``Published`` emitted, once both are done."""
        publication = await self._ordered(request_id)
        publication.require_publisher(officer.actor, "publish it")
        publication.require_publishing(self._clock.now(), "publish")
        self._require_a_way(publication, only)  # refused before the hold: a refusal changes nothing
        to_website = self._website is not None and only in (None, Channel.WEBSITE)
        now = self._clock.now()

        def begin(p: Publication) -> None:
            # The press's hold and the website attempt's (when it posts) in one write: a second
            # press meanwhile, or another attempt under way, is refused before anything changes.
            p.begin_publishing(now, self._publish_hold)
            if to_website and p.website is None:
                p.begin_website_attempt(now, self._website_lease)

        publication = await self._change(request_id, begin)
        holding = asyncio.create_task(self._hold_publishing(request_id))
        ended = False
        try:
            publication = await self._publish(publication, request_id, officer=officer, only=only)
            ended = publication.publishing_until is None  # the press's last write released its hold
            return publication
        finally:
            holding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await holding
            try:
                if not ended:
                    await self._change(request_id, lambda p: p.end_publishing())
            except Exception:  # the database away: the hold runs out by itself; keep the first error
                log.warning("the hold on publishing %s was not released; it runs out", request_id, exc_info=True)

    def _require_a_way(self, publication: Publication, only: Channel | None) -> None:
        """The website, by its channel or by an address recorded by hand, before the email (which
        carries its link)."""
        if publication.website is not None:
            return
        if only in (None, Channel.WEBSITE) and self._website is None:
            raise IllegalTransition(
                current="ready",
                attempted="publish on the website",
                message="no website channel is connected: post the release by hand and record its address",
            )
        if only is Channel.EMAIL and publication.website_trouble is None:
            raise IllegalTransition(
                current="ready",
                attempted="email the media",
                message="the release is emailed with its website link: publish it on the website first",
            )

    async def _hold_publishing(self, request_id: str) -> None:
        """Keep a long press of "publish" (a thousand emails, say) its hold, a third at a time."""
        while True:
            await asyncio.sleep(self._publish_hold.total_seconds() / 3)
            try:
                await self._store.hold_publishing(request_id, self._clock.now() + self._publish_hold)
            except Exception:  # the database away for a moment: the press goes on; try at the next third
                log.warning("the hold on publishing %s was not extended; trying again", request_id, exc_info=True)

    async def _publish(
        self, publication: Publication, request_id: str, *, officer: Principal, only: Channel | None
    ) -> Publication:
        """The press's channels in turn; its last write records the outcome, completes the
        publication if it can and releases the press's hold."""
        pictures = _Pictures(self._assets, publication, self._clock.now())
        self._require_a_way(publication, only)
        if only in (None, Channel.WEBSITE) and publication.website is None:
            publication = await self._publish_on_website(publication, request_id, officer, pictures)
        if only not in (None, Channel.EMAIL):
            return await self._complete(request_id, officer, lambda p: p.end_publishing())
        if publication.website is None and publication.website_trouble is None:
            raise IllegalTransition(
                current="ready",
                attempted="email the media",
                message="the release is emailed with its website link: publish it on the website first",
            )
        report = await self._email.send(publication, await pictures.for_email())
        tally = EmailTally(**report.__dict__, at=self._clock.now())

        def emailed(p: Publication) -> None:
            p.emailed(tally)
            p.end_publishing()

        return await self._complete(request_id, officer, emailed)

    async def email_failed_again(self, request_id: str, *, officer: Principal) -> Publication:
        """Every media email that failed for good goes once more, before or after the publication
        is complete: for an officer, once what made it fail is put right (a contact corrected,
        the relay back)."""
        publication = await self._ordered(request_id)
        publication.require_publisher(officer.actor, "email the media")
        publication.require_embargo_over(self._clock.now(), "email the media")
        if publication.email is None:
            raise IllegalTransition(
                current=publication.state.value,
                attempted="email the media again",
                message="the media have not been emailed yet: publish first",
            )
        pictures = _Pictures(self._assets, publication, self._clock.now())
        report = await self._email.send_failed_again(publication, await pictures.for_email())
        tally = EmailTally(**report.__dict__, at=self._clock.now())
        return await self._complete(request_id, officer, lambda p: p.emailed(tally))

    async def record_website(self, request_id: str, *, website_url: AnyHttpUrl, officer: Principal) -> Publication:
        """The address of a post an officer made by hand (no website channel, or it is down)."""
        now = self._clock.now()
        post = WebsiteRecord(channel="manual", url=website_url, recorded_by=officer.officer_id, recorded_at=now)

        def record(publication: Publication) -> None:
            publication.require_publisher(officer.actor, "record its website post")
            publication.require_publishing(now, "record the website post")
            publication.website_published(post)

        return await self._complete(request_id, officer, record)

    async def _publish_on_website(
        self, publication: Publication, request_id: str, officer: Principal, pictures: "_Pictures"
    ) -> Publication:
        """One attempt at the post, under the attempt's hold that the press began with."""
        assert self._website is not None
        now = self._clock.now()
        try:
            release = render_release(publication.press_release)
            post = post_for(request_id, release, await pictures.get(), category=self._category, published_at=now)
            receipt = await self._website.publish(post)
        except ChannelError as failure:
            self._website_attempts.labels("transient" if failure.transient else "failed").inc()
            error, transient, at = failure.message, failure.transient, self._clock.now()
            return await self._change(request_id, lambda p: p.website_failed(error, transient=transient, now=at))
        fault_point("website.before_record")
        self._website_attempts.labels("published").inc()
        done = WebsiteRecord(
            channel=self._website.name,
            url=receipt.url,
            post_id=receipt.post_id,
            picture_urls=receipt.picture_urls,
            recorded_by=officer.officer_id,
            recorded_at=self._clock.now(),
        )
        return await self._change(request_id, lambda p: p.website_published(done))

    async def _ordered(self, request_id: str, tx: Tx | None = None) -> Publication:
        publication = await self._store.publications.get(request_id, tx)
        if publication is None:
            raise IllegalTransition(
                current="not_approved",
                attempted="publish",
                message=f"request {request_id} has no version approved by the section head to publish",
            )
        return publication

    async def _change(self, request_id: str, change: Callable[[Publication], object]) -> Publication:
        async def work(tx: Tx) -> Publication:
            publication = await self._ordered(request_id, tx)
            change(publication)
            if publication.revision != publication.loaded_revision:
                await self._store.publications.save(tx, publication)
                tx.emit(*publication.events)
            return publication

        return await self._uow.run(work)

    async def _complete(
        self, request_id: str, officer: Principal, change: Callable[[Publication], object]
    ) -> Publication:
        """``change``, and step 7 completed with it in the same write once nothing is owed."""
        now = self._clock.now()
        completed = False

        def change_and_complete(publication: Publication) -> None:
            nonlocal completed  # the last attempt's: a transaction may run its work again
            change(publication)
            completed = publication.complete(now=now, actor=officer.actor)

        publication = await self._change(request_id, change_and_complete)
        if completed:
            received_at = await self._store.arrival(request_id)
            if received_at is not None:
                self._metrics.request_finished(publication.sop, received_at, now)
        return publication

    async def record_social(
        self, request_id: str, channel: SocialChannel, *, url: AnyHttpUrl, officer: Principal
    ) -> SocialPackage:
        now = self._clock.now()
        packages: list[SocialPackage] = []
        await self._change(
            request_id, lambda p: packages.append(p.record_social(channel, url=url, now=now, actor=officer.actor))
        )
        return packages[0]

    async def get(self, request_id: str) -> Publication:
        publication = await self._store.publications.get(request_id)
        if publication is None:
            raise NotFound(f"no publication for request {request_id}")
        return publication

    async def deliveries(self, request_id: str) -> list[Delivery]:
        return await self._email.deliveries(await self.get(request_id))

    async def list(self, state: PublicationState, limit: int) -> list[Publication]:
        return await self._store.publications.find(
            {"state": state.value}, sort=[("ordered_at", ASCENDING)], limit=limit
        )


class _Pictures:
    """The publication's photos as published, fetched at most once per attempt and only if a
    channel needs them."""

    def __init__(self, fetcher: AssetFetcher, publication: Publication, at: datetime) -> None:
        self._fetcher, self._publication, self._at = fetcher, publication, at
        self._pictures: tuple[Picture, ...] | None = None

    async def get(self) -> tuple[Picture, ...]:
        if self._pictures is None:
            self._pictures = await self._fetcher.pictures(self._publication.assets, at=self._at)
        return self._pictures

    async def for_email(self) -> tuple[Picture, ...]:
        """The photos to list, link and attach; the email does not wait for a coverage service that
        cannot serve them: it lists them without attachments (linking the website's copies)."""
        try:
            return await self.get()
        except ChannelError as failure:
            log.warning("the media email of %s goes without its photos: %s", self._publication.request_id, failure)
            return self._fetcher.described(self._publication.assets, at=self._at)


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
        parsed = await asyncio.to_thread(parse_csv, text)  # thousands of rows: off the event loop
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
                fields=[
                    FieldProblem(f"rows.{p.row}.{p.field}", p.message, type=p.type, limits=p.limits)
                    for p in parsed.problems
                ],
            )

        async def work(tx: Tx) -> None:
            for outlet in parsed.outlets:
                await self._store.put_outlet(tx, outlet)
            for contact in parsed.contacts:
                # An opt-out is the contact's own wish: a spreadsheet does not undo it.
                await self._store.import_contact(tx, contact)

        await self._uow.run(work)
        return report

    async def export_csv(self) -> str:
        return to_csv(await self._store.outlets(), await self._store.contacts())

    async def contacts(self) -> list[Contact]:
        return await self._store.contacts()

    async def outlet_names(self) -> dict[str, str]:
        """Each outlet's name as the registry wrote it, by its key."""
        return {o.key: o.name for o in await self._store.outlets()}

    async def contact(self, email: str) -> Contact:
        contact = await self._store.contact(email.strip().lower())
        if contact is None:
            raise NotFound(f"no contact {email}")
        return contact

    async def opt_out(self, email: str) -> Contact:
        """Recorded once, whoever asks again (an officer, the contact's link, a mail program)."""
        address, now = email.strip().lower(), self._clock.now()
        contact = await self._uow.run(lambda tx: self._store.opt_out(tx, address, now))
        if contact is None:
            raise NotFound(f"no contact {email}")
        return contact


@dataclass(frozen=True)
class FanoutReport:
    recipients: int
    sent: int
    waiting: int
    failed: int

    @classmethod
    def of(cls, entries: list[Delivery]) -> "FanoutReport":
        """The tally of a fan-out's ledger entries, as they were read."""
        states = [entry.state for entry in entries]
        return cls(
            recipients=len(states),
            sent=states.count(SendState.SENT),
            waiting=sum(states.count(state) for state in WAITING),
            failed=states.count(SendState.FAILED),
        )


class EmailHandlers:
    """Step 7's email: the release to every active contact of the registry, once each."""

    def __init__(
        self,
        registry: RegistryStore,
        ledger: DeliveryLedger,
        mailer: Mailer,
        clock: Clock,
        metrics: ServiceMetrics,
        *,
        sender: str,
        opt_out: OptOutLinks,
        concurrency: int,
        per_second: float,
        attachments_budget: int,
        retry_window: timedelta = timedelta(seconds=10),
    ) -> None:
        self._registry = registry
        self._ledger = ledger
        self._mailer = mailer
        self._clock = clock
        self._sender = sender
        self._opt_out = opt_out
        self._concurrency = concurrency
        self._interval = 1 / per_second
        self._retry_window = retry_window
        self._attachments_budget = attachments_budget
        # A claim outlives any live sender twice over: a ``sending`` entry older than this lost
        # its sender (a killed process) and is sent again.
        self._lease = mailer.longest * 2
        self._emails = Counter(
            "warta_media_emails",
            "Emails to media contacts by outcome of each attempt: sent, transient (retried), failed.",
            ["outcome"],
            registry=metrics.registry,
        )

    async def send(self, publication: Publication, pictures: tuple[Picture, ...]) -> FanoutReport:
        """Send what is due until nothing more is due within the retry window; repeatable.
        ``pictures`` are the photos as published: linked where the website has them (newsrooms
        cannot open the coverage service's addresses) and attached while they fit the budget."""
        request_id, version = publication.request_id, publication.version
        await self._ledger.open(deliveries_for(request_id, version, await self._registry.contacts()))
        copy_for = self._copies(publication, pictures)
        gate = asyncio.Semaphore(self._concurrency)
        next_slot = time.monotonic()

        async def deliver(delivery: Delivery) -> bool:
            nonlocal next_slot
            async with gate:
                # The relay's rate: each message takes the next free slot, one interval after the
                # one before, and waits only until its slot (not a sleep each under a lock, which
                # held every message behind the loop's turns).
                now = time.monotonic()
                slot, next_slot = max(now, next_slot), max(now, next_slot) + self._interval
                if slot > now:
                    await asyncio.sleep(slot - now)
                return await self._deliver(delivery, copy_for)

        while True:
            now = self._clock.now()
            entries = await self._ledger.of(request_id, version)
            due = [d for d in entries if d.due(now, self._lease)]
            # Claims lost to another sender leave nothing due for this one on the next pass.
            if due and any(await asyncio.gather(*(deliver(d) for d in due))):
                continue
            chances = [c for d in entries if (c := d.next_chance(self._lease)) is not None]
            if not chances or min(chances) - now > self._retry_window:
                # Read after this sender's last message: the tally needs no query of its own.
                return FanoutReport.of(entries)
            await asyncio.sleep(max(0.0, (min(chances) - now).total_seconds()))

    async def _deliver(self, delivery: Delivery, copy_for: Callable[[Delivery], Envelope]) -> bool:
        """One recipient's message: built, then claimed, then handed to the relay and recorded.
        False if another sender claimed it first. A message that cannot be built fails for that
        recipient alone and is never claimed for sending."""
        try:
            message = copy_for(delivery)
        except Exception as unbuildable:  # whatever a message cannot be made of, it fails that one alone
            log.exception("the email to %s could not be built", delivery.email)
            if not await self._ledger.claim(delivery, self._clock.now()):
                return False
            delivery.unbuildable(str(unbuildable) or type(unbuildable).__name__)
            await self._ledger.record(delivery)
            self._emails.labels(delivery.state.value).inc()
            return True
        if not await self._ledger.claim(delivery, self._clock.now()):
            return False
        fault_point("email.after_claim")
        # From here until the record below the outcome is in doubt: a crash in between sends this
        # message again, with the same Message-ID, once the claim lapses.
        log.info("email %s handed to the relay", message.message_id)
        refusal = await self._mailer.send(message)
        now = self._clock.now()
        if refusal is None:
            delivery.accepted(now)
        else:
            delivery.refused(refusal, now)
        await self._ledger.record(delivery)
        log.info("email %s recorded as %s", message.message_id, delivery.state.value)
        self._emails.labels(delivery.state.value).inc()
        fault_point("email.after_record")
        return True

    def _copies(self, publication: Publication, pictures: tuple[Picture, ...]) -> Callable[[Delivery], Envelope]:
        """Each contact's copy of the release's email, rendered once for the fan-out. A release that
        cannot be mailed at all fails every copy, each alone and saying why, as a contact's own
        unmailable details do."""
        website = publication.website
        try:
            email = ReleaseEmail(
                render_release(publication.press_release),
                photos=pictures,
                photo_urls=website.picture_urls if website else {},
                attached=attachable(pictures, self._attachments_budget),
                website_url=str(website.url) if website else None,
                sender=self._sender,
                domain="warta.tangerangkota.go.id",
            )
        except Exception as unmailable:  # whatever it is, it is each copy's reason to fail
            reason = str(unmailable) or type(unmailable).__name__

            def refuse(delivery: Delivery) -> Envelope:
                raise ValueError(reason)

            return refuse
        return lambda delivery: email.for_contact(delivery, self._opt_out.link(delivery.email), self._clock.now())

    async def send_failed_again(self, publication: Publication, pictures: tuple[Picture, ...]) -> FanoutReport:
        """Each email that failed for good (refused, out of retries, or not buildable) goes once
        more, as if new: an officer's retry once its cause is put right."""
        await self._ledger.reopen_failed({"request_id": publication.request_id, "version": publication.version})
        return await self.send(publication, pictures)

    async def deliveries(self, publication: Publication) -> list[Delivery]:
        return await self._ledger.of(publication.request_id, publication.version)
