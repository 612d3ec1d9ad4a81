"""The visible checks of the lectures, one module per lecture (issue 20: visible test cells as short
as the exercise, the way learntools' ``q1.check()`` reads).

A visible test cell reads ``q.check_forward(forward)``; the function here holds what the cell used to
spell out: the inputs, the expected values *for those inputs* (numbers, not formulas), and the
messages that name the usual mistakes. It runs in the student's kernel while they work (the same
immediate hints) and in the judge when grading (docs/grading.md). Reference implementations stay
out of this package on purpose: a student's answer may import ``course``, so anything here could be
called by it; the general references live in the hidden part of each test cell, which only the
judge runs. Functions that name a wrong derivation take the right value as an argument.
"""
