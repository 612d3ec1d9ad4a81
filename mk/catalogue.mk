# The mistake catalogue of issue 11 (sample_class/catalogue/, course/grading/catalogue.py).
#   make catalogue LECTURE=01_linear_model [ONLY=mse]   grade one lecture's catalogue, full report
#   make bench-catalogue [LECTURES=01_linear_model,...] every lecture's catalogue -> docs/results.md
#   make bench-margins [LECTURES=08_softmax_classifier]  accuracy of the reference over 5 seeds and 2 layer orders
.PHONY: catalogue bench-catalogue bench-margins
catalogue: setup sandbox-deps
	@test -n "$(LECTURE)" || { echo "usage: make catalogue LECTURE=01_linear_model [ONLY=text]" >&2; exit 2; }
	$(PY) -m course catalogue $(LECTURE) --jobs $(or $(JOBS),2) $(if $(ONLY),--only '$(ONLY)')

bench-catalogue: setup sandbox-deps
	$(PY) benchmarks/catalogue.py --jobs $(or $(JOBS),2) $(if $(LECTURES),--lectures $(LECTURES))

bench-margins: setup
	$(PY) benchmarks/accuracy_margins.py $(if $(LECTURES),--lectures $(LECTURES))
