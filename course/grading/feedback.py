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
"""
from __future__ import annotations

import re

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
