"""Every command in docs/operations.md runs as written, or the runbook and this file say why not.

A command is a line of a code block, or a code span of two words or more whose first word is a
program's name (`make k8s`, not `maxUnavailable: 0`). Those that can run on one machine run here
on the dev stack `make up` starts (its own NATS and database requiring logins, each service its
own user, the operator and the maintenance user), with its data in a folder of its own; the
others are in ``NOT_HERE`` with the reason, which the runbook's last section gives too. A command
added to the runbook and found in neither list fails the first test."""

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from warta.contracts import (
    Approved,
    ApprovedData,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    Event,
    PressRelease,
    ReviewLevel,
    subject_for,
)
from warta.devstack import kubernetes
from warta.devstack.demo import SERVICES, SUBSCRIBERS, service_ports
from warta.devstack.pytest_plugin import eventually
from warta.devstack.servers import MAINTENANCE_USER, REBUILT_ARCHIVE, free_block

RUNBOOK = Path("docs/operations.md")
TESTED = "## What of this runbook is tested"  # the runbook's own word on what runs where
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
PROGRAM = re.compile(r"[a-z][a-z0-9-]*")
UNAUTHORIZED = 13

# Each command this file runs, with the test that runs it.
RUN_HERE = {
    "make up": "dev_stack (the fixture: what the target runs, its data in a folder of its own)",
    "make k8s": "test_make_k8s_writes_the_manifests",
    "openssl rand -hex 32": "test_a_generated_password_is_32_random_bytes",
    "warta dlq list [--service publisher]": "test_the_operator_lists_shows_and_replays_a_dead_letter",
    "warta dlq show SEQUENCE": "test_the_operator_lists_shows_and_replays_a_dead_letter",
    "warta dlq replay SEQUENCE # once the cause is fixed; consumers apply it at most once": (
        "test_the_operator_lists_shows_and_replays_a_dead_letter"
    ),
    "warta-archive rebuild --into warta_archive_new": "test_the_archive_is_rebuilt_and_swapped_in",
    "warta-archive swap --from warta_archive_new": "test_the_archive_is_rebuilt_and_swapped_in",
}
CLUSTER = "needs the city's Kubernetes cluster; tests/deploy/test_kubernetes.py builds and validates the manifests"
DATABASE_TOOLS = (
    "the MongoDB Database Tools are not installed here (neither Debian nor PyPI packages them); "
    "test_the_maintenance_user_may_do_what_a_dump_and_a_restore_do_and_nothing_more checks its rights"
)
WORDPRESS = "WordPress's command line, on the city's web server"
# Each command this file cannot run on one machine, and why.
NOT_HERE = {
    "make test": "the whole suite, this file among it (CI runs it)",
    "helm upgrade --install nats nats/nats --version 2.14.2 -n warta -f deploy/nats/values.yaml": (
        "helm and the city's cluster are not here; tests/deploy/test_kubernetes.py checks the values"
    ),
    "kubectl apply -k deploy/k8s/overlays/prod": CLUSTER,
    "kubectl -n warta get pods": CLUSTER,
    "kubectl -n warta logs deploy/publisher": CLUSTER,
    "kubectl -n warta rollout undo deployment/<service>": CLUSTER,
    "kubectl -n warta scale": CLUSTER,
    "kubectl -n warta rollout restart statefulset/nats": CLUSTER,
    "kubectl -n warta scale deployment/<service> --replicas 0": CLUSTER,
    "kubectl -n warta annotate scaledobject scheduler autoscaling.keda.sh/paused-replicas=0 --overwrite": CLUSTER,
    "kubectl -n warta annotate scaledobject scheduler autoscaling.keda.sh/paused-replicas-": CLUSTER,
    "wp user create warta warta@tangerangkota.go.id --role=author": WORDPRESS,
    "wp user application-password create warta warta": WORDPRESS,
    "mongodump --uri <connection string> --db warta_<service>": DATABASE_TOOLS,
    "mongorestore --drop --uri <connection string> --nsInclude 'warta_<service>.*' <dump>": DATABASE_TOOLS,
    "nats consumer rm WARTA <service>__…": "the NATS command line (natscli) is not installed here",
}


def runbook_commands(text: str) -> list[str]:
    """The runbook's commands, each as written (whitespace made single)."""
    lines = [line for block in FENCE.findall(text) for line in block.splitlines()]
    spans = re.findall(r"`([^`]+)`", FENCE.sub("", text))
    commands = [" ".join(line.split()) for line in lines if line.strip()]
    for span in (" ".join(s.split()) for s in spans):
        words = span.split()
        if len(words) >= 2 and PROGRAM.fullmatch(words[0]):
            commands.append(span)
    return commands


