"""Feedback that keeps the hidden tests hidden: a preprocessor for ``nbgrader generate_feedback``.

The autograded notebook that nbgrader turns into a student's feedback HTML holds every test cell
with its hidden part (between nbgrader's begin/end hidden-tests markers), and the
tracebacks of failing tests quote that code.  :class:`HideHiddenTests` (on by default in
``nbgrader_config.py``; ``c.HideHiddenTests.enabled = False`` switches it off) rewrites the copy
that is rendered (the autograded notebook and the gradebook are untouched):

* each test cell shows its visible part and one line ``# hidden tests: not shown`` in place of
  each hidden block;
* each error of a test cell shows only ``ename: evalue`` (the test's message), never a traceback;
* in every output of every cell (a student's own cell may print ``In``, a warning may quote the
  line that called it), a line that contains a line of a hidden test is replaced by
  ``[a line of a hidden test was removed]``.

Whether a test passed, and its message, stay: the score comes from the gradebook (``GetGrades``).

The page itself is the course's template ``templates/feedback/`` (adapted from nbgrader's, under the
same name, which the formgrader's "generate feedback" button asks for), fed by :class:`FeedbackPage`:

* the summary on top has a row per test: the exercise (the markdown heading above it), the test's
  ``grade_id``, its score and, when it failed, the first line of its error (the AssertionError's
  message names the mistake);
* formulas are rendered by KaTeX (npm ``katex``, fetched once by ``make feedback-assets``), its
  script, stylesheet and fonts inlined, where nbgrader's page loads MathJax from a CDN;
* Chinese text is set in Noto Sans CJK SC (course/fonts.py), subset to the page's characters and
  inlined, for machines with no system CJK font.

So the page opened from disk, with no network, shows everything.
"""
from __future__ import annotations

import base64
import logging
import os
import re
import subprocess
import tarfile
from functools import lru_cache
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Integer, Unicode

PLACEHOLDER = "# hidden tests: not shown"
REMOVED = "[a line of a hidden test was removed]"


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_test(cell) -> bool:
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def split_hidden(source: str, begin: str = "BEGIN HIDDEN TESTS", end: str = "END HIDDEN TESTS",
                 placeholder: str = PLACEHOLDER) -> tuple[str, list[str]]:
    """(the visible source with a placeholder line per hidden block, the hidden lines)."""
    shown, hidden, inside, indent = [], [], False, ""
    for line in source.splitlines():
        if not inside and begin in line:
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            shown.append(indent + placeholder)
        elif inside and end in line:
            inside = False
        elif inside:
            hidden.append(line)
        else:
            shown.append(line)
    return "\n".join(shown), hidden


class HideHiddenTests(Preprocessor):
    """Remove the hidden tests' code from what ``generate_feedback`` renders (see the module doc)."""

    enabled = Bool(True, help="hide the hidden tests' code in the feedback").tag(config=True)
    begin_delimiter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_delimiter = Unicode("END HIDDEN TESTS").tag(config=True)
    placeholder = Unicode(PLACEHOLDER).tag(config=True)
    min_line = Integer(6, help="hidden lines shorter than this (after stripping) are not searched for "
                               "in outputs (a lone ')' would match everything)").tag(config=True)

    def preprocess(self, nb, resources):
        if not self.enabled:
            return nb, resources
        secret: set[str] = set()
        for cell in nb.cells:
            if not is_test(cell):
                continue
            shown, hidden = split_hidden(cell.source, self.begin_delimiter, self.end_delimiter, self.placeholder)
            cell.source = shown
            secret.update(line.strip() for line in hidden if len(line.strip()) >= self.min_line)
        for cell in nb.cells:
            if cell.get("cell_type") != "code":
                continue
            test = is_test(cell)
            for out in cell.get("outputs", []):
                self._scrub(out, secret, test)
        return nb, resources

    def _scrub(self, out, secret: set[str], test: bool) -> None:
        clean = lambda text: _remove_lines(text, secret)  # noqa: E731
        kind = out.get("output_type")
        if kind == "error":
            out["ename"] = clean(str(out.get("ename", "")))
            out["evalue"] = clean(str(out.get("evalue", "")))
            if test:
                out["traceback"] = [f"{out['ename']}: {out['evalue']}"]
            else:
                out["traceback"] = [clean(line) for line in out.get("traceback", [])]
        elif kind == "stream":
            out["text"] = clean("".join(out.get("text", "")) if isinstance(out.get("text"), list) else out.get("text", ""))
        elif kind in ("display_data", "execute_result", "update_display_data"):
            data = out.get("data", {})
            for mime, value in list(data.items()):
                if isinstance(value, list):
                    value = "".join(value)
                if isinstance(value, str) and (mime.startswith("text/") or mime.endswith(("+json", "javascript"))):
                    data[mime] = clean(value)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _remove_lines(text: str, secret: set[str]) -> str:
    if not secret or not text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        plain = _ANSI.sub("", line)
        if any(s in plain for s in secret):
            lines[i] = REMOVED
    text = "\n".join(lines)
    # a hidden line may also sit inside a longer line (a repr of In, a JSON string): cut it out
    for s in secret:
        if s in text:
            text = text.replace(s, REMOVED)
    return text


