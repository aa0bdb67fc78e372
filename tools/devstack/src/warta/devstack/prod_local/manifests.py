"""The rendered manifests, read as the cluster reads them: which Deployment a Service selects, what
a container's image runs, and the environment and files Kubernetes gives the container."""

import json
import re
import shlex
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .. import kubernetes

Manifest = dict[str, Any]

REPO = Path(__file__).resolve().parents[6]
DOCKERFILE = REPO / "deploy/docker/Dockerfile"
NATS_VALUES = REPO / "deploy/nats/values.yaml"
# What the python:3.11-slim base image sets before the Dockerfile's own ENV lines.
BASE_IMAGE_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
# The image's virtual environment (the build's UV_PROJECT_ENVIRONMENT) is this workspace's.
IMAGE_VENV = "/app"


class NotOnThisMachine(Exception):
    """The manifests ask for something this machine cannot stand in for, or name it wrongly."""


def render(overlay: str = "prod") -> list[Manifest]:
    """``kubectl kustomize`` of an overlay: what ``kubectl apply -k`` would send."""
    try:
        return kubernetes.built(overlay)
    except RuntimeError as failed:
        raise NotOnThisMachine(str(failed)) from None


def chart_values() -> Manifest:
    values: Manifest = yaml.safe_load(NATS_VALUES.read_text())
    return values


@dataclass
class Cluster:
    """The rendered objects of one namespace, and the NATS chart's values beside them."""

    objects: list[Manifest]
    nats_values: Manifest

    def of_kind(self, kind: str) -> dict[str, Manifest]:
        return {o["metadata"]["name"]: o for o in self.objects if o["kind"] == kind}

    def deployments(self) -> dict[str, Manifest]:
        return self.of_kind("Deployment")

    @property
    def namespace(self) -> str:
        return str(next(iter(self.deployments().values()))["metadata"].get("namespace", "default"))

    def pod(self, deployment: str) -> Manifest:
        spec: Manifest = self.deployments()[deployment]["spec"]["template"]["spec"]
        return spec

    def container(self, deployment: str) -> Manifest:
        (container,) = self.pod(deployment)["containers"]
        return dict(container)

    def mongodb(self) -> Manifest:
        (resource,) = self.of_kind("MongoDBCommunity").values()
        return resource

    def container_ports(self, deployment: str) -> dict[str, int]:
        """Every port the container declares, by name (or by number, for one without)."""
        declared = self.container(deployment).get("ports", [])
        return {str(p.get("name", p["containerPort"])): int(p["containerPort"]) for p in declared}

    def container_port(self, deployment: str, port: str | int) -> int:
        """A container port by name or number, as a Service's ``targetPort`` names it."""
        for name, number in self.container_ports(deployment).items():
            if str(port) in (name, str(number)):
                return number
        raise NotOnThisMachine(f"deployment {deployment} has no container port {port!r}")

    def selected(self, service: str) -> str:
        """The Deployment a Service sends its traffic to."""
        selector = self.of_kind("Service")[service]["spec"].get("selector", {})
        found = [
            name
            for name, d in self.deployments().items()
            if selector and selector.items() <= d["spec"]["template"]["metadata"].get("labels", {}).items()
        ]
        if len(found) != 1:
            raise NotOnThisMachine(f"Service {service} selects {found or 'no Deployment'}")
        return found[0]

    def service_target(self, service: str, port: str | int) -> tuple[str, int]:
        """(Deployment, container port) behind a Service's port, given by number or name."""
        for declared in self.of_kind("Service")[service]["spec"]["ports"]:
            if str(port) in (str(declared["port"]), declared.get("name")):
                deployment = self.selected(service)
                return deployment, self.container_port(deployment, declared.get("targetPort", declared["port"]))
        raise NotOnThisMachine(f"Service {service} has no port {port!r}")

    def setting(self, deployment: str, name: str) -> str | None:
        """A setting's literal value in a Deployment: its ``env``, else a ConfigMap it reads."""
        container = self.container(deployment)
        for item in reversed(container.get("env", [])):
            if item["name"] == name:
                return str(item["value"]) if "value" in item else None
        configmaps = self.of_kind("ConfigMap")
        for source in reversed(container.get("envFrom", [])):
            data = configmaps.get(source.get("configMapRef", {}).get("name", ""), {}).get("data") or {}
            if name.removeprefix(source.get("prefix", "")) in data:
                return str(data[name.removeprefix(source.get("prefix", ""))])
        return None

    def literal_settings(self) -> Iterator[tuple[str, str]]:
        """Every (name, value) written into a ConfigMap or a container's env."""
        for config in self.of_kind("ConfigMap").values():
            yield from ((k, str(v)) for k, v in (config.get("data") or {}).items())
        for name in self.deployments():
            for item in self.container(name).get("env", []):
                if "value" in item:
                    yield item["name"], str(item["value"])


# -- the image ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Image:
    entrypoint: list[str]
    cmd: list[str]
    env: dict[str, str]


