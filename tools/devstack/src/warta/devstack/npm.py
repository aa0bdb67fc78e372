"""The Node packages a dev tool pins (``tools/idp``, ``tools/a11y``), installed on first use."""

import fcntl
import shutil
import subprocess
from pathlib import Path


def install_once(folder: Path, needed_for: str) -> None:
    """``npm ci`` in ``folder`` unless its packages are installed whole: npm writes
    ``node_modules/.package-lock.json`` last, so an install cut short is made again.

    Under a lock on the folder's ``package-lock.json``: make test's workers may ask at the same
    moment, and ``npm ci`` begins by removing the ``node_modules`` the other may be reading."""
    with (folder / "package-lock.json").open("rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / "node_modules" / ".package-lock.json").is_file():
            return
        if shutil.which("npm") is None:
            raise RuntimeError(f"{needed_for} needs npm (Debian: nodejs)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder, check=True)
