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


class SenderKind(StrEnum):
    """Who sent a request letter."""

    REGIONAL_AGENCY = "opd"  # Organisasi Perangkat Daerah of the city
    GOVERNMENT_BODY = "instansi"  # a government body outside the city administration
    INSTITUTION = "lembaga"  # a non-government institution or organisation
    OTHER = "lainnya"


class LetterNature(StrEnum):
    """The urgency printed on a letter (sifat surat)."""

    MOST_URGENT = "sangat_segera"
    URGENT = "segera"
    ORDINARY = "biasa"


class DispositionInstruction(StrEnum):
    """The boxes the section head ticks on the disposition sheet."""

    FOR_INFORMATION = "untuk_diketahui"
    FOR_FOLLOW_UP = "untuk_ditindaklanjuti"
    COORDINATE = "koordinasikan"
    ATTEND = "hadiri"
    COVER_AND_PUBLISH = "liput_dan_publikasikan"
    PREPARE_MATERIAL = "siapkan_bahan"
    FILE = "arsipkan"


class CoverageRole(StrEnum):
    """What a member of a coverage team does at an event."""

    WRITER = "writer"
    PHOTOGRAPHER = "photographer"
    VIDEOGRAPHER = "videographer"
    EDITOR = "editor"
    SOCIAL_MEDIA = "social_media"


class SocialChannel(StrEnum):
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    X = "x"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"


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
