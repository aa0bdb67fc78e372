"""``python -m warta.devstack up`` runs Warta on one machine; ``demo`` walks a request through it.

``up`` starts NATS with JetStream and SecantusDB (data under ``.warta/``) unless
``WARTA_NATS_URL`` / ``WARTA_MONGODB_URL`` name real servers, then the five services as separate
processes, the archive and the notifier that listen to them, and the console. Ctrl-C stops everything.
"""

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from warta.contracts import Role
from warta.runtime import ServiceSettings, issue_dev_token
from warta.runtime.permissions import OPERATOR, authorization, user_for
from warta.runtime.registry import services

from . import asyncapi, clients, dashboards, fonts, kubernetes, nats_config, scaffold
from .demo import (
    ADMIN,
    OFFICE_NAMES,
    PHOTOGRAPHER,
    SECTION_HEAD,
    SERVICES,
    SOCIAL_MEDIA,
    SUBSCRIBERS,
    TEAM_LEAD,
    VIDEOGRAPHER,
    WRITER,
    DemoFailed,
    service_ports,
    walk,
)
from .servers import (
    MAINTENANCE_USER,
    ManagedProcess,
    PortTaken,
    embedded_mongo,
    embedded_nats,
    mongodb_login,
    mongodb_url,
    nats_url,
    require_database_users,
    require_free_port,
    wait_for_answer,
    wait_for_port,
)
from .smtp import smtp_server
from .whatsapp import whatsapp_gateway


def _dev_port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _service_ports() -> dict[str, int]:
    return service_ports(_dev_port("WARTA_DEV_PORT_BASE", 8100))


def up(data_dir: Path) -> int:
    """Every service on the embedded servers (or on those the environment names), until Ctrl-C."""
    data_dir.mkdir(parents=True, exist_ok=True)
    servers: list[ManagedProcess] = []
    services: dict[str, subprocess.Popen[bytes]] = {}
    env = dict(os.environ)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    extras = contextlib.ExitStack()
    try:
        _require_free_ports(env)
        _outside_stand_ins(env, data_dir, extras)
        logins = _own_users(_local_nats(env, data_dir, servers), _local_mongo(env, data_dir, servers))
        print(f"NATS JetStream   {env['WARTA_NATS_URL']}")
        print(f"MongoDB          {env['WARTA_MONGODB_URL']}")
        logs = data_dir / "logs"
        logs.mkdir(exist_ok=True)
        _start_services(env, logins, logs, services)
        console = f"http://127.0.0.1:{_service_ports()['console']}"
        print(f"Warta is ready at {console}. Logs in {logs}. Try `make demo` in another terminal; Ctrl-C stops.")
        sys.stdout.flush()
        while not stopping:
            for name, process in services.items():
                if process.poll() is not None:
                    print(f"{name} exited with {process.returncode}; see {logs / (name + '.log')}", file=sys.stderr)
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except PortTaken as taken:
        print(
            f"{taken}. Stop that program, or choose other ports with WARTA_DEV_NATS_PORT, "
            "WARTA_DEV_MONGODB_PORT and WARTA_DEV_PORT_BASE.",
            file=sys.stderr,
        )
        return 1
    finally:
        _stop_all(services, servers, extras)
    return 0


def _require_free_ports(env: dict[str, str]) -> None:
    """Every port the stack will listen on is free, before anything starts: a port another program
    holds would otherwise pass that program's answer off as the server's or service's own."""
    ports = dict(_service_ports())
    if not env.get("WARTA_NATS_URL"):
        ports["nats"] = _dev_port("WARTA_DEV_NATS_PORT", 4222)
    if not env.get("WARTA_MONGODB_URL"):
        ports["secantusdb"] = _dev_port("WARTA_DEV_MONGODB_PORT", 27117)
    for name, port in ports.items():
        require_free_port(port, name)


