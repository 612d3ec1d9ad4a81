"""nbgrader configuration of the PyTorch course (instructor side).

Everything lives inside this folder by default (the "embedded defaults"):
the SQLite gradebook ``gradebook.db`` and the exchange ``exchange/``.
Change them with environment variables rather than edits, e.g. for a shared server:

    COURSE_GRADEBOOK=postgresql://grader@db/pytorch   COURSE_EXCHANGE=/srv/nbgrader/exchange
"""
import os
from pathlib import Path

here = Path(__file__).resolve().parent
fast = os.environ.get("COURSE_FAST", "").strip().lower() in {"1", "true", "yes", "on"}

c = get_config()  # noqa: F821 (provided by traitlets)

c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "pytorch-course")
c.CourseDirectory.root = str(here)
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = os.environ.get("COURSE_GRADEBOOK", f"sqlite:///{here / 'gradebook.db'}")
# Only the notebook is an assignment file: data come through course.datasets.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "data"]

c.Exchange.root = os.environ.get("COURSE_EXCHANGE", str(here / "exchange"))
c.Exchange.assignment_dir = str(here)

# A cell may run a whole training loop: a few minutes in full mode on a CPU,
# seconds in fast mode. A cell past its limit gets a CellTimeoutError and 0 points.
c.Execute.timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", 120 if fast else 1800))
c.Execute.interrupt_on_timeout = True

# The language of the release (docs/i18n.md): each source notebook holds English and Chinese;
# `COURSE_LANG=zh nbgrader generate_assignment NN` (or this line) makes the Chinese release.
from course import i18n  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    CheckCellMetadata, ClearHiddenTests, ClearMarkScheme, ClearOutput, ClearSolutions, ComputeChecksums,
    IncludeHeaderFooter, InstantiateTests, LockCells, SaveCells)

c.Course.language = i18n.normal(os.environ.get("COURSE_LANG")) or "en"
c.GenerateAssignment.preprocessors = [  # nbgrader's own list, after the one that picks the language
    i18n.PickLanguage, IncludeHeaderFooter, InstantiateTests, LockCells, ClearSolutions, ClearOutput,
    CheckCellMetadata, ComputeChecksums, SaveCells, ClearHiddenTests, ClearMarkScheme, ComputeChecksums,
    CheckCellMetadata,
]
c.ClearSolutions.code_stub = {"python": i18n.STUBS[c.Course.language]["code"]}
c.ClearSolutions.text_stub = i18n.STUBS[c.Course.language]["text"]
c.ClearSolutions.enforce_metadata = True

# A test cell scores 0 when it raises, not because a warning (or a progress bar) went to stderr:
# nbgrader's determine_grade would give 0 for any stderr output (course/grading/test_outputs.py).
c.Autograde.autograde_preprocessors = [
    "course.grading.nbgrader_sandbox.SandboxedExecute",  # nbgrader's Execute, in the course's sandbox
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "course.grading.test_outputs.FairTestOutputs",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# A student who deletes a test cell still gets it graded (nbgrader #1682). The course's
# OverwriteCells warns only about a cell the student really changed, not about every test cell
# whose hidden tests the student never had (course/grading/overwrite.py).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "course.grading.overwrite.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.OverwriteCells.add_missing_cells = True
c.ClearHiddenTests.enforce_metadata = True

# The static policy on every cell a student wrote (course/grading/policy.py, docs/grading.md): the
# modules a cell may import (a package name allows its submodules; course.grading is never allowed).
c.Policy.allowed_imports = [
    "numpy", "torch", "torchvision", "pandas", "matplotlib", "math", "random", "time", "collections",
    "itertools", "functools", "csv", "os", "pathlib", "typing", "dataclasses", "string", "re", "statistics",
    "copy", "operator", "tqdm", "course", "IPython.display", "unicodedata", "json", "glob", "io", "gzip",
    "warnings", "tempfile", "abc", "enum", "numbers", "heapq", "bisect", "textwrap", "datetime", "PIL",
    "sklearn", "scipy", "seaborn",
]

# Feedback without the hidden tests' code (course/grading/feedback.py): each test shows its visible
# part, "# hidden tests: not shown", and for an error only its message. False shows everything.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

from course.grading.feedback import TEMPLATE_NAME, TEMPLATES, FeedbackPage, HideHiddenTests  # noqa: E402

c.HideHiddenTests.enabled = True
# The page is the course's template (course/grading/templates/feedback/, adapted from nbgrader's, and
# named as nbgrader's so that the formgrader's button uses it too): a summary naming each test and its
# message, formulas by KaTeX and Chinese text in Noto Sans CJK SC, all inlined (FeedbackPage), so it
# renders offline, opened from disk.
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, FeedbackPage, CSSHTMLHeaderPreprocessor]
c.HTMLExporter.template_name = TEMPLATE_NAME
c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]

# Sandboxed, parallel autograding (`python -m course autograde LECTURE --jobs N`, docs/grading.md).
# Each student's kernel runs in bubblewrap (no network, read-only view, private tmpfs) as an
# unprivileged uid with these limits; the `course autograde` flags override them.
c.Sandbox.cell_timeout = c.Execute.timeout
c.Sandbox.notebook_timeout = int(os.environ.get("COURSE_NOTEBOOK_TIMEOUT", 900 if fast else 7200))
c.Sandbox.cpu_seconds = int(os.environ.get("COURSE_SANDBOX_CPU_SECONDS", 1800 if fast else 14400))
c.Sandbox.memory_mb = int(os.environ.get("COURSE_SANDBOX_MEMORY_MB", 8192))
c.Sandbox.processes = int(os.environ.get("COURSE_SANDBOX_PROCESSES", 128))
c.Sandbox.file_mb = int(os.environ.get("COURSE_SANDBOX_FILE_MB", 256))
c.Sandbox.disk_mb = int(os.environ.get("COURSE_SANDBOX_DISK_MB", 512))
c.Sandbox.output_kb = int(os.environ.get("COURSE_SANDBOX_OUTPUT_KB", 2048))
c.Sandbox.notebook_output_kb = int(os.environ.get("COURSE_SANDBOX_NOTEBOOK_OUTPUT_KB", 8192))
c.Sandbox.runtime_mb = int(os.environ.get("COURSE_SANDBOX_RUNTIME_MB", 16))
c.Sandbox.curves_kb = int(os.environ.get("COURSE_SANDBOX_CURVES_KB", 2048))
c.Sandbox.uid_base = int(os.environ.get("COURSE_SANDBOX_UID_BASE", 61000))
