"""Each service is SIGKILLed in the middle of a whole request, between its database write and its
publish and (for those that consume) between handling an event and acknowledging it, and started
again, as Kubernetes would. Every request still reaches Published, every event exists once, and
every media contact gets each release once."""

import asyncio
import signal

import pytest

from warta.contracts import Published, Role, parse_event
from warta.devstack.demo import walk
from warta.devstack.pytest_plugin import SERVICES, eventually
from warta.devstack.smtp import smtp_server
from warta.runtime import ServiceSettings, issue_dev_token

# (service, fault point): intake consumes nothing, so it has no handle-then-ack window.
KILLS = [(service, "outbox.after_commit") for service in SERVICES] + [
    (service, "consume.after_handle") for service in SERVICES if service != "intake"
]
SHAPE = {  # events of one walk, by type: two rejections, three versions, four approvals
    "warta.request.received.v1": 1,
    "warta.disposition.issued.v1": 1,
    "warta.team.assigned.v1": 1,
    "warta.coverage.submitted.v1": 3,
    "warta.review.rejected.v1": 2,
    "warta.review.approved.v1": 3,
    "warta.publication.published.v1": 1,
}


@pytest.mark.slow
async def test_every_service_killed_at_each_window_still_publishes_each_release_once(
    namespace, service_processes, tmp_path
):
    settings = ServiceSettings(service_name="test")

    def token_for(officer_id: str, role: Role) -> str:
        return issue_dev_token(settings, officer_id=officer_id, role=role)

    with smtp_server(tmp_path) as relay:
        mail = {"WARTA_SMTP_HOST": relay.host, "WARTA_SMTP_PORT": str(relay.port), "WARTA_SMTP_CA_FILE": relay.ca_file}
        processes = {name: service_processes(name) for name in SERVICES}
        for process in processes.values():
            process.start(**mail)
        restarts: list[str] = []

        async def supervise(stop: asyncio.Event) -> None:
            """Start again whatever died, as the cluster would."""
            while not stop.is_set():
                for name, process in processes.items():
                    if process.exit_code() is not None:
                        assert process.exit_code() == -signal.SIGKILL, process.log()[-2000:]
                        restarts.append(name)
                        process.start(**mail)
                await asyncio.sleep(0.2)

        urls = {name: p.url for name, p in processes.items()}
        request_ids = []
        for service, point in KILLS:
            processes[service].stop()
            processes[service].start(**mail, WARTA_FAULT_POINTS=point)
            killed_before = len(restarts)
            stop = asyncio.Event()
            supervisor = asyncio.create_task(supervise(stop))
            timeline = await walk(urls, token_for)
            stop.set()
            await supervisor
            assert restarts[killed_before:] == [service], f"{service} at {point}: restarts {restarts}"
            request_ids.append(timeline.request_id)
            print(f"injected: SIGKILL of {service} at {point}; the walk went on after its restart")

        async def all_published() -> list:
            events = [parse_event(data) for data in await namespace.raw_messages()]
            done = {e.subject for e in events if isinstance(e, Published)}
            return events if done == set(request_ids) else []

        events = await eventually(all_published, timeout=60)
        assert len({e.id for e in events}) == len(events), "an event was published twice"
        for request_id in request_ids:
            mine = [e.type for e in events if e.subject == request_id]
            assert {t: mine.count(t) for t in SHAPE} == SHAPE, request_id
        ids = [m["Message-ID"] for m in relay.mailbox.received]
        assert len(ids) == len(set(ids)) == 2 * len(KILLS)  # two media contacts per release
        assert await namespace.dead_letters() == []
    print(
        f"checked: {len(KILLS)} requests each published once with every event once; "
        f"{len(ids)} emails, none twice; services restarted: {restarts}"
    )
