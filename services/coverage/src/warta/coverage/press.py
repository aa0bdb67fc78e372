"""The press release draft and the section's Indonesian style rules, read as warnings.

The rules are the ones the section's editors apply by eye: a headline short enough to read at a
glance (at most 12 words, 100 characters), a lead (teras berita) of at most 40 words that says
who, what, where and when, a dateline opening the text, and a body long enough to be a release.
They never block a submission: the reviewers decide. Each warning has a stable ``code`` the
console shows in Indonesian.
"""

import re
from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import Line, PressRelease, Quote, Text
from warta.runtime.indonesian import format_date

TITLE_MAX_WORDS = 12
TITLE_MAX_CHARS = 100
LEAD_MAX_WORDS = 40
BODY_MIN_WORDS = 150
DEFAULT_PLACE = "Tangerang"

_WORD = re.compile(r"[\w\u2019'-]+", re.UNICODE)  # words keep their apostrophes and hyphens


def words(text: str | None) -> int:
    """Words as a reader counts them: Markdown marks and punctuation are not words."""
    text = re.sub(r"\]\([^)]*\)", "]", text or "")  # a link counts by its text, not its address
    return len(_WORD.findall(re.sub(r"[#*_>`\[\]()!]", " ", text)))


class Draft(BaseModel):
    """What the team writes; saved any number of times until it is submitted."""

    title: Line = Field(default="", max_length=300)
    dateline_place: Line = Field(default=DEFAULT_PLACE, max_length=60)
    dateline_date: date | None = None
    lead: Text = Field(default="", max_length=2000)
    body: Text = Field(default="", max_length=100_000, description="Markdown.")
    quotes: tuple[Quote, ...] = Field(default=(), max_length=30)
    captions: dict[str, Annotated[Line, Field(max_length=1000)]] = Field(
        default_factory=dict, description="Photo captions by asset id."
    )
    tags: tuple[Annotated[Line, Field(max_length=50)], ...] = Field(default=(), max_length=30)
    embargo_until: AwareDatetime | None = Field(default=None, description="Not to be published before.")

    @property
    def dateline(self) -> str | None:
        if self.dateline_date is None:
            return None
        return f"{self.dateline_place}, {format_date(self.dateline_date)}"

    def as_press_release(self) -> PressRelease:
        return PressRelease(
            title=self.title.strip(),
            body=self.body.strip(),
            dateline=self.dateline,
            lead=self.lead.strip() or None,
            quotes=self.quotes,
            tags=self._tags(),
            embargo_until=self.embargo_until,
        )

    def _tags(self) -> tuple[str, ...]:
        """The tags as first typed ("Cikokol", not "cikokol"), each once whatever its case."""
        kept: dict[str, str] = {}
        for tag in (t.strip() for t in self.tags):
            if tag:
                kept.setdefault(tag.casefold(), tag)
        return tuple(kept.values())


class Warning(BaseModel):
    code: str
    field: str
    message: str
    limits: dict[str, int] = Field(default_factory=dict, description="The rule's numbers and the draft's, by name.")


class Reading(BaseModel):
    """A draft as the style rules read it."""

    word_count: int
    title_words: int
    lead_words: int
    warnings: list[Warning]


def read_draft(draft: Draft) -> Reading:
    title_words, lead_words = words(draft.title), words(draft.lead)
    total = title_words + lead_words + words(draft.body) + sum(words(q.text) for q in draft.quotes)
    warnings = []
    if title_words > TITLE_MAX_WORDS or len(draft.title) > TITLE_MAX_CHARS:
        warnings.append(
            Warning(
                code="title_too_long",
                field="title",
                message=f"the title has {title_words} words and {len(draft.title)} characters; "
                f"keep it to {TITLE_MAX_WORDS} words and {TITLE_MAX_CHARS} characters",
                limits={
                    "words": title_words,
                    "characters": len(draft.title),
                    "max_words": TITLE_MAX_WORDS,
                    "max_characters": TITLE_MAX_CHARS,
                },
            )
        )
    if not draft.lead.strip():
        warnings.append(Warning(code="lead_missing", field="lead", message="the lead is not written yet"))
    elif lead_words > LEAD_MAX_WORDS:
        warnings.append(
            Warning(
                code="lead_too_long",
                field="lead",
                message=f"the lead has {lead_words} words; keep it to {LEAD_MAX_WORDS}",
                limits={"words": lead_words, "max_words": LEAD_MAX_WORDS},
            )
        )
    if draft.dateline_date is None:
        warnings.append(Warning(code="dateline_missing", field="dateline_date", message="the dateline has no date"))
    if words(draft.body) < BODY_MIN_WORDS:
        warnings.append(
            Warning(
                code="body_short",
                field="body",
                message=f"the body has {words(draft.body)} words; a release usually has at least {BODY_MIN_WORDS}",
                limits={"words": words(draft.body), "min_words": BODY_MIN_WORDS},
            )
        )
    return Reading(word_count=total, title_words=title_words, lead_words=lead_words, warnings=warnings)
