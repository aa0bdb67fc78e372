"""The WhatsApp channel's gateway calls: a gateway whose connection closes as it opens (a restart)
is a gateway that cannot be reached just now, to be tried again, not a failure of the sender."""

from datetime import UTC, datetime

import httpx
import pytest

from warta.notifier.channels import Gateway, WhatsAppChannel, subject_of
from warta.notifier.domain import Channel
from warta.notifier.messages import Message


def _notice(text: str = "Anda ditugaskan meliput acara Wali Kota.") -> Message:
    now = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    return Message(
        key="e1:o1:whatsapp",
        cause="e1",
        kind="assigned",
        request_id="r1",
        officer_id="o1",
        channel=Channel.WHATSAPP,
        address="+6281200000001",
        text=text,
        created_at=now,
        not_before=now,
    )


async def test_a_gateway_connection_closed_as_it_opened_is_unreachable_for_now(monkeypatch: pytest.MonkeyPatch):
    async def peer_gone(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        # What anyio raises on uvloop for a connection its peer closed as it opened.
        raise AttributeError("'NoneType' object has no attribute 'getpeername'")

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", peer_gone)
    channel = WhatsAppChannel(Gateway(url="http://gateway.invalid/send", token="t", template="{text}"))

    refusal = await channel.send(_notice())

    assert refusal is not None
    assert (refusal.transient, refusal.unreachable) == (True, True)
    assert "closed as it opened" in refusal.error


def test_a_long_notices_subject_is_cut_at_a_word():
    line = (
        "Versi 2 siaran pers Peresmian Taman Literasi Cisadane dikembalikan kepala bagian "
        "untuk diperbaiki menurut catatan"
    )
    subject = subject_of(_notice(f"{line}\nBuka Warta untuk melihat catatannya."))
    assert subject.startswith("[Warta] Versi 2 siaran pers")
    assert subject.endswith("…")
    assert len(subject) <= len("[Warta] ") + 100
    assert subject.removesuffix("…").split()[-1] in line.split()  # whole words only
    assert subject_of(_notice("Rapat singkat\nrincian")) == "[Warta] Rapat singkat"
