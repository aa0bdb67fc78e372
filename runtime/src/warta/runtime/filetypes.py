"""What a photo or video file is, judged from its first bytes (names and claimed types do not
count): the coverage service checks uploads by it, and the console chooses an upload's kind by it
so the officer need not."""

from enum import StrEnum

from warta.contracts import AssetKind

SNIFF_BYTES = 16


class MediaType(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    HEIC = "image/heic"
    MP4 = "video/mp4"
    MOV = "video/quicktime"


KIND_OF = {
    MediaType.JPEG: AssetKind.PHOTO,
    MediaType.PNG: AssetKind.PHOTO,
    MediaType.HEIC: AssetKind.PHOTO,
    MediaType.MP4: AssetKind.VIDEO,
    MediaType.MOV: AssetKind.VIDEO,
}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"mmp4"}


def media_type_of(head: bytes) -> MediaType | None:
    """The type of a file from its first bytes; names and claimed types do not count."""
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in HEIC_BRANDS:
            return MediaType.HEIC
        if brand == b"qt  ":
            return MediaType.MOV
        if brand in MP4_BRANDS:
            return MediaType.MP4
    return None


def kind_of(head: bytes) -> AssetKind | None:
    """A photo or a video, or None for a file that is neither."""
    found = media_type_of(head)
    return KIND_OF[found] if found else None
