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
* :func:`install_lab_css` gives JupyterLab the same face as a web font (``make lab``, the tests' lab,
  the hub's single-user servers start JupyterLab with ``--LabApp.custom_css=True``): a subset holding
  every Chinese character of the course's notebooks and messages plus the 3,755 common characters of
  GB 2312 level 1 (what a student types in a written answer), served from JupyterLab's ``custom/``
  folder and placed first in its UI, content and code font stacks; its ``unicode-range`` keeps Latin
  text in JupyterLab's own fonts.
"""
from __future__ import annotations

import base64
import hashlib
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
    return _face_rule(_data_uri(data), ",".join(f"U+{ord(ch):X}" for ch in kept), family)


def _data_uri(woff: bytes) -> str:
    return "data:font/woff;base64," + base64.b64encode(woff).decode("ascii")


def _face_rule(url: str, ranges: str, family: str = WEB_FAMILY) -> str:
    """The ``@font-face`` of the course's face at ``url``, limited to ``ranges`` so Latin text keeps its font."""
    return (f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: normal; '
            f'font-display: block; src: url("{url}") format("woff"); unicode-range: {ranges}; }}')


LAB_CSS = "course-cjk.css"  # in <jupyter config dir>/custom/, beside the font; custom.css imports it
LAB_FONT = "course-cjk.woff"
LAB_RANGES = "U+2E80-2FFF, U+3000-303F, U+3040-30FF, U+3100-31FF, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF"


def common_characters() -> str:
    """The 3,755 characters of GB 2312 level 1 (rows 16-55): the Chinese most text is written in."""
    chars = []
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(chars)


def course_characters(root: Path | None = None) -> str:
    """Every CJK character of the course's notebooks (source and release), its package and its catalogue."""
    root = Path(root) if root is not None else Path(__file__).resolve().parent.parent
    text = []
    for pattern in ("source/*/*.ipynb", "release/*/*.ipynb", "course/**/*.py", "course/**/*.json", "course/**/*.md"):
        for path in sorted(root.glob(pattern)):
            try:
                text.append(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                pass
    return cjk_characters("".join(text))


def web_font(root: Path | None = None) -> bytes:
    """The WOFF that JupyterLab and visdom use: the course's Chinese characters and GB 2312 level 1.

    Subsetting takes ~20 s, so the result is kept in ``$XDG_CACHE_HOME/pytorch-course/`` (``~/.cache``),
    named by the characters it holds; it is made again only when the course's characters change.
    """
    import os

    chars = cjk_characters(course_characters(root) + common_characters() + "，。：；？！（）《》“”‘’、…—")
    digest = hashlib.sha256(chars.encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pytorch-course"
    path = cache / f"course-cjk-{digest}.woff"
    try:
        return path.read_bytes()
    except OSError:
        pass
    data, _ = _subset(chars)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)  # two servers starting at once never read half a file
    except OSError:
        pass  # a read-only home: subset again next time
    return data


VISDOM_BEGIN, VISDOM_END = "/* course-cjk: begin (course.fonts.visdom_css) */", "/* course-cjk: end */"


def visdom_css(root: Path | None = None) -> str:
    """The block of visdom's project style sheet (``<env_path>/style.css``, served as /user/style.css) that
    draws Chinese in window titles and in plotly's SVG text (titles, axis labels, legends): visdom serves no
    other file of ours, so the font is inlined as a data URI; ``!important`` outranks plotly's inline style."""
    return (f"{VISDOM_BEGIN}\n"
            f"{_face_rule(_data_uri(web_font(root)), LAB_RANGES)}\n"
            # visdom's style.css sets every element's family with "*": the same selector, later, wins
            f'* {{ font-family: "{WEB_FAMILY}", "Open Sans", sans-serif; }}\n'
            f'.js-plotly-plot svg text {{ font-family: "{WEB_FAMILY}", "Open Sans", verdana, arial, sans-serif !important; }}\n'
            f"{VISDOM_END}\n")


def install_visdom_css(env_path: Path, root: Path | None = None) -> Path:
    """Put :func:`visdom_css` into ``<env_path>/style.css``, keeping whatever else the file holds."""
    import re

    sheet = Path(env_path) / "style.css"
    existing = sheet.read_text() if sheet.exists() else ""
    others = re.sub(re.escape(VISDOM_BEGIN) + r".*?" + re.escape(VISDOM_END) + r"\n?", "", existing, flags=re.S)
    text = visdom_css(root) + others
    if text != existing:
        sheet.parent.mkdir(parents=True, exist_ok=True)
        sheet.write_text(text)
    return sheet


def install_lab_css(config_dir: Path, root: Path | None = None) -> Path:
    """Write ``course-cjk.css`` and its font into ``<config_dir>/custom/`` and make ``custom.css`` import it.

    Idempotent (the font is rewritten only when its characters change); a ``custom.css`` the user wrote
    keeps its rules, with the import line put first (CSS allows ``@import`` only at the top).
    Returns the CSS file.
    """
    custom = Path(config_dir) / "custom"
    custom.mkdir(parents=True, exist_ok=True)
    data = web_font(root)
    font = custom / LAB_FONT
    if not font.exists() or font.read_bytes() != data:
        font.write_bytes(data)
    stacks = {"--jp-ui-font-family": "system-ui, -apple-system, blinkmacsystemfont, 'Segoe UI', helvetica, arial, sans-serif",
              "--jp-content-font-family": "system-ui, -apple-system, blinkmacsystemfont, 'Segoe UI', helvetica, arial, sans-serif",
              "--jp-code-font-family": "menlo, consolas, 'DejaVu Sans Mono', monospace"}
    rules = "".join(f"  {name}: \"{WEB_FAMILY}\", {stack};\n" for name, stack in stacks.items())
    css = (f"/* written by course.fonts.install_lab_css: Chinese for JupyterLab on a machine without a CJK font */\n"
           f"{_face_rule(LAB_FONT, LAB_RANGES)}\n"
           # :root:root outranks the theme's :root rules, which JupyterLab adds after this sheet
           f":root:root {{\n{rules}}}\n")
    sheet = custom / LAB_CSS
    if not sheet.exists() or sheet.read_text() != css:
        sheet.write_text(css)
    main = custom / "custom.css"
    line = f'@import url("{LAB_CSS}");'
    existing = main.read_text() if main.exists() else ""
    if line not in existing:
        main.write_text(line + "\n" + existing)
    return sheet
