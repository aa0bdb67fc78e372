"""The Latin subsets of the disposition sheet's fonts, made from the whole fonts beside them."""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from warta.intake.disposition_sheet import LATIN_FONTS, LATIN_SCRIPT, WHOLE_FONTS

FOLDER = Path("services/intake/src/warta/intake/fonts")


def write(folder: Path = FOLDER) -> list[Path]:
    written = []
    for whole, latin in zip(WHOLE_FONTS, LATIN_FONTS, strict=True):
        font = TTFont(folder / whole)
        options = subset.Options()
        options.name_IDs = ["*"]  # keep the fonts' names and licence notice
        options.notdef_outline = True
        options.layout_features = []  # the sheet sets text without shaping: no kerning or ligatures
        options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=LATIN_SCRIPT)
        subsetter.subset(font)
        font.save(folder / latin)
        written.append(folder / latin)
    return written
