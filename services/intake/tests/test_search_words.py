"""The words a letter is indexed and searched by (pure)."""

from hypothesis import given
from hypothesis import strategies as st

from warta.intake.domain import LONGEST_WORD, WordSearch, searched_words, words_of


def test_words_are_case_folded_stripped_of_accents_and_split_at_everything_else():
    assert words_of("Sekolah Ciledug") == ["sekolah", "ciledug"]
    assert words_of("CAFÉ-Literasi (Kota) 2026/B.7") == ["cafe", "literasi", "kota", "2026", "b", "7"]
    assert words_of("Straße, İstanbul") == ["strasse", "istanbul"]
    assert words_of("( ) — …") == []
    assert words_of("x" * 100) == ["x" * LONGEST_WORD]
    # A character that decomposes into a capital is folded too: the word typed back is the same.
    bold_alpha, capital_alpha, alpha = "\U0001d756", "\u0391", "\u03b1"
    assert words_of(bold_alpha) == words_of(capital_alpha) == words_of(alpha) == [alpha]
    assert WordSearch.typed(subject=capital_alpha).found_in("", bold_alpha)


def test_a_letter_is_found_when_every_typed_word_begins_a_word_of_its_field():
    search = WordSearch.typed(sender="Dinas pend", subject="kese")
    assert search.found_in("Dinas Pendidikan", "Pelatihan Kesehatan")
    assert not search.found_in("Dinas Pendidikan", "Pelatihan kader")  # every word must be found
    assert not search.found_in("Badan Pendapatan", "Kesehatan")
    assert not search.found_in("Pendidikan", "Dinas Kesehatan")  # each in its own field
    assert not WordSearch.typed(subject="hatan").found_in("x", "Kesehatan")  # a beginning, not a middle
    assert not WordSearch.typed(subject="(").found_in("x", "(")  # no word typed: nothing found


@given(st.text(max_size=60), st.text(max_size=60), st.data())
def test_any_beginning_of_any_word_of_a_letter_finds_it(sender, subject, data):
    words = searched_words(sender, subject)
    typed = [(name, word) for name, found in sorted(words.items()) for word in sorted(found)]
    if not typed:
        return
    name, word = data.draw(st.sampled_from(typed))
    beginning = word[: data.draw(st.integers(1, len(word)))]
    search = WordSearch.typed(**{name: beginning})
    assert search.found_in(sender, subject), (name, beginning)
    # Typing the whole letter finds it too.
    assert WordSearch.typed(sender=sender, subject=subject).found_in(sender, subject)
