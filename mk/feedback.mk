# The feedback page's assets (docs/grading.md, "The feedback page").
#   make feedback-assets   KaTeX from the npm registry into node_modules/.feedback-assets (once; idempotent)
# The CJK font comes with pyproject.toml (noto-cjk-sans-otc). Without npm the feedback is still made,
# its formulas left as LaTeX (nbgrader says so in a warning): this step never stops `make demo`.
.PHONY: feedback-assets

feedback-assets: setup
	-$(PY) -m course.grading.feedback assets

demo: feedback-assets
test: feedback-assets
