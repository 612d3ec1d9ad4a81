"""nbgrader's OverwriteCells without the false alarm on every honest test cell.

At autograding, nbgrader puts the gradebook's source back into each locked cell and warns
"Attribute 'checksum' for cell ... has changed!" whenever the submitted cell differs from it.  A
test cell with hidden tests *always* differs: the student got it without them.  So every untouched
submission logged one warning per test cell, which reads as tampering.  Here a locked cell is
compared with what the student was given (the source with its hidden tests removed, as
``nbgrader generate_assignment`` released it): only a cell the student really changed is
reported, and by name; either way the cell that runs is the instructor's.  A cell released in the
other language (its comments translated, its code the same) counts as untouched.
"""
from __future__ import annotations

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells as _NbgraderOverwriteCells

from .. import i18n


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def as_released(source: str) -> str:
    """The cell's source as students got it (hidden-test region removed)."""
    cell = nbformat.v4.new_code_cell(source)
    ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source


class OverwriteCells(_NbgraderOverwriteCells):
    """Restores locked cells silently when the student left them as released."""

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and cell.cell_type == "code" and utils.is_locked(cell):
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except Exception:  # missing from the gradebook: nbgrader's own handling says so
                source_cell = None
            if source_cell is not None and source_cell.locked:
                released = as_released(source_cell.source)
                # the same text, or the same code with its comments in the other language (docs/i18n.md)
                if _normal(cell.source) == _normal(released) or i18n.same_code(released, cell.source,
                                                                                 strict_strings=True)[0]:
                    cell.source = source_cell.source  # untouched: the hidden tests go back in, nothing to report
                else:
                    self.log.warning("Cell %s was changed by the student: their version is replaced by the "
                                     "instructor's before grading", grade_id)
                    cell.source = source_cell.source
        return super().preprocess_cell(cell, resources, cell_index)
