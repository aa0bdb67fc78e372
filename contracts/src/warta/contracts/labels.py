"""How each vocabulary value is written for the section's staff, in Bahasa Indonesia.

One table for every service and document that shows these values to people (the disposition
sheet, notifications, the console), so a term is spelled the same everywhere.
"""

from enum import StrEnum

from .roles import (
    AssetKind,
    CoverageRole,
    DispositionInstruction,
    Leader,
    LetterNature,
    RejectionReason,
    ReviewLevel,
    Role,
    SenderKind,
    SocialChannel,
)

# Values repeat across vocabularies ("section_head" is a role and a review level, "lainnya" a leader
# and a sender), and a StrEnum member equals its value: each label is keyed by its vocabulary too.
_ENTRIES: tuple[tuple[StrEnum, str], ...] = (
    (Role.ADMIN, "Pengadministrasi Perkantoran"),
    (Role.SECTION_HEAD, "Kepala Bagian Protokol dan Komunikasi Pimpinan"),
    (Role.TEAM_LEAD, "Ketua Tim Dokumentasi Pimpinan"),
    (Role.COVERAGE_TEAM, "Tim Peliputan"),
    (ReviewLevel.TEAM_LEAD, "Ketua Tim Dokumentasi Pimpinan"),
    (ReviewLevel.SECTION_HEAD, "Kepala Bagian"),
    (Leader.MAYOR, "Wali Kota"),
    (Leader.DEPUTY_MAYOR, "Wakil Wali Kota"),
    (Leader.REGIONAL_SECRETARY, "Sekretaris Daerah"),
    (Leader.OTHER, "Pimpinan lainnya"),
    (SenderKind.REGIONAL_AGENCY, "OPD"),
    (SenderKind.GOVERNMENT_BODY, "Instansi"),
    (SenderKind.INSTITUTION, "Lembaga"),
    (SenderKind.OTHER, "Lainnya"),
    (LetterNature.MOST_URGENT, "Sangat Segera"),
    (LetterNature.URGENT, "Segera"),
    (LetterNature.ORDINARY, "Biasa"),
    (DispositionInstruction.FOR_INFORMATION, "Untuk diketahui"),
    (DispositionInstruction.FOR_FOLLOW_UP, "Untuk ditindaklanjuti"),
    (DispositionInstruction.COORDINATE, "Koordinasikan"),
    (DispositionInstruction.ATTEND, "Hadiri"),
    (DispositionInstruction.COVER_AND_PUBLISH, "Liput dan publikasikan"),
    (DispositionInstruction.PREPARE_MATERIAL, "Siapkan bahan"),
    (DispositionInstruction.FILE, "Arsipkan"),
    (CoverageRole.WRITER, "Penulis"),
    (CoverageRole.PHOTOGRAPHER, "Fotografer"),
    (CoverageRole.VIDEOGRAPHER, "Videografer"),
    (CoverageRole.EDITOR, "Editor"),
    (CoverageRole.SOCIAL_MEDIA, "Admin media sosial"),
    (SocialChannel.INSTAGRAM, "Instagram"),
    (SocialChannel.FACEBOOK, "Facebook"),
    (SocialChannel.X, "X"),
    (SocialChannel.YOUTUBE, "YouTube"),
    (SocialChannel.TIKTOK, "TikTok"),
    (AssetKind.PHOTO, "Foto"),
    (AssetKind.VIDEO, "Video"),
    (RejectionReason.FACTUAL_ERROR, "Kesalahan fakta"),
    (RejectionReason.MISSING_MATERIAL, "Materi kurang"),
    (RejectionReason.PHOTO_QUALITY, "Kualitas foto"),
    (RejectionReason.LANGUAGE, "Bahasa"),
    (RejectionReason.SENSITIVITY, "Sensitivitas / protokol"),
    (RejectionReason.OTHER, "Lainnya"),
)
LABELS: dict[tuple[type[StrEnum], str], str] = {(type(value), value.value): text for value, text in _ENTRIES}


def label(value: StrEnum) -> str:
    """The Indonesian label of a vocabulary value."""
    return LABELS[(type(value), value.value)]
