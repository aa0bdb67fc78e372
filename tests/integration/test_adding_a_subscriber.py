"""Adding a subscriber is one folder and one registry entry. In a copy of the repository the
scaffold writes a subscriber ("tally"), the generators write its manifests and NATS user, and the
only files changed outside its folder are the registry, the workspace's list and what the
generators wrote. Then the whole system runs from that copy (`warta up`, every service as its own
NATS and database user) and the new subscriber hears every event of one request, as the archive
keeps them."""

import asyncio
import hashlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pymongo import AsyncMongoClient

from warta.contracts import Role
from warta.devstack.demo import walk
from warta.devstack.servers import free_block
from warta.runtime import ServiceSettings, issue_dev_token

ROOT = Path(__file__).resolve().parents[2]
NAME = "tally"


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def _copy_of_the_repository(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())


@pytest.mark.slow
async def test_a_subscriber_is_added_in_one_folder_and_hears_every_event(tmp_path: Path, capsys):
    repo = tmp_path / "repo"
    _copy_of_the_repository(repo)
    env = dict(os.environ)
    # The copy's packages before the installed ones: its registry, and the new subscriber.
    sources = ["contracts/src", "runtime/src", "tools/devstack/src", f"services/{NAME}/src"]
    sources += [f"services/{s}/src" for s in ("intake", "scheduler", "coverage", "review", "publisher")]
    sources += ["services/archive/src", "services/notifier/src", "services/console/src"]
    env["PYTHONPATH"] = os.pathsep.join(str(repo / s) for s in sources)

    def devstack(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "warta.devstack", *args], cwd=repo, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    before = _files(repo)
    devstack("new-subscriber", NAME)
    generated = {
        line.removeprefix("wrote ").strip() for line in (devstack("k8s") + devstack("nats-config")).splitlines()
    }
    generated = {str(Path(p).relative_to(repo)) if Path(p).is_absolute() else p for p in generated}
    after = _files(repo)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    outside = {p for p in changed if not p.startswith(f"services/{NAME}/")}
    registry, workspace = "runtime/src/warta/runtime/services.toml", "pyproject.toml"
    assert {registry, workspace} <= outside
    assert outside - {registry, workspace} <= generated, outside - {registry, workspace} - generated
    assert f"deploy/k8s/base/{NAME}.yaml" in outside  # its Deployment, Service, policies' peers
    assert f"WARTA_NATS_PASSWORD_{NAME.upper()}" in (repo / "deploy/nats/warta-authorization.conf").read_text()
    with capsys.disabled():
        print(f"\nadding a subscriber: {len(changed - outside)} files in its folder; outside it: {sorted(outside)}")

    # Its own test passes in the copy.
    tested = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "pytest", f"services/{NAME}", "-q", "-p", "no:cacheprovider"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]

    await _the_system_runs_with_it(repo, env, tmp_path)


async def _the_system_runs_with_it(repo: Path, env: dict[str, str], tmp_path: Path) -> None:
    base = free_block(51)  # the dev stack's services with the new one, NATS at +50, the database at +51
    env = env | {
        "WARTA_DEV_PORT_BASE": str(base),
        "WARTA_DEV_NATS_PORT": str(base + 50),
        "WARTA_DEV_MONGODB_PORT": str(base + 51),
    }
    for key in ("WARTA_NATS_URL", "WARTA_MONGODB_URL"):  # the embedded servers, with their users
        env.pop(key, None)
    log = (tmp_path / "up.log").open("w")
    up = await asyncio.to_thread(
        subprocess.Popen,
        [sys.executable, "-m", "warta.devstack", "up", "--data", str(tmp_path / "data")],
        cwd=repo,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        output = await _ready(up, tmp_path / "up.log")
        ports = dict(re.findall(r"^(\w+)\s+http://127\.0\.0\.1:(\d+)", output, re.M))
        assert NAME in ports, output
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        settings = ServiceSettings(service_name="test")

        def token_for(officer_id: str, role: Role) -> str:
            return issue_dev_token(settings, officer_id=officer_id, role=role)

        timeline = await walk(urls, token_for, straight=True, patience=60)
        head = {"Authorization": f"Bearer {token_for('hendra.kabag', Role.SECTION_HEAD)}"}
        async with httpx.AsyncClient(headers=head, timeout=30) as client:

            async def both_have_all() -> tuple[list[str], list[str]] | None:
                kept = await client.get(f"{urls['archive']}/requests/{timeline.request_id}/timeline")
                heard = await client.get(f"{urls[NAME]}/requests/{timeline.request_id}/heard")
                if kept.status_code != 200 or heard.status_code != 200:
                    return None
                archived = sorted(e["type"] for e in kept.json()["entries"])
                tallied = sorted(h["type"] for h in heard.json())
                return (
                    (archived, tallied) if archived == tallied and "warta.publication.published.v1" in tallied else None
                )

            for _ in range(60):
                found = await both_have_all()
                if found:
                    break
                await asyncio.sleep(0.5)
            assert found, "the new subscriber did not hear every event of the request"

        # Its records are in its own database, where its own user (and only it) may write.
        operator = re.search(r"^MongoDB operator (\S+)", output, re.M)
        assert operator is not None, output
        mongo: AsyncMongoClient = AsyncMongoClient(operator.group(1))
        try:
            assert await mongo[f"warta_{NAME}"].heard.count_documents({"request_id": timeline.request_id}) == len(
                found[1]
            )
            users = {u["user"]: u["roles"] for u in (await mongo.admin.command("usersInfo"))["users"]}
            assert users[f"warta-{NAME}"] == [{"role": "readWrite", "db": f"warta_{NAME}"}]
        finally:
            await mongo.close()
        print(
            f"checked: {NAME} heard the {len(found[1])} events of {timeline.request_id[:8]}, as the archive kept them"
        )
    finally:
        up.send_signal(signal.SIGTERM)
        try:
            up.wait(60)
        except subprocess.TimeoutExpired:
            up.kill()
        log.close()


async def _ready(up: subprocess.Popen, log: Path) -> str:
    for _ in range(240):
        text = await asyncio.to_thread(log.read_text, errors="replace")
        if "Warta is ready" in text:
            return text
        if up.poll() is not None:
            raise AssertionError(f"warta up exited with {up.returncode}:\n{text[-3000:]}")
        await asyncio.sleep(0.5)
    text = await asyncio.to_thread(log.read_text, errors="replace")
    raise AssertionError(f"warta up was not ready in 120 s:\n{text[-3000:]}")