def _outside_stand_ins(env: dict[str, str], data_dir: Path, extras: contextlib.ExitStack) -> None:
    """A mail relay and a WhatsApp gateway that keep what they are sent, unless real ones are named."""
    if not env.get("WARTA_SMTP_HOST"):
        mail = data_dir / "mail"
        mail.mkdir(exist_ok=True)
        relay = extras.enter_context(smtp_server(data_dir, keep_in=mail))
        env |= {"WARTA_SMTP_HOST": relay.host, "WARTA_SMTP_PORT": str(relay.port), "WARTA_SMTP_CA_FILE": relay.ca_file}
        print(f"SMTP relay       {relay.host}:{relay.port}  (messages kept in {mail})")
    if not env.get("WARTA_WHATSAPP_URL"):
        kept = data_dir / "whatsapp"
        gateway = extras.enter_context(whatsapp_gateway(keep_in=kept))
        env |= {"WARTA_WHATSAPP_URL": gateway.url, "WARTA_WHATSAPP_TOKEN": gateway.token}
        print(f"WhatsApp gateway {gateway.url}  (messages kept in {kept})")


def _local_nats(env: dict[str, str], data_dir: Path, servers: list[ManagedProcess]) -> dict[str, dict[str, str]]:
    """The embedded NATS, each service connecting as its own user, allowed to publish only the
    events it owns; the users' logins (none when the environment names a server)."""
    if env.get("WARTA_NATS_URL"):
        return {}
    passwords = {name: secrets.token_urlsafe(24) for name in SERVICES + SUBSCRIBERS}
    operator = secrets.token_urlsafe(24)
    defaults = ServiceSettings.model_fields
    stream, prefix = defaults["stream_name"].default, defaults["subject_prefix"].default
    block = authorization(passwords, operator, stream=stream, prefix=prefix)
    nats = embedded_nats(data_dir / "nats", _dev_port("WARTA_DEV_NATS_PORT", 4222), authorization=block)
    nats.start()
    servers.append(nats)
    env["WARTA_NATS_URL"] = nats_url(nats)
    operator_url = env["WARTA_NATS_URL"].replace("nats://", f"nats://{OPERATOR}:{operator}@", 1)
    print(f"NATS operator    {operator_url}  (for `warta dlq` as WARTA_NATS_URL)")
    return {
        name: {"WARTA_NATS_USER": user_for(name), "WARTA_NATS_PASSWORD": password}
        for name, password in passwords.items()
    }


def _local_mongo(env: dict[str, str], data_dir: Path, servers: list[ManagedProcess]) -> dict[str, dict[str, str]]:
    """The embedded SecantusDB, each service its own database user, allowed its own database
    only, beside the operator and the runbook's maintenance user; the services' logins (none when
    the environment names a server)."""
    if env.get("WARTA_MONGODB_URL"):
        return {}
    mongo = embedded_mongo(data_dir / "secantusdb", _dev_port("WARTA_DEV_MONGODB_PORT", 27117))
    mongo.start()
    servers.append(mongo)
    passwords = {name: secrets.token_urlsafe(24) for name in SERVICES + SUBSCRIBERS}
    operator, maintenance = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    databases = {name: ServiceSettings(service_name=name).database_name() for name in passwords}
    users = {name: (databases[name], pw) for name, pw in passwords.items()}
    require_database_users(mongo, users, operator, maintenance=maintenance)
    env["WARTA_MONGODB_URL"] = mongodb_url(mongo)
    print(f"MongoDB operator {mongodb_login(mongodb_url(mongo), 'warta-operator', operator)}")
    # The user docs/operations.md runs its database commands as (the archive's rebuild, dumps).
    maintenance_url = mongodb_login(mongodb_url(mongo), MAINTENANCE_USER, maintenance)
    print(f"MongoDB maintenance {maintenance_url}  (for the runbook's commands as WARTA_MONGODB_URL)")
    return {
        name: {"WARTA_MONGODB_URL": mongodb_login(mongodb_url(mongo), f"warta-{name}", password)}
        for name, password in passwords.items()
    }