def _expand(value: str, known: Mapping[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: known.get(m.group(1) or m.group(2), ""), value)


def image_of(container: Manifest) -> Image:
    """The final stage of ``deploy/docker/Dockerfile`` as this container's image is built from it:
    ``SERVICE`` is the image's name (``registry/warta/<service>``), and PATH's ``/app`` this
    workspace's virtual environment."""
    service = container["image"].rsplit("/", 1)[-1].split("@")[0].split(":")[0]  # name[:tag][@digest]
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    final = lines[max(i for i, line in enumerate(lines) if line.upper().startswith("FROM ")) + 1 :]
    args, env = {"SERVICE": service}, dict(BASE_IMAGE_ENV)
    entrypoint: list[str] = []
    cmd: list[str] = []
    for line in final:
        word, _, rest = line.partition(" ")
        match word.upper():
            case "ARG":
                name, _, default = rest.strip().partition("=")
                args.setdefault(name, default)
            case "ENV":
                for pair in shlex.split(rest):
                    key, _, value = pair.partition("=")
                    env[key] = _expand(value, {**args, **env})
            case "ENTRYPOINT":
                entrypoint = json.loads(rest)
            case "CMD":
                cmd = json.loads(rest)
    venv = str(Path(sys.prefix))
    path = env["PATH"].split(":")
    env["PATH"] = ":".join(venv + p[len(IMAGE_VENV) :] if p.startswith(IMAGE_VENV + "/") else p for p in path)
    return Image(entrypoint, cmd, env)


def command_of(container: Manifest, image: Image) -> list[str]:
    """Kubernetes' rule: ``command`` replaces the entrypoint, ``args`` the image's CMD."""
    command = container.get("command") or image.entrypoint
    args = container.get("args") if "args" in container else ([] if container.get("command") else image.cmd)
    return [*command, *(args or [])]


# -- what Kubernetes gives the container ----------------------------------------------------------------------


class SecretSource:
    """Where Secrets are read from (``credentials.Secrets``)."""

    def key(self, name: str, key: str, optional: bool = False) -> str | None:
        raise NotImplementedError

    def all(self, name: str, optional: bool = False) -> dict[str, str]:
        raise NotImplementedError


def container_env(cluster: Cluster, deployment: str, secrets: SecretSource, pod: str) -> dict[str, str]:
    """The variables Kubernetes gives the container: every ``envFrom`` source in order, then each
    ``env`` entry overriding them, with ``$(VAR)`` of those defined before it expanded."""
    container = cluster.container(deployment)
    configmaps = cluster.of_kind("ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        prefix = source.get("prefix", "")
        if ref := source.get("configMapRef"):
            if ref["name"] not in configmaps and not ref.get("optional"):
                raise NotOnThisMachine(f"{pod}: envFrom names no ConfigMap {ref['name']!r}")
            env |= {prefix + k: str(v) for k, v in (configmaps.get(ref["name"], {}).get("data") or {}).items()}
        elif ref := source.get("secretRef"):
            env |= {prefix + k: v for k, v in secrets.all(ref["name"], ref.get("optional", False)).items()}
    for item in container.get("env", []):
        value = _env_value(item, configmaps, secrets, pod, cluster.namespace)
        if value is not None:
            env[item["name"]] = re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), value)
    return env


def _env_value(item: Manifest, configmaps: dict[str, Manifest], secrets: SecretSource, pod: str, ns: str) -> str | None:
    if "value" in item:
        return str(item["value"])
    source = item.get("valueFrom", {})
    if ref := source.get("secretKeyRef"):
        return secrets.key(ref["name"], ref["key"], ref.get("optional", False))
    if ref := source.get("configMapKeyRef"):
        data = configmaps.get(ref["name"], {}).get("data") or {}
        if ref["key"] not in data and not ref.get("optional"):
            raise NotOnThisMachine(f"{pod}: no key {ref['key']!r} in ConfigMap {ref['name']!r}")
        return data.get(ref["key"])
    if ref := source.get("fieldRef"):
        fields = {"metadata.name": pod, "metadata.namespace": ns, "status.podIP": "127.0.0.1"}
        return fields[ref["fieldPath"]]
    raise NotOnThisMachine(f"{pod}: env {item['name']} has a source this machine cannot give: {source}")


def mount_volumes(cluster: Cluster, deployment: str, secrets: SecretSource, root: Path) -> dict[str, Path]:
    """Each volume the container mounts, as a folder under ``root`` (the pod's filesystem here):
    a Secret's or ConfigMap's keys written as its files, an emptyDir empty. Mount path -> folder."""
    volumes = {v["name"]: v for v in cluster.pod(deployment).get("volumes", [])}
    configmaps = cluster.of_kind("ConfigMap")
    mounts = {}
    for mount in cluster.container(deployment).get("volumeMounts", []):
        volume, folder = volumes[mount["name"]], root / mount["mountPath"].strip("/")
        folder.mkdir(parents=True, exist_ok=True)
        files: dict[str, str] = {}
        if source := volume.get("secret"):
            files = secrets.all(source["secretName"], source.get("optional", False))
        elif source := volume.get("configMap"):
            files = {k: str(v) for k, v in (configmaps.get(source["name"], {}).get("data") or {}).items()}
        elif "emptyDir" not in volume:
            raise NotOnThisMachine(f"{deployment}: volume {mount['name']} is of a kind this machine cannot give")
        items = (source or {}).get("items") or [{"key": k, "path": k} for k in files]
        for item in items:
            if item["key"] not in files:
                raise NotOnThisMachine(f"{deployment}: volume {mount['name']} has no key {item['key']!r}")
            (folder / item["path"]).parent.mkdir(parents=True, exist_ok=True)
            (folder / item["path"]).write_text(files[item["key"]])
        mounts[mount["mountPath"].rstrip("/")] = folder
    return mounts