def test_every_command_in_the_runbook_is_run_here_or_named_with_why_not():
    text = RUNBOOK.read_text()
    found = set(runbook_commands(text))
    assert not set(RUN_HERE) & set(NOT_HERE)
    unaccounted = found - set(RUN_HERE) - set(NOT_HERE)
    assert not unaccounted, f"new commands in {RUNBOOK}: run them here or add them to NOT_HERE with why"
    gone = (set(RUN_HERE) | set(NOT_HERE)) - found
    assert not gone, f"no longer in {RUNBOOK}; take them out of this file: {gone}"
    for command in RUN_HERE.values():
        assert command.split()[0] in globals(), command
    # The runbook says why too, next to its commands' programs.
    tested = text.split(TESTED, 1)[1]
    for command in NOT_HERE:
        program = command.split()[0]
        assert f"`{program}`" in tested or f"`{command}`" in tested, command
    print(f"checked: {len(found)} commands in the runbook: {len(RUN_HERE)} run here, {len(NOT_HERE)} with why not")


def as_written(command: str, **values: str) -> list[list[str]]:
    """The argv of each way the runbook's ``command`` can be typed: its comment dropped, an
    optional ``[part]`` left out and put in, and its placeholders (``SEQUENCE``) filled in."""
    line = re.sub(r"\s+#.*$", "", command)
    for placeholder, value in values.items():
        line = line.replace(placeholder, value)
    optional = re.search(r"\[([^\]]+)\]", line)
    typed = (
        [line]
        if not optional
        else [line.replace(optional.group(0), ""), line.replace(optional.group(0), optional.group(1))]
    )
    return [shlex.split(t) for t in typed]


def run(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=180, check=False)


def the_only(command: str, env: dict[str, str], **values: str) -> subprocess.CompletedProcess[str]:
    (argv,) = as_written(command, **values)
    return run(argv, env)


def test_a_generated_password_is_32_random_bytes():
    env = dict(os.environ)
    first, second = (the_only("openssl rand -hex 32", env) for _ in range(2))
    assert first.returncode == 0, first.stderr
    assert len(bytes.fromhex(first.stdout.strip())) == 32
    assert first.stdout != second.stdout