# =========================================================================== the feedback page
# What the course's template (course/grading/templates/feedback/, nbgrader_config.py) shows
# on top of nbgrader's: a summary that names each test and says what to fix, formulas rendered by
# KaTeX and Chinese text in Noto Sans CJK SC, all inlined, so a page opened from disk with no
# network renders as it should.
ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "templates"  # extra_template_basedirs of the exporter
TEMPLATE_NAME = "feedback"  # nbgrader's name: the formgrader's "generate feedback" asks for it
# KaTeX from the npm registry (`make feedback-assets`, or the first generate_feedback): its script,
# its auto-render extension and its stylesheet with the woff2 fonts as data URIs (~0.7 MB a page).
KATEX = "katex@0.16.22"
ASSET_CACHE = Path(os.environ.get("COURSE_FEEDBACK_ASSETS", ROOT / "node_modules" / ".feedback-assets"))
_log = logging.getLogger(__name__)


class AssetError(RuntimeError):
    """The feedback page's assets cannot be had; the message says how to fix it."""


def npm_tarball(spec: str, cache: Path = ASSET_CACHE) -> Path:
    """The npm tarball of ``spec`` in the feedback assets' cache (fetched once)."""
    from ..npm import tarball

    return tarball(spec, cache, AssetError, "the feedback page's math", "make feedback-assets")


def _script(text: str) -> str:
    # inlined in <script>: a "</script" inside the code would end the element early
    return text.replace("</script", "<\\/script")


@lru_cache(maxsize=None)
def katex_assets(spec: str = KATEX, cache: Path = ASSET_CACHE) -> dict:
    """{"css": KaTeX's stylesheet with its fonts inlined, "js": katex.min.js, "auto_render": ...}."""
    with tarfile.open(npm_tarball(spec, cache)) as tar:
        def read(inner: str) -> bytes:
            member = tar.extractfile(f"package/{inner}")
            if member is None:
                raise AssetError(f"{spec} has no file {inner}")
            return member.read()

        css = read("dist/katex.min.css").decode()

        def inline(match: re.Match) -> str:
            font = base64.b64encode(read(f"dist/fonts/{match.group(1)}.woff2")).decode("ascii")
            return f'src:url(data:font/woff2;base64,{font}) format("woff2")'

        # each face lists woff2, woff and ttf files next to the stylesheet: keep the woff2 alone, inlined
        css = re.sub(r'src:url\(fonts/(KaTeX_[A-Za-z0-9_-]+)\.woff2\)[^;}]*', inline, css)
        if "url(fonts/" in css:
            raise AssetError(f"{spec}'s stylesheet still points at font files: {css[css.index('url(fonts/'):][:120]}")
        return {"version": spec.rsplit("@", 1)[1], "css": css,
                "js": _script(read("dist/katex.min.js").decode()),
                "auto_render": _script(read("dist/contrib/auto-render.min.js").decode())}


