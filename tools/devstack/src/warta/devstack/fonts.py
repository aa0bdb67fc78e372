"""The subsets of the disposition sheet's fonts (basic, Latin), made from the whole fonts beside them."""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from warta.intake.disposition_sheet import SUBSETS, WHOLE_FONTS

FOLDER = Path("services/intake/src/warta/intake/fonts")


def write(folder: Path = FOLDER) -> list[Path]:
    written: list[Path] = []
    for fonts, characters in SUBSETS.items():
        for whole, part in zip(WHOLE_FONTS, fonts, strict=True):
            written.append(_subset(folder / whole, folder / part, characters))
    return written


def _subset(whole: Path, part: Path, characters: frozenset[int]) -> Path:
    font = TTFont(whole)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the fonts' names and licence notice
    options.notdef_outline = True
    options.layout_features = []  # the sheet sets text without shaping: no kerning or ligatures
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters)
    subsetter.subset(font)
    font.save(part)
    return part
