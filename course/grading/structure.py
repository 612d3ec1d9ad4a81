"""Read an untrusted submission and rebuild it on the lecture's template.

:func:`read_submission` never trusts the file: a missing file, a symbolic link, a huge file,
bytes that are not JSON, JSON that is not a version-4 notebook all end in a :class:`Unreadable`
with the sentence the student will read.

:func:`canonical` rebuilds the notebook in the release order of its grade cells, whatever the
student did to them.  Locked cells (setup, tests) come from the gradebook (with their hidden
tests); answer cells keep the student's text with the release's metadata; the student's own
cells stay where they were relative to the grade cells.  Every repair is a feedback line; an
edited locked *test* (its text, type, points or ids) is reported as tampering and that test
scores 0 (its original is still run so that later cells see the same state).
"""
from __future__ import annotations

import copy
import json
import os
import stat
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_CELLS = 2000          # the lectures have under 100; more is not a notebook a student wrote by hand
META_KEYS = ("grade", "solution", "locked", "points", "task", "grade_id")
KINDS = ("code", "markdown", "raw")


class Unreadable(Exception):
    """The submission cannot be graded; ``str()`` is the feedback line."""


def read_submission(path: Path) -> dict:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise Unreadable(f"No notebook {path.name} was submitted: it scores 0") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise Unreadable(f"The submitted {path.name} is not a regular file (a link or a folder): it scores 0")
    if info.st_size > MAX_NOTEBOOK_BYTES:
        raise Unreadable(f"The submitted {path.name} is {info.st_size // 2**20} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB "
                         "a notebook may have: it scores 0")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        raw = fh.read(MAX_NOTEBOOK_BYTES + 1)
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise Unreadable(f"The submitted {path.name} is not a notebook (its JSON is nested too deeply to read): "
                         "it scores 0") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise Unreadable(f"The submitted {path.name} is not a notebook (not valid JSON: {_clean(str(exc))[:120]}): "
                         "it scores 0") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or data.get("nbformat") != 4:
        raise Unreadable(f"The submitted {path.name} is JSON but not a Jupyter notebook (version 4): it scores 0")
    if len(data["cells"]) > MAX_CELLS:
        raise Unreadable(f"The submitted {path.name} has {len(data['cells'])} cells, over the {MAX_CELLS} a notebook "
                         "may have: it scores 0")
    return data


