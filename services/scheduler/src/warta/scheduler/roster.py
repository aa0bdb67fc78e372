"""The documentation team's people and kit: who can do what, who is away, what works."""

from datetime import datetime
from enum import StrEnum
from uuid import uuid4

from pydantic import Field

from warta.contracts import CoverageRole, Line, NotFound, Period, Text
from warta.runtime.aggregate import Aggregate

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class Unavailability(Period):
    """Leave, training, sickness: the officer cannot be assigned during it."""

    id: str = Field(default_factory=lambda: uuid4().hex[:12])
    reason: Text = Field(min_length=1, max_length=300)


class Officer(Aggregate):
    officer_id: str = Field(pattern=ID_PATTERN)
    name: Line = Field(min_length=1, max_length=200)
    skills: tuple[CoverageRole, ...] = Field(min_length=1)
    active: bool = True
    unavailable: list[Unavailability] = Field(default_factory=list)

    def unavailable_during(self, starts_at: datetime, ends_at: datetime) -> Unavailability | None:
        return next((u for u in self.unavailable if u.starts_at < ends_at and starts_at < u.ends_at), None)

    def update(self, *, name: str, skills: tuple[CoverageRole, ...], active: bool) -> None:
        self.name, self.skills, self.active = name, tuple(dict.fromkeys(skills)), active
        self.changed()

    def add_unavailability(self, period: Unavailability) -> None:
        self.unavailable.append(period)
        self.unavailable.sort(key=lambda u: u.starts_at)
        self.changed()

    def remove_unavailability(self, period_id: str) -> None:
        remaining = [u for u in self.unavailable if u.id != period_id]
        if len(remaining) == len(self.unavailable):
            raise NotFound(f"{self.officer_id} has no unavailability {period_id}")
        self.unavailable = remaining
        self.changed()


class EquipmentKind(StrEnum):
    CAMERA = "camera"
    CAMCORDER = "camcorder"
    AUDIO_RECORDER = "audio_recorder"
    LIGHTING = "lighting"
    VEHICLE = "vehicle"


# Each kind as the section says it, for the sentences the console shows about the kit.
KIND_NAMES: dict[EquipmentKind, str] = {
    EquipmentKind.CAMERA: "kamera",
    EquipmentKind.CAMCORDER: "kamera video",
    EquipmentKind.AUDIO_RECORDER: "alat perekam suara",
    EquipmentKind.LIGHTING: "lampu",
    EquipmentKind.VEHICLE: "kendaraan",
}


class Condition(StrEnum):
    READY = "ready"
    IN_REPAIR = "in_repair"


class Item(Aggregate):
    """One piece of kit, e.g. ``KAMERA-01``."""

    item_id: str = Field(pattern=ID_PATTERN)
    kind: EquipmentKind
    description: Line = Field(default="", max_length=300)
    condition: Condition = Condition.READY

    @property
    def shown(self) -> str:
        """The item as an officer recognises it: ``Canon EOS R6 (KAMERA-01)``, or its id alone."""
        return f"{self.description} ({self.item_id})" if self.description else self.item_id

    def update(self, *, kind: EquipmentKind, description: str, condition: Condition) -> None:
        self.kind, self.description, self.condition = kind, description, condition
        self.changed()
