"""Run one nbgrader command as a named student of the sample class.

On a real server each student has a login and nbgrader's exchange records that
login.  The sample class shares the instructor's login, so this wrapper tells
nbgrader the student's name instead; everything else is the real command.

    python -m course.grading.as_student ada submit 01_linear_model --course pytorch-course
"""
import sys

import nbgrader.utils
from nbgrader.apps.nbgraderapp import NbGraderApp


def main() -> None:
    student, args = sys.argv[1], sys.argv[2:]
    nbgrader.utils.get_osusername = lambda: student  # the exchange's notion of "who is logged in"
    NbGraderApp.launch_instance(argv=args)


if __name__ == "__main__":
    main()