def _own_users(*logins: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for by_service in logins:
        for name, settings in by_service.items():
            merged.setdefault(name, {}).update(settings)
    return merged


def _start_services(
    env: dict[str, str], logins: dict[str, dict[str, str]], logs: Path, services: dict[str, subprocess.Popen[bytes]]
) -> None:
    """Every service at the dev stack's ports (each finds the others there), until it is ready;
    each process goes into ``services`` as it starts, so a failure stops those already running."""
    env = env | {f"WARTA_{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in _service_ports().items()}
    for name, port in _service_ports().items():
        with (logs / f"{name}.log").open("ab") as log_file:
            services[name] = subprocess.Popen(
                [sys.executable, "-m", f"warta.{name}"],
                env={**env, **logins.get(name, {}), "WARTA_HTTP_PORT": str(port)},
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
    for name, port in _service_ports().items():
        url = f"http://127.0.0.1:{port}"
        wait_for_port("127.0.0.1", port, 60, services[name])
        wait_for_answer(f"{url}/readyz", services[name])
        what = "the officers' pages" if name == "console" else f"API docs {url}/docs, metrics {url}/metrics"
        print(f"{name:<16} {url}  ({what})")


def _stop_all(
    services: dict[str, subprocess.Popen[bytes]], servers: list[ManagedProcess], extras: contextlib.ExitStack
) -> None:
    print("\nStopping Warta…")
    for process in services.values():
        if process.poll() is None:
            process.terminate()
    for process in services.values():
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
    for server in reversed(servers):
        server.stop()
    extras.close()
    print("Stopped.")


def demo() -> int:
    settings = ServiceSettings(service_name="demo")
    urls = {name: f"http://127.0.0.1:{port}" for name, port in _service_ports().items()}

    def token_for(officer_id: str, role: Role) -> str:
        return issue_dev_token(settings, officer_id=officer_id, role=role)

    try:
        asyncio.run(_fill_the_directory(urls["notifier"], token_for(*ADMIN)))
        timeline = asyncio.run(walk(urls, token_for))
    except (DemoFailed, httpx.HTTPError) as exc:
        print(f"demo failed: {exc}\nIs `make up` running?", file=sys.stderr)
        return 1
    print(timeline.render())
    print("Semua tujuh langkah SOP selesai.")
    try:
        steps = asyncio.run(_archived_steps(urls["archive"], token_for(*SECTION_HEAD), timeline.request_id))
    except (httpx.HTTPError, TimeoutError) as exc:
        print(f"the archive has not recorded the request: {exc}", file=sys.stderr)
        return 1
    print("Arsip mencatat durasi tiap langkah:")
    for run in steps:
        again = f" (putaran {run['run']})" if run["run"] > 1 else ""
        minutes, standard = run["seconds"] / 60, run["standard_seconds"] / 60
        print(f"  langkah {run['step']}{again}: {minutes:.1f} menit (standar {standard:.0f})")
    sent = asyncio.run(_messages_sent(urls["notifier"], token_for(*SECTION_HEAD), timeline.request_id))
    print(f"Notifikasi terkirim ke petugas: {sent} pesan (WhatsApp dan email, lihat .warta/whatsapp dan .warta/mail)")
    return 0


async def _fill_the_directory(notifier_url: str, token: str) -> None:
    """The demo's officers in the notifier's directory, reachable at any hour."""
    officers = [ADMIN, SECTION_HEAD, TEAM_LEAD, WRITER, PHOTOGRAPHER, VIDEOGRAPHER, SOCIAL_MEDIA]
    async with httpx.AsyncClient(base_url=notifier_url, headers={"Authorization": f"Bearer {token}"}) as client:
        for number, (officer_id, role) in enumerate(officers, start=1):
            entry = {
                "officer_id": officer_id,
                "name": OFFICE_NAMES[officer_id],
                "role": role.value,
                "email": f"{officer_id}@tangerangkota.example",
                "whatsapp": f"62811000000{number:02d}",
                "quiet_from": None,
                "quiet_until": None,
            }
            (await client.put(f"/officers/{officer_id}", json=entry)).raise_for_status()


async def _messages_sent(notifier_url: str, token: str, request_id: str) -> int:
    async with httpx.AsyncClient(base_url=notifier_url, headers={"Authorization": f"Bearer {token}"}) as client:
        r = await client.get("/messages", params={"request_id": request_id, "state": "sent", "limit": 1000})
        r.raise_for_status()
        return len(r.json())


async def _archived_steps(archive_url: str, token: str, request_id: str) -> list[dict[str, Any]]:
    """The archive's step durations of a request, once its publication has reached the archive."""
    async with httpx.AsyncClient(base_url=archive_url, headers={"Authorization": f"Bearer {token}"}) as client:
        async with asyncio.timeout(30):
            while True:
                r = await client.get(f"/requests/{request_id}/timeline")
                if r.status_code == 200 and any(run["step"] == 7 and run["seconds"] for run in r.json()["steps"]):
                    return list(r.json()["steps"])
                await asyncio.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m warta.devstack")
    commands = parser.add_subparsers(dest="command", required=True)
    up_cmd = commands.add_parser("up", help="run the whole system on this machine")
    up_cmd.add_argument("--data", type=Path, default=Path(".warta"))
    commands.add_parser("demo", help="drive one request through all seven steps of a running stack")
    commands.add_parser("dashboards", help="write the Grafana dashboard generated from code")
    commands.add_parser("asyncapi", help="write contracts/asyncapi.yaml, the event catalogue as AsyncAPI 3.0")
    commands.add_parser("nats-config", help="write the NATS users and permissions generated from the contracts")
    k8s = commands.add_parser("k8s", help="write the Kubernetes manifests and NATS chart values generated from code")
    k8s.add_argument("--image-digests", type=Path, help="'<service> sha256:<hex>' a line: the images prod runs")
    k8s.add_argument("--prometheus-release", help="the kube-prometheus-stack release that selects the monitors")
    commands.add_parser("fonts", help="write the Latin subsets of the disposition sheet's fonts")
    new = commands.add_parser("new-subscriber", help="write a working subscriber in services/NAME and register it")
    new.add_argument("name")
    commands.add_parser("mypy-packages", help="print mypy's -p arguments: every package of the workspace")
    commands.add_parser("console-clients", help="write the console's typed models of the services' answers")
    args = parser.parse_args()
    if args.command == "console-clients":
        for path in clients.write_all():
            print(f"wrote {path}")
        return 0
    if args.command == "new-subscriber":
        for path in scaffold.new_subscriber(Path.cwd(), args.name):
            print(f"wrote {path}")
        print("next: make k8s nats-config, uv lock, and commit; see docs/adding-a-subscriber.md")
        return 0
    if args.command == "mypy-packages":
        print(" ".join(f"-p warta.{name}" for name in ("contracts", "runtime", *services(), "devstack")))
        return 0
    if args.command == "fonts":
        for path in fonts.write():
            print(f"wrote {path}")
        return 0
    if args.command == "k8s":
        try:
            release = kubernetes.release_given(image_digests=args.image_digests, prometheus=args.prometheus_release)
        except (OSError, ValueError) as refused:
            print(f"make k8s: {refused}", file=sys.stderr)
            return 2
        for path in kubernetes.write(release):
            print(f"wrote {path}")
        return 0
    if args.command == "dashboards":
        print(f"wrote {dashboards.write()}")
        return 0
    if args.command == "asyncapi":
        print(f"wrote {asyncapi.write()}")
        return 0
    if args.command == "nats-config":
        print(f"wrote {nats_config.write()}")
        return 0
    return up(args.data) if args.command == "up" else demo()


if __name__ == "__main__":
    raise SystemExit(main())
