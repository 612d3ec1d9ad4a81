# Sandboxed, parallel autograding (docs/grading.md).
#   make autograde LECTURE=01_linear_model JOBS=2   grade the collected submissions of a lecture
#   make bench-grading [STUDENTS=300] [LECTURE=01_linear_model]
#                                                   memory and students/minute at 30 and STUDENTS students
#   make bench-grading-baselines [STUDENTS=42]      the sandboxed grader against plain execution and nbgrader
#   make sandbox-deps                               install bubblewrap (Debian), idempotent
JOBS ?= 2
STUDENTS ?= 300
BENCH_LECTURE ?= $(or $(LECTURE),01_linear_model)
SANDBOX_TOOLS := bwrap setpriv prlimit

.PHONY: sandbox-deps autograde bench-grading bench-grading-baselines
sandbox-deps:
	@missing=""; for t in $(SANDBOX_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  echo "[sandbox] installing bubblewrap util-linux (missing:$$missing)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq bubblewrap util-linux >/dev/null; \
	fi; \
	for t in $(SANDBOX_TOOLS); do command -v $$t >/dev/null || { echo "[sandbox] $$t is still missing" >&2; exit 1; }; done

autograde: setup sandbox-deps
	@test -n "$(LECTURE)" || { echo "usage: make autograde LECTURE=01_linear_model [JOBS=2]" >&2; exit 2; }
	$(PY) -m course autograde $(LECTURE) --jobs $(JOBS) --feedback

bench-grading: setup sandbox-deps
	$(PY) benchmarks/grading_scale.py --students 30,$(STUDENTS) --jobs 1,2 --lecture $(BENCH_LECTURE)

bench-grading-baselines: setup sandbox-deps
	$(PY) benchmarks/grading.py --copies $(shell echo $$(( ($(STUDENTS) + 2) / 3 ))) --jobs 1,2

# the grader refuses to run student code without its sandbox: the tests and the demo need it
test: sandbox-deps
demo: sandbox-deps
