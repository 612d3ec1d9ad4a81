"""One source, two languages: English and Simplified Chinese (docs/i18n.md).

* ``t("English", "中文")``: a message in the language of the running notebook (checks, hints, banners).
* A markdown cell holds the English text, a line ``<!-- zh -->``, then the Chinese text.
* A code cell's Chinese version (comments, docstrings, labels) is ``metadata.course.zh``; it may differ
  from the English source only in text (:func:`same_code`).
* :class:`PickLanguage`, the first preprocessor of ``nbgrader generate_assignment``, keeps one language
  and records it in the release's ``metadata.course.language``.

The language: ``COURSE_LANG`` if set (the grader sets it from the submission), else the language the
notebook beside the kernel was released in (read by ``course.start``), else English.
"""
from __future__ import annotations

import ast
import copy
import io
import json
import os
import re
import tokenize
from pathlib import Path

LANGUAGES = ("en", "zh")
MARK = "<!-- zh -->"
# Lectures whose source holds both languages in full (tests/test_i18n.py holds them to it); a zh
# release of another lecture is refused with a message that names it.
TRANSLATED = frozenset({"01_linear_model", "02_gradient_descent"})

_notebook_language: str | None = None  # what course.start read from the released notebook


class TranslationError(ValueError):
    """A text exists in one language only, or the two versions of a cell differ in code."""


def normal(lang: str | None) -> str | None:
    """'zh', 'zh_CN', 'zh-Hans', 'cn', '中文' -> 'zh'; 'en', 'en_US.UTF-8' -> 'en'; other -> None."""
    text = (lang or "").strip().lower()
    if text.startswith(("zh", "cn", "中")):
        return "zh"
    if text.startswith("en"):
        return "en"
    return None


def language() -> str:
    """The language messages are written in now."""
    return normal(os.environ.get("COURSE_LANG")) or _notebook_language or "en"


def set_language(lang: str | None) -> None:
    global _notebook_language
    _notebook_language = normal(lang)


def t(en: str, zh: str) -> str:
    """``en`` or ``zh``, in the running notebook's language."""
    return zh if language() == "zh" else en


def notebook_language(nb) -> str:
    """The language a notebook (dict or NotebookNode) was released in: 'en' unless it says 'zh'."""
    meta = (nb.get("metadata") or {}).get("course") or {}
    return normal(meta.get("language") if isinstance(meta, dict) else None) or "en"


def language_beside(lecture: str, folder: Path | None = None) -> str | None:
    """The language of ``<lecture>.ipynb`` in ``folder`` (the kernel's working folder), if it says."""
    path = (folder or Path.cwd()) / f"{lecture}.ipynb"
    try:
        with open(path, encoding="utf-8") as fh:
            return normal(((json.load(fh).get("metadata") or {}).get("course") or {}).get("language"))
    except (OSError, ValueError, AttributeError):
        return None


# --------------------------------------------------------------------------- markdown
def split_markdown(text: str) -> tuple[str, str | None]:
    """(English, Chinese or None) of a markdown cell's source."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.strip() == MARK:
            return "\n".join(lines[:i]).rstrip(), "\n".join(lines[i + 1:]).strip("\n")
    return text, None


def _has_words(text: str) -> bool:
    """Prose to translate: letters outside formulas, code spans, links' targets and HTML."""
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", " ", text, flags=re.S)
    text = re.sub(r"```.*?```|`[^`\n]*`", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>|\]\([^)]*\)|!\[[^\]]*\]", " ", text)
    return len(re.findall(r"[A-Za-z]{3,}", text)) >= 2


def has_chinese(text: str) -> bool:
    return re.search(r"[\u3400-\u9fff]", text) is not None


# --------------------------------------------------------------------------- code
def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def zh_source(cell) -> str | None:
    meta = (cell.get("metadata") or {}).get("course") or {}
    zh = meta.get("zh") if isinstance(meta, dict) else None
    if isinstance(zh, list):
        zh = "".join(zh)
    return zh if isinstance(zh, str) else None


