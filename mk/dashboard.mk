# Dashboards: visdom (live training curves) and JupyterLab with nbgrader; the browser for their tests.
#   make visdom          visdom on localhost:$(VISDOM_PORT), offline (static files from npm, set up once)
#   make visdom-assets   only put visdom's JS/CSS/fonts in place (idempotent; needs the npm registry once)
#   make lab             JupyterLab at the course root, nbgrader's formgrader/assignment list enabled
#   make browser-deps    headless Chromium + chromedriver for tests/test_browser.py (apt, only when missing)
VISDOM_PORT ?= 8097
LAB_PORT ?= 8888
export VISDOM_PORT LAB_PORT
VISDOM_STAMP := $(VENV)/lib/python3.11/site-packages/visdom/static/version.built

.PHONY: visdom visdom-assets lab browser-deps

visdom-assets: setup
	$(PY) course/dashboard.py assets

visdom: visdom-assets
	$(PY) course/dashboard.py visdom --port $(VISDOM_PORT) --no-install

lab: setup
	$(PY) course/dashboard.py lab --port $(LAB_PORT)

browser-deps:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then \
	  echo "[browser-deps] chromium and chromedriver are installed"; \
	else \
	  echo "[browser-deps] installing Debian's chromium and chromium-driver (apt-get)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; \
	fi

test: browser-deps visdom-assets
