"""Who does what in SOP 58/2025 (the *Pelaksana* columns) and the vocabularies events use."""

from enum import StrEnum


class Role(StrEnum):
    """An officer's SOP role; a bearer token names exactly one."""

    ADMIN = "admin"  # Pengadministrasi Perkantoran
    SECTION_HEAD = "section_head"  # Kepala Bagian Protokol dan Komunikasi Pimpinan
    TEAM_LEAD = "team_lead"  # Ketua Tim Dokumentasi Pimpinan
    COVERAGE_TEAM = "coverage_team"  # Tim Peliputan / Tim Editor / Tim Medsos


class ReviewLevel(StrEnum):
    """The two levels of verification: step 5 (team lead) and step 6 (section head)."""

    TEAM_LEAD = "team_lead"
    SECTION_HEAD = "section_head"


class Leader(StrEnum):
    """The leader whose agenda an event belongs to."""

    MAYOR = "wali_kota"
    DEPUTY_MAYOR = "wakil_wali_kota"
    REGIONAL_SECRETARY = "sekda"
    OTHER = "lainnya"


class CoverageRole(StrEnum):
    """What a member of a coverage team does at an event."""

    WRITER = "writer"
    PHOTOGRAPHER = "photographer"
    VIDEOGRAPHER = "videographer"
    EDITOR = "editor"
    SOCIAL_MEDIA = "social_media"


class AssetKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"


class RejectionReason(StrEnum):
    """Why a reviewer sent coverage back; the SOP holds someone to account for every rejection."""

    FACTUAL_ERROR = "factual_error"
    MISSING_MATERIAL = "missing_material"
    PHOTO_QUALITY = "photo_quality"
    LANGUAGE = "language"
    SENSITIVITY = "sensitivity"
    OTHER = "other"
