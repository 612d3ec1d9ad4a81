"""The one gradebook writer: ``nbgrader autograde`` with its ``Execute`` step replaced by
:class:`Replay`, which puts in the outputs that the sandboxed workers produced.

Everything else is nbgrader's own code (sanitising, ``OverwriteCells``, ``SaveAutoGrades``,
late penalties, the autograded notebook), run in one process, one student after another, so
the gradebook (SQLite or PostgreSQL) has a single writer and sees the same transactions as
with plain ``nbgrader autograde``.

    python -m course.grading.replay LECTURE STAGING [STUDENTS_FILE]   (in the course folder)

``STUDENTS_FILE`` (one student a line) limits the run to those students.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode


class ReplayError(RuntimeError):
    pass


class Replay(NbGraderPreprocessor):
    results_dir = Unicode("", help="the staging folder's executed/ (one folder per student)").tag(config=True)

    def preprocess(self, nb, resources):
        student = resources["nbgrader"]["student"]
        name = resources["nbgrader"]["notebook"]
        folder = Path(self.results_dir) / student
        executed = nbformat.read(folder / f"{name}.ipynb", as_version=4)
        report = json.loads((folder / "report.json").read_text())
        if len(executed.cells) != len(nb.cells):
            raise ReplayError(f"{student}: the executed notebook has {len(executed.cells)} cells, nbgrader's {len(nb.cells)}")
        for mine, ran in zip(nb.cells, executed.cells):
            if mine.cell_type != ran.cell_type or mine.source.strip() != ran.source.strip():
                raise ReplayError(f"{student}: cell {mine.get('id')} differs between the executed and the sanitised notebook")
            if mine.cell_type == "code":
                mine.outputs = ran.outputs
                mine.execution_count = ran.execution_count
        if report.get("notes"):
            lines = "\n".join(f"- {n}" for n in report["notes"])
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                f"**Grader notes** (what the autograder did with this submission):\n\n{lines}"))
        return nb, resources


PREPROCESSORS = [
    "course.grading.replay.Replay",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "course.grading.test_outputs.FairTestOutputs",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]


def main() -> int:
    from nbgrader.apps import AutogradeApp
    from traitlets.config import Config

    lecture, staging = sys.argv[1], Path(sys.argv[2]).resolve()
    args = [lecture, "--force", f"--CourseDirectory.submitted_directory={staging / 'submitted'}"]
    if len(sys.argv) > 3:
        wanted = set(Path(sys.argv[3]).read_text().split())
        others = sorted(p.name for p in (staging / "submitted").iterdir() if p.name not in wanted)
        if others:
            args.append(f"--CourseDirectory.student_id_exclude={','.join(others)}")
    app = AutogradeApp()
    app.initialize(args)
    extra = Config()
    extra.Autograde.autograde_preprocessors = PREPROCESSORS
    extra.Autograde.create_student = True
    extra.Replay.results_dir = str(staging / "executed")
    app.update_config(extra)
    try:
        app.start()
    except Exception as exc:  # per-student failures were logged by nbgrader; the others are written
        print(f"nbgrader autograde: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
