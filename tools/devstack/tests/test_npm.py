"""Two of make test's workers asking for a dev tool's Node packages at once: the second waits for
the first's install and then finds it done, instead of running ``npm ci`` over it (which begins by
removing the ``node_modules`` the first is writing)."""

import fcntl
import threading

from warta.devstack import npm
from warta.devstack.npm import install_once


def test_an_install_under_way_is_waited_for_and_not_run_again(tmp_path):
    (tmp_path / "package.json").write_text("not a package")  # npm ci would fail on it: it must not run
    (tmp_path / "package-lock.json").write_text("{}")
    installed = tmp_path / "node_modules" / ".package-lock.json"  # npm's last write
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            install_once(tmp_path, "this test")
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    with (tmp_path / "package-lock.json").open("rb") as first:
        fcntl.flock(first, fcntl.LOCK_EX)  # the first worker's install, under way
        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()  # waits while the first installs
        installed.parent.mkdir()
        installed.write_text("{}")
    waiting.join(30)
    assert outcome == [None]


def test_an_install_cut_short_is_made_again(tmp_path, monkeypatch):
    # node_modules holds a package, but npm stopped before its last write: not installed.
    (tmp_path / "package-lock.json").write_text("{}")
    (tmp_path / "node_modules" / "oidc-provider").mkdir(parents=True)
    ran: list[list[str]] = []
    monkeypatch.setattr(npm.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(npm.subprocess, "run", lambda argv, **kwargs: ran.append(argv))
    install_once(tmp_path, "this test")
    assert [argv[:2] for argv in ran] == [["npm", "ci"]]
