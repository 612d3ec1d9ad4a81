"""Instructor tools: run nbgrader's pipeline, the sample class and the grade report.

Nothing here is imported by the student notebooks.
"""
