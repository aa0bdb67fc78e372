"""Images read as what they are: decoded to their last byte, within a pixel limit.

A file that only starts like a JPEG or a PNG is not taken for one: a scan or a photo is accepted
once it decodes whole, so a truncated or damaged file is refused when it is uploaded, not found
broken when a reviewer opens it. A header that claims more pixels than ``max_pixels`` (a
"decompression bomb": 900 megapixels in under 1 MB) is refused before anything is decoded.
HEIC photos are read through pillow-heif.
"""

import io
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import IO

from PIL import Image, UnidentifiedImageError
from pillow_heif import register_heif_opener

from .indonesian import format_number

register_heif_opener()

DEFAULT_MAX_PIXELS = 100_000_000  # a 100-megapixel photo; a phone's default is 12 to 50


class ImageFault(StrEnum):
    """Why an image is refused, as the rule's name a field problem carries (``FieldProblem.type``)."""

    TOO_MANY_PIXELS = "too_many_pixels"
    DAMAGED = "image_damaged"


class ImageRefused(Exception):
    """The file is not a whole image this service will read; ``reason`` says why, for a person,
    ``fault`` names the rule and ``limits`` its numbers, for a face in another language."""

    def __init__(self, reason: str, *, fault: ImageFault, limits: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fault = fault
        self.limits = limits or {}


def limit_pixels(max_pixels: int) -> None:
    """Every decode in this process refuses images over ``max_pixels`` (Pillow's own guard)."""
    Image.MAX_IMAGE_PIXELS = max_pixels


@dataclass(frozen=True)
class Decoded:
    """A decoded image and the size the file declares (a JPEG is decoded at a reduced scale)."""

    image: Image.Image
    width: int
    height: int


def decoded(source: bytes | IO[bytes], *, max_pixels: int, reduced: bool = False) -> Decoded:
    """The image, decoded whole. ``reduced``: a JPEG at an eighth of its scale, which still reads
    every byte of it, for a check or a thumbnail at a fraction of the memory."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
            width, height = image.size
            if width * height > max_pixels:
                raise ImageRefused(
                    f"the image is {width} by {height} pixels, more than the {max_pixels:,} allowed",
                    fault=ImageFault.TOO_MANY_PIXELS,
                    limits={"width": str(width), "height": str(height), "max_pixels": format_number(max_pixels)},
                )
            if reduced and image.format == "JPEG":
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
            return Decoded(image, width, height)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
        raise ImageRefused(
            f"the image claims more pixels than the {max_pixels:,} allowed",
            fault=ImageFault.TOO_MANY_PIXELS,
            limits={"max_pixels": format_number(max_pixels)},
        ) from bomb
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as damaged:
        raise ImageRefused(f"the image is incomplete or damaged ({damaged})", fault=ImageFault.DAMAGED) from damaged
