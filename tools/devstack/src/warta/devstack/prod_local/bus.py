"""The NATS cluster of ``deploy/nats/values.yaml``: the configuration the chart renders for each of
its pods, on this machine's ports, one nats-server per replica with its own data directory."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client as NatsClient

from ..servers import ManagedProcess, _binary, free_port, wait_for_answer
from .addresses import NATS_RELEASE
from .credentials import Secrets
from .manifests import Manifest, NotOnThisMachine

# The chart's sections the local cluster builds; one it does not (TLS, leafnodes, gateways, an
# account resolver...) enabled in the values stops it, instead of being left out silently.
CHART_SECTIONS = {"cluster", "jetstream", "merge", "monitor", "nats", "patch"}


def _merged(base: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in patch.items():
        out[key] = _merged(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), dict) else value
    return out


@dataclass
class NatsNode(ManagedProcess):
    """One nats-server with the environment of its container (the users' passwords, ``POD_NAME``)."""

    env: dict[str, str] = field(default_factory=dict)
    route_port: int = 0
    monitor_port: int = 0


def server_config(values: Manifest, node: int, nodes: list[NatsNode], data: Path) -> str:
    """The nats.conf the chart (1.x) renders for pod ``nats-<node>``, on this machine's ports: its
    server name, routes to every node, monitoring, JetStream on file storage, then the values'
    ``merge`` blocks (``sync_interval``, the users and their permissions) as they are."""
    config = values.get("config", {})
    unknown = [k for k, v in config.items() if k not in CHART_SECTIONS and isinstance(v, dict) and v.get("enabled")]
    if unknown or not config.get("cluster", {}).get("enabled") or not config.get("jetstream", {}).get("enabled"):
        raise NotOnThisMachine(f"the NATS values enable what the local cluster does not build: {unknown}")
    jetstream, files = config["jetstream"], config["jetstream"].get("fileStore", {})
    store = {"max_memory_store": 0, "store_dir": str(data / "jetstream")}
    if files.get("maxSize"):
        store["max_file_store"] = f"<< {files['maxSize']} >>"
    server: dict[str, Any] = {
        "server_name": "<< $POD_NAME >>",
        "lame_duck_grace_period": "10s",
        "lame_duck_duration": "30s",
        "pid_file": str(data / "nats.pid"),
        "host": "127.0.0.1",
        "port": nodes[node].port,
        "cluster": _merged(
            {
                "name": NATS_RELEASE,
                "host": "127.0.0.1",
                "port": nodes[node].route_port,
                "no_advertise": True,
                "routes": [f"nats://127.0.0.1:{n.route_port}" for n in nodes],
            },
            config["cluster"].get("merge", {}),
        ),
        "jetstream": _merged(store, jetstream.get("merge", {})),
    }
    if config.get("monitor", {}).get("enabled", True):
        server["http_port"] = nodes[node].monitor_port
    server = _merged(server, config.get("merge", {}))
    # The chart writes ``<< x >>`` into nats.conf bare: an environment variable, a size.
    return re.sub(r'"<< (.*?) >>"', r"\1", json.dumps(server, indent=2))


@dataclass
class NatsCluster:
    nodes: list[NatsNode]
    operator: tuple[str, str]  # the operators' login (the user without limits), for the checks

    @property
    def urls(self) -> list[str]:
        return [f"nats://127.0.0.1:{n.port}" for n in self.nodes]

    def node(self, name: str) -> NatsNode:
        return next(n for n in self.nodes if n.name == name)

    def start(self) -> None:
        for node in self.nodes:
            node.start()

    def wait_healthy(self, names: list[str] | None = None, timeout: float = 90) -> None:
        """Until each node's monitor says it and its JetStream are up and current (``/healthz``)."""
        for node in self.nodes if names is None else [self.node(n) for n in names]:
            assert node.process is not None
            wait_for_answer(f"http://127.0.0.1:{node.monitor_port}/healthz", node.process, timeout)

    async def connect(self) -> NatsClient:
        """The operators' connection to every node; it rides over a node's death, which is expected."""

        async def expected(error: Exception) -> None:
            pass

        user, secret = self.operator
        return await nats.connect(
            self.urls,
            user=user,
            password=secret,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.2,
            error_cb=expected,
        )

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def nats_cluster(values: Manifest, store: Secrets, work: Path) -> NatsCluster:
    """One nats-server per replica of the chart, each on its own ports and data directory, with the
    container's environment from the values (its Secrets) and the pod's name."""
    config = values["config"]
    env: dict[str, str] = {}
    for name, item in values.get("container", {}).get("env", {}).items():
        ref = item.get("valueFrom", {}).get("secretKeyRef") if isinstance(item, dict) else None
        env[name] = (store.key(ref["name"], ref["key"]) or "") if ref else str(item)
    nodes = []
    for i in range(int(config["cluster"]["replicas"])):
        data = work / f"{NATS_RELEASE}-{i}"
        data.mkdir(parents=True, exist_ok=True)
        nodes.append(
            NatsNode(
                name=f"{NATS_RELEASE}-{i}",
                argv=[_binary("nats-server"), "-c", str(data / "nats.conf")],
                port=free_port(),
                log_path=data / "nats.log",
                env={**env, "POD_NAME": f"{NATS_RELEASE}-{i}"},
                route_port=free_port(),
                monitor_port=free_port(),
            )
        )
    for i, node in enumerate(nodes):
        conf = Path(node.argv[-1])
        conf.write_text(server_config(values, i, nodes, conf.parent))
        conf.chmod(0o600)
    users = config.get("merge", {}).get("authorization", {}).get("users", [])
    operator = next((u for u in users if "permissions" not in u), None)
    if operator is None:
        raise NotOnThisMachine("the NATS values have no user without limits for the operators")
    variable = re.sub(r"<< \$(\w+) >>", r"\1", str(operator["password"]))
    return NatsCluster(nodes, (str(operator["user"]), env.get(variable, variable)))