def _python(source: str) -> str:
    """The cell as Python: IPython magics and shell lines become ``pass`` (same line numbers)."""
    return "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


def comments(source: str) -> list[str]:
    """The comments of a code cell (without '#'), in order."""
    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(_python(source)).readline):
            if tok.type == tokenize.COMMENT:
                found.append(tok.string.lstrip("#").strip())
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


def _docstrings(tree: ast.AST) -> list[str]:
    """Remove the docstrings of a parsed cell (in place); return them."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.append(first.value.value)
                node.body = node.body[1:] or [ast.Pass()]
    return found


def _strings(tree: ast.AST) -> list[str]:
    """The string constants of a tree, in order; each replaced by a placeholder (in place)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
            node.value = "<str>"
    return found


def docstrings(source: str) -> list[str]:
    try:
        return _docstrings(ast.parse(_python(source)))
    except SyntaxError:
        return []


def same_code(en: str, zh: str, strict_strings: bool = False) -> tuple[bool, str]:
    """Whether two versions of a cell are the same code: equal once comments and docstrings are
    removed; their other strings equal, or (unless ``strict_strings``) the Chinese one a translation
    (it contains Chinese).  Returns (same, what differs)."""
    try:
        a, b = ast.parse(_python(en)), ast.parse(_python(zh))
    except SyntaxError as exc:
        return False, f"does not parse: {exc.msg} (line {exc.lineno})"
    _docstrings(a), _docstrings(b)
    sa, sb = _strings(a), _strings(b)
    if ast.dump(a) != ast.dump(b):
        return False, "the code differs (not only comments, docstrings or strings)"
    for x, y in zip(sa, sb):
        if x != y and (strict_strings or not has_chinese(y)):
            return False, f"the string {x[:60]!r} became {y[:60]!r}" + (
                " (in a cell the grader restores, messages go through course.i18n.t)" if strict_strings else "")
    return True, ""


def _restored(cell) -> bool:
    """A cell the grader restores from the gradebook before grading: the setup and test cells."""
    meta = (cell.get("metadata") or {}).get("nbgrader") or {}
    return bool(meta.get("locked")) and cell.get("cell_type") == "code"


_MARKERS = re.compile(r"^(noqa|type:|pragma|%%|-\*-|#*\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)|YOUR CODE HERE)")


def _prose(text: str) -> bool:
    """Words a student reads (two or more words of three letters), not a name or an expression."""
    return len(re.findall(r"(?<![\w.])[A-Za-z]{3,}(?![\w(])", text)) >= 2


def untranslated(source: str) -> list[str]:
    """The messages of a cell or module written in English only: string constants (and f-strings)
    with prose that are not an argument of a ``t(...)`` call."""
    try:
        tree = ast.parse(_python(source))
    except SyntaxError:
        return []
    _docstrings(tree)
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("t", "_t"):
            for arg in node.args:
                inside.update(id(n) for n in ast.walk(arg))
        elif isinstance(node, (ast.Tuple, ast.List)) and any(
                isinstance(e, ast.Constant) and isinstance(e.value, str) and has_chinese(e.value) for e in node.elts):
            inside.update(id(n) for n in ast.walk(node))   # a (text to find, English, 中文) entry of a table
        elif isinstance(node, ast.Tuple) and any(isinstance(e, ast.Starred) for e in node.elts):
            inside.update(id(n) for n in ast.walk(node))   # (text to find, *PAIR): the pair holds both
    found = []
    for node in ast.walk(tree):
        if id(node) in inside:
            continue
        if isinstance(node, ast.JoinedStr):
            inside.update(id(n) for n in ast.walk(node))
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if _prose(text) and not has_chinese(text):
            found.append(text[:70])
    return found


def _needs_words(source: str) -> bool:
    texts = [c for c in comments(source) if not _MARKERS.match(c)]
    texts += docstrings(source)
    return any(re.search(r"[A-Za-z]{3,}", c) for c in texts)