def _heading(source: str) -> str | None:
    """The last markdown heading of a cell, without its #s and its "(N points)"."""
    found = None
    for line in source.splitlines():
        m = re.match(r"\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m and m.group(1):
            found = m.group(1)
    if found:
        found = re.sub(r"\s*\((?:[^()]*\bpoints?\b[^()]*)\)\s*$", "", found)
    return found


def _message(cell) -> str:
    """What the student should read first: the first line of the test's error (AssertionError's message)."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            ename = _ANSI.sub("", str(out.get("ename", ""))).strip()
            lines = [ln.strip() for ln in _ANSI.sub("", str(out.get("evalue", ""))).splitlines() if ln.strip()]
            first = lines[0] if lines else ""
            if len(first) > 400:
                first = first[:400].rstrip() + " …"
            if ename == "AssertionError":
                return first or "AssertionError (the test gave no message)"
            if ename == "NotImplementedError" and not first:
                return "not answered yet: replace `raise NotImplementedError()` with your code"
            return f"{ename}: {first}" if first else ename
    return ""


def summary(nb) -> list[dict]:
    """One row per graded cell, in order: what it is, the exercise it belongs to, its score, what to fix."""
    from course import i18n

    rows, exercise = [], None
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            exercise = _heading(cell.source) or exercise
        meta = _nbgrader(cell)
        grade_id = meta.get("grade_id", "")
        if meta.get("grade") or meta.get("task"):
            if is_test(cell):
                kind = "test"
            elif meta.get("task"):
                kind = "task"
            elif cell.get("cell_type") == "code":
                kind = "code"
            else:
                kind = "written"
            score, points = meta.get("score"), meta.get("points")
            failed = score is not None and points is not None and float(score) < float(points)
            message = _message(cell) if failed and kind == "test" else ""
            if failed and kind == "test" and not message:
                message = WORDS[i18n.notebook_language(nb)]["no_message"]
            rows.append({"kind": kind, "grade_id": grade_id, "exercise": exercise or "",
                         "score": score, "points": points, "failed": failed, "message": message,
                         "comment": bool(meta.get("comment"))})
        elif meta.get("solution") and meta.get("comment"):
            rows.append({"kind": "comment", "grade_id": grade_id, "exercise": exercise or "",
                         "score": None, "points": None, "failed": False,
                         "message": (str(meta.get("comment")).strip().splitlines() or [""])[0][:400], "comment": True})
    return rows


def _page_text(nb) -> str:
    """All the text a feedback page may show (sources and outputs), to know which CJK glyphs it needs."""
    parts = []
    for cell in nb.cells:
        parts.append(cell.get("source", ""))
        for out in cell.get("outputs", []):
            parts += [str(out.get("text", "")), str(out.get("ename", "")), str(out.get("evalue", ""))]
            parts += [str(v) for k, v in out.get("data", {}).items() if k.startswith("text/")]
    parts += [str(nb.metadata.get("title", ""))]
    return "\n".join(parts)


# The page's own words, in the language of the release the student got (docs/i18n.md)
WORDS = {
    "en": {"score": "Score", "passed": "{passed} of {total} tests passed", "fix_last": "; what to fix is in the last column",
           "exercise": "Exercise", "graded_cell": "Graded cell", "what_to_fix": "What to fix", "test": "test",
           "code": "coding free-response", "written": "written response", "task": "task", "comment": "comment",
           "comment_on": "Comment", "on": "on", "end": ".",
           "no_message": "the test failed without an error message (a time-out, or its output went to stderr)"},
    "zh": {"score": "得分", "passed": "{total} 个测试中通过了 {passed} 个", "fix_last": "；需要改正的地方见最后一列",
           "exercise": "练习", "graded_cell": "评分单元格", "what_to_fix": "需要改正的地方", "test": "测试",
           "code": "编程题", "written": "简答题", "task": "任务", "comment": "评语",
           "comment_on": "评语", "on": "：", "end": "。",
           "no_message": "测试没有通过，也没有给出错误信息（可能是超时，或者输出写到了 stderr）"},
}


class FeedbackPage(Preprocessor):
    """Put in ``resources["course_feedback"]`` what the course's feedback template shows.

    Runs after ``GetGrades`` (scores) and ``HideHiddenTests`` (a message never quotes a hidden line).
    """

    enabled = Bool(True, help="nbconvert applies a preprocessor only when enabled").tag(config=True)
    math = Bool(True, help="render the formulas with KaTeX, inlined in the page").tag(config=True)
    cjk_font = Bool(True, help="inline the CJK characters of the page in Noto Sans CJK SC").tag(config=True)
    katex = Unicode(KATEX, help="the npm package of KaTeX").tag(config=True)

    def preprocess(self, nb, resources):
        from course import i18n

        words = WORDS[i18n.notebook_language(nb)]
        page = {"summary": summary(nb), "math": None, "font_css": "",
                "cjk_family": "", "words": words}
        if self.math:
            try:
                page["math"] = katex_assets(self.katex)
            except (AssetError, OSError, subprocess.SubprocessError) as exc:
                _log.warning("the feedback page's formulas will stay raw LaTeX: %s", exc)
        if self.cjk_font:
            from course import fonts

            try:
                text = _page_text(nb) + "\n" + "\n".join(r["exercise"] + r["message"] for r in page["summary"])
                text += "\n" + "".join(words.values())
                page["font_css"] = fonts.font_face_css(text)
                page["cjk_family"] = fonts.WEB_FAMILY if page["font_css"] else ""
            except Exception as exc:  # a missing font must not stop the feedback
                _log.warning("the feedback page's Chinese text may show as boxes: %s", exc)
        resources["course_feedback"] = page
        return nb, resources


def main(argv: list[str] | None = None) -> int:
    """``python -m course.grading.feedback assets``: fetch KaTeX for the feedback page (idempotent)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course.grading.feedback")
    parser.add_argument("command", choices=["assets"])
    parser.parse_args(argv)
    try:
        assets = katex_assets()
    except AssetError as exc:
        print(f"[feedback] {exc}")
        return 1
    print(f"[feedback] KaTeX {assets['version']} for the feedback page is in {ASSET_CACHE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
