"""An event reaches its handler without a worker thread: a service whose threads are all taken
(sheets rendered, photos checked, a registry read, each handed to a thread) still applies the
events it consumes. FastStream's own way of handing a subscriber its message is a synchronous call
that FastDepends runs in AnyIO's worker threads, one round trip through them (and the GIL) for
every message; Warta's bus hands it over on the event loop."""

from datetime import UTC, datetime

import anyio.to_thread

from warta.contracts import AssetKind, AssetRef, CoverageSubmitted, CoverageSubmittedData, PressRelease, subject_for
from warta.devstack.pytest_plugin import apps_of, eventually


async def test_an_event_is_applied_while_every_worker_thread_is_taken(namespace, mongo):
    async with apps_of(namespace, ("review",)):
        limiter = anyio.to_thread.current_default_thread_limiter()
        holders: list[object] = []
        try:
            while limiter.available_tokens:
                holders.append(object())
                await limiter.acquire_on_behalf_of(holders[-1])
            event = CoverageSubmitted.occurred(
                data=CoverageSubmittedData(
                    request_id="req-threads",
                    version=1,
                    press_release=PressRelease(title="Wali Kota Resmikan Taman", body="Isi siaran pers."),
                    assets=(AssetRef(kind=AssetKind.PHOTO, uri="http://c/a", sha256="a" * 64),),
                    submitted_by="dewi",
                    contributors=("dewi",),
                ),
                request_id="req-threads",
                time=datetime.now(UTC),
            )
            suffix = subject_for(CoverageSubmitted).removeprefix("warta.")
            await namespace.publish_raw(suffix, event.model_dump_json().encode(), str(event.id))
            inbox = mongo[namespace.database("review")].inbox
            applied = await eventually(lambda: inbox.find_one({"_id": str(event.id)}), timeout=15)
            assert applied["type"] == CoverageSubmitted.event_type()
            review = await mongo[namespace.database("review")].reviews.find_one({"request_id": "req-threads"})
            assert review is not None
        finally:
            for holder in holders:
                limiter.release_on_behalf_of(holder)