# --------------------------------------------------------------------------- whole notebooks
def problems(nb) -> list[str]:
    """What keeps a source notebook from a zh release: texts in one language only, code cells whose
    Chinese version differs in code.  Empty: both languages are complete."""
    found = []
    for index, cell in enumerate(nb.get("cells", [])):
        where = f"cell {index}" + (f" ({cell['metadata']['nbgrader'].get('grade_id')})"
                                   if (cell.get("metadata") or {}).get("nbgrader", {}).get("grade_id") else "")
        source = _source(cell)
        if cell.get("cell_type") == "markdown":
            en, zh = split_markdown(source)
            if zh is None and _has_words(en):
                found.append(f"{where}: markdown in English only (add '{MARK}' and the Chinese text)")
            elif zh is not None and not has_chinese(zh):
                found.append(f"{where}: the part after '{MARK}' holds no Chinese")
            elif zh is not None and not en.strip():
                found.append(f"{where}: Chinese only (the English part before '{MARK}' is empty)")
        elif cell.get("cell_type") == "code":
            zh = zh_source(cell)
            if zh is None:
                if _needs_words(source):
                    found.append(f"{where}: comments or docstrings in English only (add metadata.course.zh)")
            else:
                same, why = same_code(source, zh, strict_strings=_restored(cell))
                if not same:
                    found.append(f"{where}: the Chinese version {why}")
        if cell.get("cell_type") == "code" and _restored(cell):
            for text in untranslated(source):
                found.append(f"{where}: the message {text!r} is in English only (write it as t(\"...\", \"...\"))")
    return found


def localize(nb, lang: str):
    """A copy of a two-language source notebook in ``lang`` only (a zh one says so in ``metadata.course.language``)."""
    lang = normal(lang) or "en"
    out = copy.deepcopy(nb)
    for cell in out.cells if hasattr(out, "cells") else out["cells"]:
        source = _source(cell)
        if cell["cell_type"] == "markdown":
            en, zh = split_markdown(source)
            cell["source"] = zh if (lang == "zh" and zh is not None) else en
        elif cell["cell_type"] == "code":
            zh = zh_source(cell)
            if lang == "zh" and zh is not None:
                cell["source"] = zh
        meta = cell.get("metadata") or {}
        if isinstance(meta.get("course"), dict):
            meta["course"].pop("zh", None)
            if not meta["course"]:
                del meta["course"]
    if lang != "en":  # an English release is the notebook of before, byte for byte
        out["metadata"].setdefault("course", {})["language"] = lang
    return out


def release_language(config=None) -> str:
    """``COURSE_LANG``, else ``c.Course.language`` of the nbgrader config, else 'en'."""
    env = normal(os.environ.get("COURSE_LANG"))
    if env:
        return env
    try:
        value = config.Course.language if config is not None and "Course" in config else None
    except AttributeError:
        value = None
    return normal(value if isinstance(value, str) else None) or "en"


# --------------------------------------------------------------------------- nbgrader
STUBS = {
    "en": {"code": "# YOUR CODE HERE\nraise NotImplementedError()", "text": "YOUR ANSWER HERE"},
    "zh": {"code": "# 在这里写你的代码\nraise NotImplementedError()", "text": "在这里写你的答案"},
}

try:
    from nbconvert.preprocessors import Preprocessor
    from traitlets import Bool
except ImportError:  # course.i18n.t works without nbconvert (a student's laptop with only torch)
    Preprocessor, Bool = object, None


class PickLanguage(Preprocessor):
    """``nbgrader generate_assignment``'s first step: the release in the class's language."""

    if Bool is not None:
        enabled = Bool(True, help="nbconvert applies a preprocessor only when enabled").tag(config=True)

    def preprocess(self, nb, resources):
        lang = release_language(getattr(self, "config", None))
        if lang == "zh":
            missing = problems(nb)
            if missing:
                name = (resources.get("nbgrader") or {}).get("notebook", "this notebook")
                raise TranslationError(
                    f"{name} cannot be released in Chinese yet: " + "; ".join(missing[:6])
                    + (f" (and {len(missing) - 6} more)" if len(missing) > 6 else "")
                    + f". Translated lectures: {', '.join(sorted(TRANSLATED))}.")
        return localize(nb, lang), resources
