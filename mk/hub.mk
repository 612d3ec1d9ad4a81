# A real multi-user class under JupyterHub (docs/hub.md). Runs as root (it creates Unix accounts).
#   make hub          set up (idempotent), then JupyterHub on http://127.0.0.1:$(HUB_PORT)/ in the foreground
#                     (Ctrl-C stops it and every user's server; run it again at will)
#   make hub-stop     stop a hub started by `make hub` (from another terminal)
#   make hub-setup    only the set-up: proxy (npm), accounts of $(HUB_ROSTER), exchange, course folder, config
#   make hub-proxy    only configurable-http-proxy into hub/node_modules (npm ci, pinned in hub/package-lock.json)
#   make bench-hub    start-up, first login and memory of a throw-away hub -> docs/results.md (as root)
HUB_PORT ?= 8000
HUB_ROSTER ?= hub/roster.csv
HUB_ROOT ?= /srv/pytorch-course
HUB_EXCHANGE ?= /srv/nbgrader/exchange
HUB_ARGS = --roster $(HUB_ROSTER) --root $(HUB_ROOT) --exchange $(HUB_EXCHANGE)
HUB_PROXY := hub/node_modules/.bin/configurable-http-proxy

.PHONY: hub hub-stop hub-setup hub-proxy bench-hub

$(HUB_PROXY): hub/package.json hub/package-lock.json
	@command -v npm >/dev/null || { echo "[hub] npm is missing (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --prefix hub --no-audit --no-fund
	touch $@

hub-proxy: $(HUB_PROXY)

hub-setup: setup sandbox-deps hub-proxy
	$(PY) hub/hubctl.py setup $(HUB_ARGS)

hub: hub-setup
	$(PY) hub/hubctl.py start $(HUB_ARGS) --port $(HUB_PORT)

bench-hub: setup sandbox-deps hub-proxy
	$(PY) benchmarks/hub.py

hub-stop:
	$(PY) hub/hubctl.py stop --root $(HUB_ROOT)

# tests/test_hub.py sets up its own hub: it needs the proxy and the browser
test: hub-proxy
