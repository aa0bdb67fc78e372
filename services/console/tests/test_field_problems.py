from warta.console.forms import field_errors
from warta.console.i18n import field_message

# A booking clash as the scheduler answers it (409): the console's regex reads the English for the
# resource to override; the officer reads the Indonesian.
CLASH = {
    "field": "members.0.officer_id",
    "message": "rina.katim is already booked for 0042/PROKOPIM/2026 “Musrenbang Kecamatan” (Senin, 30 November "
    "2026, 09.00 s.d. 11.00 WIB), within the 30-minute travel buffer (override with a reason for officer:rina.katim)",
    "type": "booked_elsewhere",
    "limits": {
        "resource": "officer:rina.katim",
        "name": "Rina Kartika",
        "agenda_number": "0042/PROKOPIM/2026",
        "title": "Musrenbang Kecamatan",
        "period": "Senin, 30 November 2026, 09.00 s.d. 11.00 WIB",
        "minutes": "30",
    },
}


def test_a_booking_clash_names_the_officer_the_entry_its_time_and_the_buffer_in_indonesian():
    said = field_message(CLASH, "id")
    assert said == (
        "Rina Kartika sudah terjadwal untuk agenda 0042/PROKOPIM/2026 «Musrenbang Kecamatan» (Senin, 30 November "
        "2026, 09.00 s.d. 11.00 WIB), dalam jeda perjalanan 30 menit; bila tetap ingin menugaskan, tuliskan "
        "alasannya pada isian «Alasan tetap menugaskan»"
    )
    assert "rina.katim" not in said
    assert field_message(CLASH, "en") == CLASH["message"]


def test_a_rule_with_numbers_says_them_and_a_rule_without_its_numbers_falls_back_to_the_english():
    too_large = {
        "field": "scan",
        "message": "must be at most 20 MB",
        "type": "file_too_large",
        "limits": {"limit": "20 MB", "max_bytes": "20971520"},
    }
    late = {
        "field": "event.ends_at",
        "message": "the event ended on 1 Desember 2026 pukul 11.00 WIB, more than 72 hours ago: it can no longer be "
        "covered",
        "type": "event_over",
        "limits": {"ended": "1 Desember 2026 pukul 11.00 WIB", "hours": "72"},
    }
    assert field_message(too_large, "id") == "ukuran berkas melebihi batas 20 MB"
    assert field_errors({"fields": [late]}) == {
        "event.ends_at": "kegiatan sudah berakhir pada 1 Desember 2026 pukul 11.00 WIB, lebih dari 72 jam yang lalu, "
        "sehingga tidak dapat lagi diliput"
    }
    assert field_message({**too_large, "limits": {}}, "id") == "must be at most 20 MB"


def test_a_row_of_the_media_registry_is_named_by_its_line_and_column():
    problem = {
        "field": "rows.4.email",
        "message": "already on row 2",
        "type": "email_repeated",
        "limits": {"row": "4", "column": "email", "earlier_row": "2", "email": "ani@tangpos.id"},
    }
    assert field_message(problem, "id") == "baris 4: alamat email ani@tangpos.id sudah tercantum di baris 2"
