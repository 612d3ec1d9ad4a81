"""A Chinese (CJK) font that comes with the course's packages, for matplotlib and for the feedback page.

The course's text is partly Chinese (lecture titles, some messages, a student's own labels), and a
machine without a system CJK font (``fc-list :lang=zh`` prints nothing: a fresh Debian, a container,
CI) draws each Chinese character as an empty box ("tofu"), in a figure and in a browser alike.
The font here is Noto Sans CJK SC from the PyPI package ``noto-cjk-sans-otc`` (pinned in
pyproject.toml), so it installs with the course and needs no system download.

* :func:`use_cjk` registers it with matplotlib and puts it *after* the current families in
  ``font.family`` (and in ``font.sans-serif``): Latin text keeps its font (DejaVu Sans by default)
  and each character that font lacks falls back to Noto Sans CJK SC (matplotlib >= 3.6 falls back
  glyph by glyph along ``font.family``).
* :func:`font_face_css` is the ``@font-face`` rule the feedback page inlines
  (course/grading/feedback.py): the font subset to the CJK characters of that page, as a WOFF data
  URI, so a page opened from disk, with no network, shows them.
"""
from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

CJK_FAMILY = "Noto Sans CJK SC"  # the face of the collection that matplotlib and the page use
WEB_FAMILY = "Course CJK"  # the family name of the subset inlined in a page
FIRST_CJK = 0x2E80  # CJK radicals, punctuation, kana, ideographs, hangul, fullwidth forms all lie above


class FontError(RuntimeError):
    """The course's CJK font is not installed; the message says how to fix it."""


def font_file() -> Path:
    """The OpenType collection of Noto Sans CJK (Regular) that the ``noto-cjk-sans-otc`` package ships."""
    try:
        from noto_cjk_sans_otc import FONT_PATH
    except ImportError:  # pragma: no cover - the package is a dependency
        raise FontError("the course's CJK font is missing: `make setup` installs noto-cjk-sans-otc") from None
    return Path(str(FONT_PATH))


@lru_cache(maxsize=None)
def face_index(family: str = CJK_FAMILY) -> int:
    """The index of ``family`` inside the collection (Noto's OTC: JP, KR, SC, TC, HK, then Mono)."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(font_file()), lazy=True)
    try:
        for i, font in enumerate(collection.fonts):
            if font["name"].getDebugName(1) == family:
                return i
    finally:
        collection.close()
    raise FontError(f"{font_file()} has no face {family!r}")


def use_cjk(rc=None) -> str:
    """Register Noto Sans CJK SC with matplotlib and add it as the fallback family (idempotent).

    ``rc`` is the rcParams to change (matplotlib's global ones by default). Returns the family name.
    """
    import matplotlib
    from matplotlib import font_manager

    path = str(font_file())
    if not any(f.name == CJK_FAMILY for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    rc = matplotlib.rcParams if rc is None else rc
    families = list(rc["font.family"])
    if CJK_FAMILY not in families:
        rc["font.family"] = families + [CJK_FAMILY]
    sans = list(rc["font.sans-serif"])
    if CJK_FAMILY not in sans:
        rc["font.sans-serif"] = sans + [CJK_FAMILY]
    return CJK_FAMILY


def cjk_characters(text: str) -> str:
    """The distinct characters of ``text`` that are CJK (or other wide scripts), sorted."""
    return "".join(sorted({ch for ch in text if ord(ch) >= FIRST_CJK}))


@lru_cache(maxsize=64)
def _subset(chars: str) -> tuple[bytes, str]:
    """(a WOFF of the CJK face holding only ``chars`` that it has, those characters)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_file()), fontNumber=face_index())
    cmap = font.getBestCmap()
    kept = "".join(ch for ch in chars if ord(ch) in cmap)
    options = subset.Options()
    options.flavor = "woff"  # zlib; woff2 would need brotli, which the course does not install
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.name_languages = [0x409]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=kept)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    font.close()
    return out.getvalue(), kept


def font_face_css(text: str, family: str = WEB_FAMILY) -> str:
    """An ``@font-face`` rule for the CJK characters of ``text`` (empty when it has none).

    The subset is inlined as a data URI and limited by ``unicode-range`` to its characters, so the
    page's Latin text keeps its own font and only CJK text comes from this one.
    """
    chars = cjk_characters(text)
    if not chars:
        return ""
    data, kept = _subset(chars)
    if not kept:
        return ""
    ranges = ",".join(f"U+{ord(ch):X}" for ch in kept)
    uri = "data:font/woff;base64," + base64.b64encode(data).decode("ascii")
    return (f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: normal; '
            f'font-display: block; src: url({uri}) format("woff"); unicode-range: {ranges}; }}')
