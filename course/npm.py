"""Packages from the npm registry, fetched once into a cache (visdom's page, the feedback page's math)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def tarball(spec: str, cache: Path, error: type[Exception] = RuntimeError, needed_for: str = "this",
            then: str = "") -> Path:
    """The npm tarball of ``spec`` (name@version) in ``cache``, fetched with ``npm pack`` once.
    A missing ``npm`` or a failed fetch raises ``error`` with a message saying what to do."""
    name, version = spec.rsplit("@", 1)
    path = cache / f"{name.replace('/', '-').lstrip('@')}-{version}.tgz"  # npm's own name for it
    if path.is_file() and path.stat().st_size > 0:
        return path
    npm = shutil.which("npm")
    if npm is None:
        raise error(f"{needed_for} needs {spec} from the npm registry, but `npm` is not installed "
                    f"(Debian: `apt-get install -y npm`)" + (f"; then run `{then}`" if then else ""))
    cache.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([npm, "pack", "--silent", spec, "--pack-destination", str(cache)],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not path.is_file():
        raise error(f"`npm pack {spec}` failed (exit {proc.returncode}): {(proc.stderr or proc.stdout).strip()[-800:]}")
    return path
