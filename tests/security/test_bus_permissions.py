"""On NATS each service is its own user with the permissions generated from the contracts'
ownership table (``warta.runtime.permissions``): it publishes its own events and dead letters and
is refused every other service's, proved for every pair against a real nats-server. The dev stack
runs with these permissions, so ``make up``'s test walks a whole request under them."""

import asyncio
import re
import secrets

import nats
import pytest
from nats.js.api import StreamConfig

from warta.contracts import CATALOGUE, owner_of, subject_for
from warta.devstack.demo import SERVICES, SUBSCRIBERS
from warta.devstack.servers import embedded_nats, nats_url
from warta.runtime.permissions import OPERATOR, authorization, user_for

STREAM, PREFIX = "WARTA", "warta"
REFUSED = re.compile(r'permissions violation for publish to "([^"]+)"')


@pytest.mark.slow
async def test_each_service_publishes_its_own_events_and_is_refused_every_other_services(tmp_path):
    everyone = SERVICES + SUBSCRIBERS
    passwords = {service: secrets.token_urlsafe(16) for service in everyone}
    operator = secrets.token_urlsafe(16)
    server = embedded_nats(
        tmp_path / "nats", authorization=authorization(passwords, operator, stream=STREAM, prefix=PREFIX)
    )
    server.start()
    try:
        url = nats_url(server)
        admin = await nats.connect(url, user=OPERATOR, password=operator)
        js = admin.jetstream()
        await js.add_stream(StreamConfig(name=STREAM, subjects=[f"{PREFIX}.>"]))
        await js.add_stream(StreamConfig(name=f"{STREAM}_DLQ", subjects=[f"{PREFIX}_dlq.>"]))
        dead_letters = {service: f"{PREFIX}_dlq.{service}.{PREFIX}.x" for service in everyone}

        for service in everyone:
            problems: list[str] = []

            async def noted(error: Exception, into: list[str] = problems) -> None:
                into.append(str(error))

            connection = await nats.connect(
                url, user=user_for(service), password=passwords[service], error_cb=noted, allow_reconnect=False
            )
            own = connection.jetstream()
            for event in CATALOGUE:
                subject = subject_for(event, PREFIX)
                if owner_of(event) == service:
                    ack = await own.publish(subject, b"{}", headers={"Nats-Msg-Id": f"{service}:{subject}"})
                    assert ack.stream == STREAM
                    assert not ack.duplicate
                else:
                    await connection.publish(subject, b"{}")
            for owner, subject in dead_letters.items():
                if owner == service:
                    assert (await own.publish(subject, b"{}")).stream == f"{STREAM}_DLQ"
                else:
                    await connection.publish(subject, b"{}")
            await connection.flush()  # the server answers in order: every refusal is in before this
            await asyncio.sleep(0.1)  # and the error callbacks have run
            await connection.close()

            refused = {m.group(1) for p in problems if (m := REFUSED.search(p))}
            others = {subject_for(e, PREFIX) for e in CATALOGUE if owner_of(e) != service}
            others |= {subject for owner, subject in dead_letters.items() if owner != service}
            assert refused == others, service
            owned = len(CATALOGUE) + len(everyone) - len(others)
            print(f"checked: {service} published its {owned} own subjects and was refused the {len(refused)} others")

        # What the stream holds: every event type once, published by its owner, and nothing else.
        stored = await js.stream_info(STREAM, subjects_filter=">")
        assert stored.state.subjects == {subject_for(e, PREFIX): 1 for e in CATALOGUE}
        letters = await js.stream_info(f"{STREAM}_DLQ", subjects_filter=">")
        assert letters.state.subjects == {subject: 1 for subject in dead_letters.values()}
        await admin.close()
    finally:
        server.stop()
    print(f"injected: each of {len(everyone)} services publishing every event type and every dead-letter subject")
