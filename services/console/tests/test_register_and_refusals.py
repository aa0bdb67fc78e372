"""The register's export, the request header and refusals in the officer's words; pure, no I/O."""

import csv
import enum
import io
from datetime import UTC, datetime, timedelta

from warta.console.clients import archive, coverage, intake, notifier, publisher, review, scheduler
from warta.console.exports import indonesian_number, register_csv
from warta.console.header import header_of
from warta.console.i18n import KIT_KINDS, needed_label, refusal_message, state_label, translate

ITEM = intake.FacilitationRequest.model_validate(
    {
        "id": "r1",
        "letter_key": "dinas kesehatan|005/77-dinkes/2026",
        "registered_at": "2026-12-01T02:35:00+00:00",
        "registered_by": "siti.admin",
        "agenda_number": "0007/PROKOPIM/2026",
        "received_at": "2026-12-01T02:30:00+00:00",
        "state": "awaiting_disposition",
        "letter": {
            "number": "005/77-Dinkes/2026",
            "date": "2026-11-30",
            "sender": "Dinas Kesehatan; Bidang P2P",
            "sender_kind": "opd",
            "subject": 'Peresmian "Puskesmas" Cikokol',
            "nature": "segera",
        },
        "event": {
            "title": "Peresmian Puskesmas Cikokol",
            "location": "Cikokol",
            "leader": "wali_kota",
            "starts_at": "2026-12-07T02:00:00+00:00",
            "ends_at": "2026-12-07T04:00:00+00:00",
        },
    }
)


def test_the_export_opens_in_an_indonesian_spreadsheet_with_the_offices_words():
    exported = register_csv([ITEM], "id")
    assert exported.startswith("\ufeff".encode())  # the byte-order mark keeps the accents
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["No. agenda", "Diterima", "Nomor surat"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Diterima"] == "1 Desember 2026 pukul 09.30 WIB"
    assert row["Pengirim"] == "Dinas Kesehatan; Bidang P2P"  # a separator inside a cell stays in it
    assert row["Perihal"] == 'Peresmian "Puskesmas" Cikokol'
    assert row["Sifat surat"] == "Segera"
    assert row["Pimpinan"] == "Wali Kota"
    assert row["Status"] == "Menunggu disposisi"
    assert "wali_kota" not in exported.decode("utf-8-sig")


def test_the_header_names_the_open_step_and_its_light_from_the_timeline():
    started = datetime.now(UTC) - timedelta(minutes=25)

    def run(step: int, started_at: str, finished_at: str | None) -> dict[str, object]:
        over = None if finished_at is None else False
        return {
            "sop": "58/2025",
            "step": step,
            "run": 1,
            "started_at": started_at,
            "finished_at": finished_at,
            "seconds": None,
            "standard_seconds": 60.0,
            "over": over,
        }

    timeline = archive.Timeline.model_validate(
        {
            "request_id": "r1",
            "entries": [],
            "steps": [
                run(1, "2026-12-01T02:30:00+00:00", "2026-12-01T02:50:00+00:00"),
                run(2, started.isoformat(), None),
            ],
        }
    )
    header = header_of(ITEM, timeline)
    assert header.when == "Senin, 7 Desember 2026, 09.00 s.d. 11.00 WIB"
    assert header.leader == "Wali Kota"
    assert (header.step, header.step_name, header.standard_minutes) == (2, "disposisi", 30)
    assert header.light == "amber"  # 25 of 30 minutes: past 80 %
    assert header_of(ITEM, None).step is None  # the archive has not caught up: no clock, no guess


def test_a_refusal_is_said_in_the_officers_words_never_the_services_english():
    out_of_turn = {"error": "illegal_transition", "message": "cannot dispose while the state is 'declined'"}
    assert refusal_message({**out_of_turn, "state": "declined"}, "id") == (
        "Tindakan ini tidak dapat dilakukan: statusnya sekarang «Ditolak». Muat ulang halaman untuk melihat "
        "keadaan terbaru."
    )
    assert refusal_message({**out_of_turn, "state": "no_such_state"}, "id") == (
        "Tindakan ini tidak dapat dilakukan pada tahap sekarang."
    )
    assert refusal_message({"error": "forbidden", "message": "only the section head"}, "id") == (
        "Peran Anda tidak berwenang melakukan tindakan ini."
    )
    unknown = refusal_message({"error": "something_new", "message": "English"}, "id")
    assert "English" not in unknown
    assert unknown.startswith("Permintaan tidak dapat diproses")
    assert refusal_message(None, "id") == unknown


def test_numbers_are_written_the_indonesian_way():
    assert indonesian_number(100) == "100,0"
    assert indonesian_number(1234.56) == "1.234,6"
    assert indonesian_number(87.5, 0) == "88"


def test_every_kind_of_kit_and_condition_the_scheduler_knows_has_the_offices_word():
    for kind in scheduler.EquipmentKind:
        assert kind.value in KIT_KINDS, kind
        assert needed_label(kind.value, "id") == KIT_KINDS[kind.value]["id"]
    for condition in scheduler.Condition:
        assert translate(f"condition_{condition.value}", "id") != f"condition_{condition.value}", condition


def test_every_state_a_service_can_answer_has_a_name_in_the_offices_words():
    """A state a page shows is never its code: each ``...State`` of every service's document."""
    unnamed = [
        f"{module.__name__}.{name}.{member.value}"
        for module in (archive, coverage, intake, notifier, publisher, review, scheduler)
        for name, kind in vars(module).items()
        if name.endswith("State") and isinstance(kind, type) and issubclass(kind, enum.Enum)
        for member in kind
        if kind is not archive.DossierState and state_label(member.value, "id") == member.value
    ]
    # Where the whole request stands is shown as its stage ("Sedang diperiksa"), not as a state.
    unnamed += [s.value for s in archive.DossierState if translate(f"stage_{s.value}", "id") == f"stage_{s.value}"]
    assert unnamed == []
