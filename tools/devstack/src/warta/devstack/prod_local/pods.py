"""Each Deployment's container as a process here: its command, the environment and files its pod
gets with their addresses moved here, and the production check of its settings before that."""

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from pydantic import ValidationError

from warta.runtime.serve import said

from ..demo import settings_class
from ..pytest_plugin import wait_for_service
from ..servers import wait_for_answer
from .addresses import LISTENING, AddressBook, StandIns
from .credentials import Secrets
from .manifests import Cluster, NotOnThisMachine, command_of, container_env, image_of, mount_volumes

LISTEN_PORT = "WARTA_HTTP_PORT"  # where a service listens: its container's ``http`` port
# The one setting added to what the manifests give: with the city's sign-in a service refuses
# this machine's addresses unless told these are its peers' (ADR 0023).
ADDED = {"WARTA_LOOPBACK_PEERS": "true"}


@dataclass
class PodSpec:
    """The environment the pod gets (``rendered``), and the same with its addresses and files
    moved here (``env``), which the process runs with."""

    name: str
    command: list[str]
    rendered: dict[str, str]
    env: dict[str, str]
    port: int  # its http port here
    readiness: str  # the readiness probe's path
    root: Path  # the pod's filesystem here: its mounted volumes


def pod_spec(
    cluster: Cluster, name: str, store: Secrets, book: AddressBook, ports: dict[int, int], trust: str, root: Path
) -> PodSpec:
    """``trust``: the CA bundle standing in for the image's (``SSL_CERT_FILE``), which holds the
    mail relay's authority as the image's would the city relay's."""
    container = cluster.container(name)
    image = image_of(container)
    rendered = {**image.env, **container_env(cluster, name, store, f"{name}-local")}
    env = _moved_files(_listening_here(rendered, ports), mount_volumes(cluster, name, store, root))
    env = book.environment(env, name) | ADDED | {"SSL_CERT_FILE": trust}
    env.setdefault(LISTEN_PORT, str(ports[cluster.container_port(name, "http")]))
    probe = container.get("readinessProbe", {}).get("httpGet", {})
    http = ports[cluster.container_port(name, "http")]
    return PodSpec(name, command_of(container, image), rendered, env, http, probe.get("path", "/"), root)


def plan(
    cluster: Cluster, store: Secrets, book: AddressBook, here: StandIns, trust: str, work: Path
) -> dict[str, PodSpec]:
    """Every Deployment's process, its filesystem under ``work``."""
    return {
        name: pod_spec(cluster, name, store, book, here.ports[name], trust, work / name)
        for name in cluster.deployments()
    }


def _listening_here(env: Mapping[str, str], ports: dict[int, int]) -> dict[str, str]:
    """A ``<X>_PORT`` naming one of the container's ports, with no peer host beside it, is where
    the pod listens: moved to that port's place here."""
    moved = dict(env)
    for name, value in env.items():
        host = env.get(name.removesuffix("_PORT") + "_HOST", "")
        if name.endswith("_PORT") and value.isdigit() and int(value) in ports and host in LISTENING:
            moved[name] = str(ports[int(value)])
    return moved


def _moved_files(env: Mapping[str, str], mounts: dict[str, Path]) -> dict[str, str]:
    """A path under a mounted volume, moved to that volume's folder here. PATH is left alone: it
    already names this machine's folders (``image_of``), which may lie under a mount's path (a
    work tree under /tmp, where the pod mounts its scratch volume)."""
    moved = dict(env)
    for name, value in env.items():
        if name == "PATH":
            continue
        for mount, folder in sorted(mounts.items(), key=lambda m: -len(m[0])):
            if value == mount or mount + "/" in value:
                moved[name] = value.replace(mount + "/", f"{folder}/") if value != mount else str(folder)
                break
    return moved


def check_production_settings(cluster: Cluster, specs: Mapping[str, PodSpec]) -> None:
    """Read every pod's settings with the environment it gets in the cluster and nothing else,
    unmoved and without ``WARTA_LOOPBACK_PEERS``, as its process reads them at start: a missing or
    development address, a sign-in or website channel half configured stop it here, naming the
    setting. It must listen on its container's ``http`` port, where the probes and the Service look."""
    problems = []
    for spec in specs.values():
        settings = settings_class(spec.rendered.get("WARTA_SERVICE", spec.name))
        try:
            with mock.patch.dict(os.environ, spec.rendered, clear=True):
                port = settings().http_port
        except ValidationError as error:
            problems.append(f"{spec.name}: {said(error)}")
            continue
        http = cluster.container_port(spec.name, "http")
        if port != http:
            problems.append(f"{spec.name}: listens on {port}, its containerPort http is {http}")
    if problems:
        raise NotOnThisMachine("the rendered settings would not start in production:\n  " + "\n  ".join(problems))


@dataclass
class Pod:
    spec: PodSpec
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.spec.port}"

    @property
    def log_path(self) -> Path:
        return self.spec.root / "pod.log"

    def start(self) -> None:
        self.spec.root.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.spec.command, env=self.spec.env, cwd=self.spec.root, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 180) -> None:
        """Until its health check names it and its readiness probe answers, as the kubelet waits."""
        assert self.process is not None
        try:
            wait_for_service(self.url, self.spec.name, self.process, timeout)
            wait_for_answer(self.url + self.spec.readiness, self.process, timeout)
        except (RuntimeError, TimeoutError) as failed:
            raise NotOnThisMachine(f"{self.spec.name} did not become ready: {failed}\n{self.log()[-3000:]}") from None

    def stop(self) -> None:
        self.terminate()
        self.wait_stopped()

    def terminate(self) -> None:
        """SIGTERM, as the kubelet sends it: the service stops consuming and drains."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait_stopped(self, grace: float = 30) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def stop_all(pods: Mapping[str, Pod]) -> None:
    """Every pod told at once, then waited for: a namespace deleted, not a rollout."""
    for pod in pods.values():
        pod.terminate()
    for pod in pods.values():
        pod.wait_stopped()