def _clean(text: str) -> str:
    """``text`` without lone UTF-16 surrogates (JSON allows ``"\\ud800"``; no file or socket can carry it)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _text(source) -> str | None:
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        source = "".join(source)
    if isinstance(source, str):
        return _clean(source)
    return None


def _has_surrogates(source) -> bool:
    text = "".join(source) if isinstance(source, list) and all(isinstance(s, str) for s in source) else source
    return isinstance(text, str) and _clean(text) != text


def _meta(cell: dict) -> dict:
    meta = cell.get("metadata")
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


@dataclass
class Rebuilt:
    nb: nbformat.NotebookNode
    notes: list[str] = field(default_factory=list)
    tampered: dict[str, str] = field(default_factory=dict)  # test grade_id -> error shown in that cell


def canonical(data: dict, template: dict) -> Rebuilt:
    """``template``: {"release": <release notebook dict>, "locked": {grade_id: gradebook source}}."""
    release = nbformat.reads(json.dumps(template["release"]), as_version=4)
    locked_source = template["locked"]
    order = [_meta(c)["grade_id"] for c in release.cells if _meta(c).get("grade_id")]
    known = {_meta(c)["grade_id"]: c for c in release.cells if _meta(c).get("grade_id")}
    notes: list[str] = []
    seen: dict[str, dict] = {}
    seen_order: list[str] = []
    extras: dict[str | None, list] = {None: []}
    anchor: str | None = None
    bad_cells = 0
    if any(isinstance(c, dict) and _has_surrogates(c.get("source")) for c in data["cells"]):
        notes.append("Some cells held invalid Unicode (lone surrogates): those characters were replaced by '?'.")
    for cell in data["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in KINDS or _text(cell.get("source")) is None:
            bad_cells += 1
            continue
        gid = _meta(cell).get("grade_id")
        if isinstance(gid, str):
            gid = _clean(gid)
        if isinstance(gid, str) and gid in known:
            if gid not in seen:
                seen[gid] = cell
                seen_order.append(gid)
                anchor = gid
                extras.setdefault(gid, [])
                continue
            notes.append(f"Grade cell {gid} appears more than once: only its first copy is graded.")
            if not _meta(known[gid]).get("solution"):
                continue  # a second copy of a locked cell is dropped
        elif gid:
            notes.append(f"A cell carries an unknown grade id {str(gid)[:40]!r}: it is run as an ordinary cell.")
        plain = nbformat.v4.new_code_cell() if cell["cell_type"] == "code" else (
            nbformat.v4.new_markdown_cell() if cell["cell_type"] == "markdown" else nbformat.v4.new_raw_cell())
        plain.source = _text(cell["source"])
        extras[anchor].append(plain)
    if bad_cells:
        notes.append(f"{bad_cells} malformed cell(s) of the file were skipped.")
    if [g for g in order if g in seen] != seen_order:
        notes.append("The grade cells were moved out of their order: they were graded in the release order.")

    tampered: dict[str, str] = {}
    cells = list(extras[None])
    for gid in order:
        tcell = copy.deepcopy(known[gid])
        tmeta = _meta(tcell)
        scell = seen.get(gid)
        is_test = bool(tmeta.get("grade")) and not tmeta.get("solution")
        if tmeta.get("solution"):
            if scell is None:
                notes.append(f"The answer cell {gid} was deleted: it was graded as unanswered.")
            else:
                tcell.source = _text(scell["source"])
                if scell["cell_type"] != tcell.cell_type:
                    notes.append(f"The answer cell {gid} was changed to {scell['cell_type']}: it was run as {tcell.cell_type}.")
                if any(_meta(scell).get(k) != tmeta.get(k) for k in META_KEYS):
                    notes.append(f"The grading metadata of {gid} was edited: the release's was used.")
        else:
            tcell.source = locked_source.get(gid, tcell.source)
            if scell is None:
                notes.append(f"The locked cell {gid} was deleted: it was put back and run.")
            else:
                edited = []
                if (_text(scell["source"]) or "").strip() != known[gid].source.strip():
                    edited.append("its code")
                if scell["cell_type"] != tcell.cell_type:
                    edited.append("its cell type")
                if any(_meta(scell).get(k) != tmeta.get(k) for k in META_KEYS):
                    edited.append("its grading metadata (points, ids or flags)")
                if edited and is_test:
                    why = f"the locked test cell {gid} was edited ({', '.join(edited)}): it scores 0"
                    tampered[gid] = why + " (the original test was run)"
                    notes.append(why[0].upper() + why[1:] + ".")
                elif edited:
                    notes.append(f"The locked cell {gid} was edited ({', '.join(edited)}): the original was run.")
        if tcell.cell_type == "code":
            tcell.outputs, tcell.execution_count = [], None
        cells.append(tcell)
        cells.extend(extras.get(gid, []))

    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(release.metadata))
    used: set[str] = set()
    for cell in cells:
        cid = cell.get("id")
        if not cid or cid in used:
            cell["id"] = uuid.uuid4().hex[:8]
        used.add(cell["id"])
    nb.cells = cells
    nbformat.validate(nb)
    return Rebuilt(nb, notes, tampered)


def unanswered(template: dict, why: str) -> Rebuilt:
    """The release notebook with every test failing: what an unreadable submission is graded as."""
    rebuilt = canonical(copy.deepcopy(template["release"]), template)
    for cell in rebuilt.nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            rebuilt.tampered[meta["grade_id"]] = why
    rebuilt.notes = [why + "."]
    return rebuilt
