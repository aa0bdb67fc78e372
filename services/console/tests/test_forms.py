from warta.console.app import agenda_no
from warta.console.clients import review
from warta.console.forms import LETTER_FIELDS, field_errors, in_wib, nested, threads_of, traffic_light


def test_a_form_becomes_the_api_body_with_times_in_wib_and_blanks_left_out():
    form = {
        "letter.number": " 005/77 ",
        "letter.sender": "Dinas Kesehatan",
        "event.starts_at": "2026-12-02T09:00",
        "event.title": "",
        "unrelated": "x",
    }
    assert nested(form, LETTER_FIELDS) == {
        "letter": {"number": "005/77", "sender": "Dinas Kesehatan"},
        "event": {"starts_at": "2026-12-02T09:00:00+07:00"},
    }
    assert in_wib("besok pagi") == "besok pagi"  # the API refuses it with its own message
    # A part left wholly empty is sent empty, so the API names each of its missing fields.
    assert nested({"letter.number": " "}, LETTER_FIELDS) == {"letter": {}, "event": {}}


def test_the_apis_field_problems_find_their_inputs():
    refusal = {
        "fields": [
            {"field": "body.event.ends_at", "message": "must be later than starts_at"},
            {"field": "query.state", "message": "bad"},
            {"field": "body.event.ends_at", "message": "a second problem is not shown over the first"},
        ]
    }
    assert field_errors(refusal) == {"event.ends_at": "must be later than starts_at", "state": "bad"}
    assert field_errors({}) == {}


def test_a_field_problem_is_said_in_indonesian_when_its_type_is_known():
    refusal = {
        "fields": [
            {"field": "body.event.ends_at", "message": "must be later than starts_at", "type": "ends_before_start"},
            {
                "field": "body.letter.subject",
                "message": "String should have at most 300 characters",
                "type": "string_too_long",
                "limits": {"max_length": "300"},
            },
            {
                "field": "body.text",
                "message": "String should have at least 1 character",
                "type": "string_too_short",
                "limits": {"min_length": "1"},
            },
            {"field": "body.members.1.officer_id", "message": "agus is booked for 0001/PROKOPIM/2026"},
            {"field": "body.letter.date", "message": "Input should be a valid date", "type": "date_parsing"},
        ]
    }
    assert field_errors(refusal, "id") == {
        "event.ends_at": "harus sesudah waktu mulai",
        "letter.subject": "maksimal 300 karakter",
        "text": "wajib diisi",
        "members.1.officer_id": "agus is booked for 0001/PROKOPIM/2026",  # a service's own reason
        "letter.date": "bukan tanggal yang sah",
    }
    assert field_errors(refusal, "en")["letter.subject"] == "String should have at most 300 characters"
    # A limit the answer left out: the English stands rather than a half-filled sentence.
    too_long = "String should have at most 9 characters"
    unlimited = {"fields": [{"field": "x", "message": too_long, "type": "string_too_long"}]}
    assert field_errors(unlimited, "id") == {"x": too_long}


def test_the_traffic_light_turns_amber_at_80_percent_and_red_over_the_standard():
    assert [traffic_light(age, 30) for age in (0, 23.9, 24, 30, 30.1)] == ["green", "green", "amber", "amber", "red"]


def test_comments_become_threads_with_their_replies_in_order():
    def comment(comment_id: str, text: str, reply_to: str | None = None) -> review.Comment:
        return review.Comment.model_validate(
            {
                "comment_id": comment_id,
                "text": text,
                "reply_to": reply_to,
                "anchor": {"part": "title"},
                "author": "rina.katim",
                "request_id": "r1",
                "version": 1,
                "written_at": "2026-12-01T02:00:00+00:00",
            }
        )

    comments = [
        comment("a", "Judul terlalu panjang."),
        comment("b", "Sebutkan jam pelayanan."),
        comment("c", "Sudah dipendekkan.", reply_to="a"),
        comment("d", "Terima kasih.", reply_to="a"),
    ]
    threads = threads_of(comments)
    assert [t.comment_id for t in threads] == ["a", "b"]  # a thread reads as its opening comment
    assert [r.comment_id for r in threads[0].replies] == ["c", "d"]
    assert threads[1].replies == []


def test_an_agenda_number_breaks_only_at_its_slashes():
    shown = str(agenda_no("0002/PROKOPIM/2026"))
    assert shown == '<span class="agenda-no">0002/<wbr>PROKOPIM/<wbr>2026</span>'
    assert "&lt;b&gt;" in str(agenda_no("<b>/1"))  # what the register holds is shown as text
