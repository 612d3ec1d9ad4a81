"""Grade a test cell by whether it raised, not by what it printed (an nbgrader preprocessor).

nbgrader's ``determine_grade`` gives 0 to a test cell with any output on stderr, and turns a
number the cell's last line displays into partial credit.  A correct answer then loses a whole
test because PyTorch printed a ``UserWarning`` or tqdm drew a bar.  This preprocessor runs after
the cells ran and before ``SaveAutoGrades``: in every autograded test cell, text on stderr moves
to stdout under a line saying it cost nothing, and an ``execute_result`` becomes a plain display.
An error output (the test raised) still scores 0.

Used by the course's grader (``course/grading/replay.py``) and, through ``nbgrader_config.py``,
by plain ``nbgrader autograde``.
"""
from __future__ import annotations

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

NOTE = "[grader] the lines above were printed on stderr (a warning or a progress bar): they cost no points\n"


def _is_test(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


class FairTestOutputs(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if not _is_test(cell):
                continue
            outputs, moved = [], False
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    outputs.append(nbformat.v4.new_output("stream", name="stdout", text=out.get("text", "")))
                    moved = True
                elif out.get("output_type") == "execute_result":
                    outputs.append(nbformat.v4.new_output("display_data", data=out.get("data", {}),
                                                          metadata=out.get("metadata", {})))
                else:
                    outputs.append(out)
            if moved:
                outputs.append(nbformat.v4.new_output("stream", name="stdout", text=NOTE))
            cell.outputs = outputs
        return nb, resources
