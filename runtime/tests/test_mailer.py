"""The relay's connections kept and reused within its limits, on a real SMTP server (aiosmtpd with
STARTTLS): a fan-out opens a few TLS sessions, not one per message, and a connection the relay
closed, a refused recipient or a spent connection costs no message."""

import asyncio
from email.message import EmailMessage

import trustme

from warta.devstack.smtp import smtp_server
from warta.runtime.mailer import Envelope, Mailer, RelaySettings


def message(to: str) -> EmailMessage:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "humas@tangerangkota.go.id", to, "Siaran pers"
    m.set_content("Isi siaran pers.")
    return m


def envelope(to: str) -> Envelope:
    """A message made into bytes by its sender, as a fan-out makes each copy."""
    data = (
        f"From: humas@tangerangkota.go.id\r\nTo: {to}\r\nSubject: Siaran pers\r\nMessage-ID: <1@warta>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIsi siaran pers.\r\n.titik\r\n"
    ).encode()
    return Envelope("humas@tangerangkota.go.id", (to,), data, "<1@warta>", international=not to.isascii())


def relay_settings(relay, **limits) -> RelaySettings:
    return RelaySettings(host=relay.host, port=relay.port, starttls=True, ca_file=relay.ca_file, **limits)


async def test_messages_sent_at_once_share_a_few_connections_each_carrying_no_more_than_the_relays_limit(tmp_path):
    with smtp_server(tmp_path) as relay:
        mailer = Mailer(relay_settings(relay, messages_per_connection=10), connections=4)
        # The relay would see no more than 4 at once; each connection carries 10 before it closes.
        refusals = await asyncio.gather(*(mailer.send(message(f"w{i}@media.id")) for i in range(60)))
        assert refusals == [None] * 60
        await mailer.close_idle()
        assert relay.mailbox.delivered_to() == sorted(f"w{i}@media.id" for i in range(60))
        per_connection: dict[tuple[str, int], int] = {}
        for peer in relay.mailbox.connections:
            per_connection[peer] = per_connection.get(peer, 0) + 1
        print(f"60 messages over {len(per_connection)} connections: {sorted(per_connection.values())}")
        assert max(per_connection.values()) <= 10
        assert len(per_connection) <= 60 // 4  # reused: each carried several messages
        assert len(relay.mailbox.greeted) == len(per_connection)  # and no connection was opened for nothing


async def test_a_refused_recipient_leaves_the_connection_to_carry_the_next_message(tmp_path):
    def policy(address: str, tries: int) -> str | None:
        return "550 5.1.1 no such mailbox" if address.startswith("gone") else None

    with smtp_server(tmp_path, policy=policy) as relay:
        mailer = Mailer(relay_settings(relay), connections=1)
        assert await mailer.send(message("a@media.id")) is None
        refused = await mailer.send(message("gone@media.id"))
        assert refused is not None
        assert not refused.transient
        assert "550" in refused.error
        assert await mailer.send(message("b@media.id")) is None
        await mailer.close_idle()
        assert relay.mailbox.delivered_to() == ["a@media.id", "b@media.id"]
        assert len(set(relay.mailbox.connections)) == 1


async def test_a_connection_the_relay_closed_while_kept_costs_no_message(tmp_path):
    authority = trustme.CA()
    with smtp_server(tmp_path, ca=authority) as relay:
        port, mailer = relay.port, Mailer(relay_settings(relay), connections=1)
        assert await mailer.send(message("a@media.id")) is None
    # The relay restarted on its address: the kept connection is dead, and the next message goes
    # over a new one.
    (tmp_path / "again").mkdir()
    with smtp_server(tmp_path / "again", port=port, ca=authority) as again:
        assert await mailer.send(message("b@media.id")) is None
        await mailer.close_idle()
        assert again.mailbox.delivered_to() == ["b@media.id"]


async def test_a_connection_idle_past_its_time_is_not_used_again(tmp_path):
    with smtp_server(tmp_path) as relay:
        mailer = Mailer(relay_settings(relay, idle_seconds=0.2), connections=1)
        assert await mailer.send(message("a@media.id")) is None
        await asyncio.sleep(0.3)
        assert await mailer.send(message("b@media.id")) is None
        await mailer.close_idle()
        assert len(set(relay.mailbox.connections)) == 2


async def test_connections_given_back_after_the_service_stops_are_closed_not_kept(tmp_path):
    with smtp_server(tmp_path) as relay:
        mailer = Mailer(relay_settings(relay), connections=2)
        tending = asyncio.create_task(mailer.tend())
        assert await mailer.send(message("a@media.id")) is None
        tending.cancel()
        await asyncio.gather(tending, return_exceptions=True)
        assert await mailer.send(message("b@media.id")) is None  # a send still in hand as it stopped
        await asyncio.sleep(0.1)  # its QUIT, sent aside
        assert mailer._idle == []


async def test_a_message_made_into_bytes_arrives_as_those_bytes_over_the_same_kept_connection(tmp_path):
    with smtp_server(tmp_path, keep_in=tmp_path) as relay:
        mailer = Mailer(relay_settings(relay), connections=1)
        assert await mailer.send(message("a@media.id")) is None
        made = envelope("b@media.id")
        assert await mailer.send(made) is None
        await mailer.close_idle()
        assert relay.mailbox.delivered_to() == ["a@media.id", "b@media.id"]
        assert (tmp_path / "00002.eml").read_bytes() == made.data  # a line starting with "." too
        assert len(set(relay.mailbox.connections)) == 1


async def test_an_address_outside_ascii_goes_where_the_relay_offers_smtputf8_and_is_refused_for_good_where_not(
    tmp_path,
):
    (tmp_path / "plain").mkdir()
    with smtp_server(tmp_path / "plain") as relay:
        mailer = Mailer(relay_settings(relay), connections=1)
        refused = await mailer.send(envelope("dewi@média.id"))
        assert refused is not None
        assert not refused.transient  # sending again would change nothing
        assert not refused.unreachable
        assert "SMTPUTF8" in refused.error
        assert await mailer.send(envelope("a@media.id")) is None  # the connection carries the next one
        await mailer.close_idle()
        assert relay.mailbox.delivered_to() == ["a@media.id"]
    (tmp_path / "international").mkdir()
    with smtp_server(tmp_path / "international", international=True) as relay:
        mailer = Mailer(relay_settings(relay), connections=1)
        assert await mailer.send(envelope("dewi@média.id")) is None
        await mailer.close_idle()
        assert relay.mailbox.delivered_to() == ["dewi@média.id"]