def test_make_k8s_writes_the_manifests(tmp_path):
    """In a copy of the work tree (its environment and tools linked), so that the committed files
    stay as they are for tests/deploy/test_kubernetes.py to compare with the generator."""
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], dict(os.environ))
    assert listed.returncode == 0, listed.stderr
    copy = tmp_path / "warta"
    for name in listed.stdout.splitlines():
        if Path(name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(name, copy / name)  # with its time: make must find the environment up to date
    for linked in (".venv", ".warta"):
        (copy / linked).symlink_to(Path(linked).resolve())
    (argv,) = as_written("make k8s")
    # The environment is linked, not the copy's: make must not sync it from here (if a project file
    # changed since it was made) while another worker's tests run in it.
    made = run([*argv[:1], "-o", ".venv/.synced", *argv[1:]], dict(os.environ), cwd=copy)
    assert made.returncode == 0, made.stdout + made.stderr
    for path in kubernetes.files():
        assert f"wrote {path}" in made.stdout, path
        assert (copy / path).exists()
    print(f"checked: make k8s wrote {len(kubernetes.files())} files")


# -- the dev stack -------------------------------------------------------------------------------


@dataclass
class DevStack:
    """`make up` running: its services' ports, and the environment of the runbook's commands
    (the operator's NATS login and the maintenance user's database login it printed)."""

    ports: dict[str, int]
    env: dict[str, str]
    operator_nats_url: str
    maintenance_url: str

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"


def make_up_command() -> list[str]:
    """What `make up` runs (make prints it without running it), with a data folder of its own
    instead of the work tree's ``.warta/``."""
    (argv,) = as_written("make up")
    # Run from `make test`, make is a sub-make and would say which folder it enters and leaves.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    dry = run([*argv[:1], "--dry-run", "--no-print-directory", *argv[1:]], env)
    assert dry.returncode == 0, dry.stderr
    command = shlex.split(dry.stdout.strip().splitlines()[-1])
    assert command[1:] == ["-m", "warta.devstack", "up"], command
    return command


@pytest.fixture(scope="module")
def dev_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    base = free_block(10)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env |= {
        "WARTA_DEV_PORT_BASE": str(base),
        "WARTA_DEV_NATS_PORT": str(base + 9),
        "WARTA_DEV_MONGODB_PORT": str(base + 10),
        # A dead letter after three deliveries (about a second), not seven over two minutes.
        "WARTA_MAX_DELIVER": "3",
    }
    up = subprocess.Popen(
        [*make_up_command(), "--data", str(tmp_path_factory.mktemp("make-up") / "warta")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = ""
        deadline = time.monotonic() + 180
        assert up.stdout is not None
        while time.monotonic() < deadline and not output.endswith("Ctrl-C stops.\n"):
            line = up.stdout.readline()
            assert line, "up exited before the stack was ready:\n" + output
            output += line
        nats_url = re.search(r"^NATS operator +(\S+)", output, re.M)
        mongodb_url = re.search(r"^MongoDB maintenance +(\S+)", output, re.M)
        assert nats_url, output
        assert mongodb_url, output
        path = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # warta, warta-archive
        commands = env | {"PATH": path, "WARTA_NATS_URL": nats_url[1], "WARTA_MONGODB_URL": mongodb_url[1]}
        yield DevStack(service_ports(base), commands, nats_url[1], mongodb_url[1])
    finally:
        up.send_signal(signal.SIGINT)
        rest, _ = up.communicate(timeout=90)
        print(rest[-2000:])


def token(stack: DevStack, role: str, officer: str) -> dict[str, str]:
    issued = run(["warta", "token", "--role", role, "--officer", officer], stack.env)
    assert issued.returncode == 0, issued.stderr
    return {"Authorization": f"Bearer {issued.stdout.strip()}"}


async def publish(stack: DevStack, event: Event) -> None:
    """As the services publish: on the event's subject, its id the dedupe id; here as the operator."""
    connection = await nats.connect(stack.operator_nats_url)
    try:
        await connection.jetstream().publish(
            subject_for(type(event)), event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)}
        )
    finally:
        await connection.close()


def approved(request_id: str, version: int) -> Approved:
    data = ApprovedData(request_id=request_id, version=version, level=ReviewLevel.SECTION_HEAD)
    return Approved.occurred(data=data, request_id=request_id, time=datetime.now(UTC))


def submitted(request_id: str, version: int) -> CoverageSubmitted:
    data = CoverageSubmittedData(
        request_id=request_id,
        version=version,
        press_release=PressRelease(title="Rapat koordinasi", body="Wali kota memimpin rapat."),
        assets=(AssetRef(kind=AssetKind.PHOTO, uri="p", sha256="b" * 64),),
        submitted_by="dewi",
        contributors=("dewi",),
    )
    return CoverageSubmitted.occurred(data=data, request_id=request_id, time=datetime.now(UTC))


@pytest.mark.slow
async def test_the_operator_lists_shows_and_replays_a_dead_letter(dev_stack):
    request_id = f"req-runbook-{uuid.uuid4().hex[:8]}"
    await publish(dev_stack, approved(request_id, 3))  # its version is lost somewhere upstream
    print("injected: an approval whose version never arrives; the publisher dead-letters it")
    listing, only_publisher = as_written("warta dlq list [--service publisher]")

    def dead_letter() -> list[str] | None:
        listed = run(listing, dev_stack.env)
        assert listed.returncode == 0, listed.stderr
        return next((line.split("\t") for line in listed.stdout.splitlines() if request_id in line), None)

    seq, service, subject, deliveries, error = await eventually(dead_letter, timeout=30)
    assert (service, subject, deliveries) == ("publisher", subject_for(Approved), "3")
    assert error.startswith(f"RetryLater: version 3 of {request_id}")
    assert seq in run(only_publisher, dev_stack.env).stdout
    shown = the_only("warta dlq show SEQUENCE", dev_stack.env, SEQUENCE=seq)
    assert shown.returncode == 0, shown.stderr
    assert "Warta-Error: RetryLater" in shown.stdout
    assert f'"request_id": "{request_id}"' in shown.stdout

    await publish(dev_stack, submitted(request_id, 3))  # the fix: the version arrives
    replay = "warta dlq replay SEQUENCE # once the cause is fixed; consumers apply it at most once"
    replayed = the_only(replay, dev_stack.env, SEQUENCE=seq)
    assert replayed.returncode == 0, replayed.stderr
    assert f"replayed {seq} to {subject}" in replayed.stdout
    officer = token(dev_stack, "coverage_team", "maya")

    def ready() -> bool:
        answer = httpx.get(f"{dev_stack.url('publisher')}/publications/{request_id}", headers=officer, timeout=5)
        return answer.status_code == 200 and answer.json()["state"] == "ready"

    await eventually(ready, timeout=30)
    assert seq not in [line.split("\t")[0] for line in run(listing, dev_stack.env).stdout.splitlines()]
    print(f"checked: dead letter {seq} listed, shown, replayed after the fix and applied; gone from the DLQ")


def documents(client: MongoClient[dict[str, Any]], database: str) -> dict[str, list[dict[str, Any]]]:
    return {c: list(client[database][c].find().sort("_id", 1)) for c in ("records", "dossiers", "disposals")}


async def archive_caught_up(stack: DevStack) -> bool:
    """The archive's consumer has nothing waiting and nothing unacknowledged."""
    connection = await nats.connect(stack.operator_nats_url)
    try:
        for consumer in kubernetes.consumers_of("archive"):
            info = await connection.jetstream().consumer_info("WARTA", consumer)
            if info.num_pending or info.num_ack_pending:
                return False
        return True
    finally:
        await connection.close()


@pytest.mark.slow
async def test_the_archive_is_rebuilt_and_swapped_in(dev_stack):
    """The dev stack runs every service until Ctrl-C and cannot stop the archive alone as the
    runbook scales it to 0: here it stays up but idle (nothing is published from the rebuild to
    the end of the swap), and what it writes after the swap lands in the swapped-in collections."""
    demo = run([sys.executable, "-m", "warta.devstack", "demo"], dev_stack.env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    maintenance: MongoClient[dict[str, Any]] = MongoClient(dev_stack.maintenance_url, tz_aware=True)
    try:
        await eventually(lambda: archive_caught_up(dev_stack), timeout=60)
        before = documents(maintenance, "warta_archive")
        kept = len(before["records"])
        print(f"injected: the demo's request; the archive kept {kept} records of the stream")

        rebuilt = the_only("warta-archive rebuild --into warta_archive_new", dev_stack.env)
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert f"rebuilt {REBUILT_ARCHIVE}: {kept} records kept, 0 skipped as disposed" in rebuilt.stdout
        assert documents(maintenance, REBUILT_ARCHIVE) == before

        swapped = the_only("warta-archive swap --from warta_archive_new", dev_stack.env)
        assert swapped.returncode == 0, swapped.stderr
        assert documents(maintenance, "warta_archive") == before
        assert maintenance[REBUILT_ARCHIVE].list_collection_names() == []
        again = the_only("warta-archive swap --from warta_archive_new", dev_stack.env)
        assert again.returncode == 2  # nothing finished to swap in
        print(f"checked: rebuilt and swapped in as {MAINTENANCE_USER}: the same records, dossiers and disposals")

        await publish(dev_stack, submitted(f"req-after-swap-{uuid.uuid4().hex[:8]}", 1))
        await eventually(lambda: maintenance.warta_archive.records.count_documents({}) == kept + 1)
        print("checked: the archive, under its own login, keeps the next event in the swapped-in collections")
    finally:
        maintenance.close()


@pytest.mark.slow
def test_the_maintenance_user_may_do_what_a_dump_and_a_restore_do_and_nothing_more(dev_stack):
    """mongodump reads (listCollections, listIndexes, find); mongorestore --drop drops each
    collection, creates it, inserts and builds its indexes. The tools are not installed here:
    the same operations, as the maintenance user, on every service's database."""
    client: MongoClient[dict[str, Any]] = MongoClient(dev_stack.maintenance_url)
    try:
        for service in (*SERVICES, *SUBSCRIBERS):
            db = client[f"warta_{service}"]
            for name in db.list_collection_names():
                list(db[name].list_indexes())
                db[name].find_one()
            probe = db["runbook_restore_probe"]
            probe.drop()
            probe.insert_many([{"_id": 1}, {"_id": 2}])
            probe.create_index("kept_at")
            assert probe.count_documents({}) == 2
            probe.drop()
        refusals = {
            "a user": lambda: client.admin.command("createUser", "intruder", pwd="x", roles=["root"]),
            "the users": lambda: client.admin["system.users"].find_one(),
            "another database": lambda: client.warta_elsewhere.probe.insert_one({}),
            "dropping a service's database": lambda: client.warta_review.command("dropDatabase"),
        }
        for what, attempt in refusals.items():
            with pytest.raises(OperationFailure) as refused:
                attempt()
            assert refused.value.code == UNAUTHORIZED, what
    finally:
        client.close()
    elsewhere = run(["warta-archive", "rebuild", "--into", "warta_archive_other"], dev_stack.env)
    assert elsewhere.returncode != 0
    assert "not authorized on warta_archive_other" in elsewhere.stderr
    print(f"checked: dump and restore operations on {len(SERVICES + SUBSCRIBERS)} databases; refused: users,")
    print("  other databases, dropping a database, and a rebuild into any other name")
