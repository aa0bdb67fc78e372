"""The text policy over the whole of Unicode: what a one-line and a multi-line field take, in what
form they keep it, and how a refusal names the field and its reason."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from warta.contracts import Letter, PressRelease
from warta.contracts.text import BIDI_CONTROLS, _refused, line, text

REFUSED_TYPES = {"control_character", "bidi_control", "invisible_character", "line_break", "string_unicode", "blank"}
ANY_CHARACTER = st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF, categories=None)


def refused(char: str, *, multi_line: bool) -> bool:
    if multi_line and char in "\n\t\r":
        return False
    code = ord(char)
    return (
        unicodedata.category(char) in ("Cc", "Cs")
        or char in BIDI_CONTROLS
        or char in "\u2028\u2029\ufeff"
        or 0xFDD0 <= code <= 0xFDEF
        or (code & 0xFFFE) == 0xFFFE
    )


def blank(text: str) -> bool:
    return bool(text) and all(c.isspace() or unicodedata.category(c) in ("Cf", "Zs", "Zl", "Zp") for c in text)


def release(**fields: str) -> PressRelease:
    return PressRelease.model_validate({"title": "Judul", "body": "Isi", **fields})


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), min_size=1, max_size=30))
def test_a_title_keeps_every_script_and_emoji_and_refuses_only_what_cannot_be_seen_or_turns_it_around(typed):
    expected_refusal = any(refused(c, multi_line=False) for c in typed) or blank(typed)
    try:
        title = release(title=typed).title
    except ValidationError as error:
        [problem] = error.errors()
        assert problem["loc"] == ("title",)
        assert problem["type"] in REFUSED_TYPES | {"string_too_long"}
        assert expected_refusal or problem["type"] == "string_too_long"
        return
    assert not expected_refusal
    assert title == unicodedata.normalize("NFC", typed)
    assert "\n" not in title


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), min_size=1, max_size=60))
def test_a_body_keeps_its_lines_and_tabs_as_one_kind_of_line_break(typed):
    expected_refusal = any(refused(c, multi_line=True) for c in typed) or blank(typed)
    try:
        body = release(body=typed).body
    except ValidationError as error:
        [problem] = error.errors()
        assert problem["loc"] == ("body",)
        assert problem["type"] in REFUSED_TYPES
        assert expected_refusal
        return
    assert not expected_refusal
    assert "\r" not in body
    assert body == unicodedata.normalize("NFC", typed.replace("\r\n", "\n").replace("\r", "\n"))


@pytest.mark.parametrize(
    ("sender", "kind"),
    [
        ("Dinas \u202efdp.exe\u202c Pendidikan", "bidi_control"),
        ("Dinas \u2066Pendidikan\u2069", "bidi_control"),
        ("Dinas\x00Pendidikan", "control_character"),
        ("Dinas\x1bPendidikan", "control_character"),
        ("Dinas\nPendidikan", "line_break"),
        ("Dinas\r\nPendidikan", "line_break"),
        ("Dinas\tPendidikan", "line_break"),
        ("Dinas\u2028Pendidikan", "invisible_character"),
        ("\ufeffDinas Pendidikan", "invisible_character"),
    ],
)
def test_a_sender_that_hides_or_reverses_text_is_refused_naming_the_field_and_character(sender, kind):
    with pytest.raises(ValidationError) as refused_letter:
        Letter.model_validate(
            {"number": "1", "date": "2026-12-01", "sender": sender, "sender_kind": "opd", "subject": "Undangan"}
        )
    [problem] = refused_letter.value.errors()
    assert (problem["loc"], problem["type"]) == (("sender",), kind)
    assert "U+" in problem["msg"] or kind == "line_break"


def test_text_is_kept_in_one_normal_form_and_emoji_sequences_whole():
    decomposed = "Kafe\u0301 Pasar Lama 👩\u200d👩\u200d👧 \u0623\u0647\u0644\u0627\u064b"
    kept = release(title=decomposed, body="Baris satu\r\nBaris dua\rtiga\tkolom").model_dump()
    assert kept["title"] == unicodedata.normalize("NFC", decomposed)
    assert kept["title"].startswith("Kafé")
    assert "👩\u200d👩\u200d👧" in kept["title"]
    assert kept["body"] == "Baris satu\nBaris dua\ntiga\tkolom"


@pytest.mark.parametrize("looks_filled", ["   ", "\u200b\u200b", " \u00a0 ", "\u3000"])
def test_a_reason_of_only_spaces_or_invisible_characters_is_refused_as_blank(looks_filled):
    with pytest.raises(ValidationError) as refused_release:
        release(body=looks_filled)
    assert [e["type"] for e in refused_release.value.errors()] == ["blank"]


def test_the_one_scan_over_a_text_finds_every_character_the_policy_refuses_in_all_of_unicode():
    """Text passes by one scan for the characters the policy could refuse, and only text with one
    of them is looked at character by character: the scan must miss none, in any plane."""

    def taken(check, value: str) -> bool:  # the field's check alone, without its normal form
        try:
            check(value)
        except Exception:  # PydanticCustomError: refused
            return False
        return True

    wrong = []
    for code in range(0x110000):
        char = chr(code)
        policy_refuses = _refused(char) is not None
        if taken(line, f"a{char}b") != (not policy_refuses and char not in "\n\t"):
            wrong.append(("line", f"U+{code:04X}"))
        if taken(text, f"a{char}b") != (not policy_refuses or char in "\n\t"):
            wrong.append(("text", f"U+{code:04X}"))
    assert wrong == []
