"""Where each address of the cluster is on this machine, and the Ingress as a small local proxy."""

import contextlib
import http.client
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from .credentials import WHATSAPP_GATEWAY
from .manifests import Cluster, NotOnThisMachine

# The NATS Helm release (docs/operations.md: helm upgrade --install nats): its client Service is
# ``nats``, its pods ``nats-<i>`` behind the headless Service ``nats-headless``.
NATS_RELEASE = "nats"
DEFAULT_PORTS = {"http": 80, "https": 443, "nats": 4222, "mongodb": 27017}
LISTENING = {"", "0.0.0.0", "::"}  # a host setting that says where the pod listens, not whom it reaches
URL = re.compile(
    r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<user>[^@/?#]*@)?(?P<hosts>[^/?#]*)(?P<path>[^?#]*)"
    r"(?:\?(?P<query>[^#]*))?(?P<rest>#.*)?$"
)
# A setting naming something outside the cluster, and what stands in for it here.
OUTSIDE = {
    "WARTA_AUTH_ISSUER": "issuer",
    "WARTA_OIDC_ISSUER": "issuer",
    "WARTA_AUTH_JWKS_URL": "jwks",
    "WARTA_WORDPRESS_URL": "website",
    "WARTA_PUBLIC_URL": "public",
    "WARTA_CONSOLE_URL": "public",
    "WARTA_OTLP_ENDPOINT": "collector",
}


@dataclass
class AddressBook:
    """Where each address of the cluster is here: a Service by name and port, the NATS release,
    the database members, the hosts outside. Any other address is refused, so a wrong port or a
    name nothing answers to fails at once instead of timing out later."""

    namespace: str
    urls: dict[tuple[str, str, int], list[tuple[str, list[str]]]] = field(default_factory=dict)
    hosts: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    replica_sets: dict[str, str] = field(default_factory=dict)

    def _host(self, host: str) -> str:
        host = host.lower()
        for suffix in (f".{self.namespace}.svc.cluster.local", f".{self.namespace}.svc", f".{self.namespace}"):
            host = host.removesuffix(suffix)
        return host

    def _split(self, hostport: str, scheme: str) -> tuple[str, int]:
        host, _, port = hostport.rpartition(":") if ":" in hostport else (hostport, "", "")
        return self._host(host), int(port) if port else DEFAULT_PORTS.get(scheme, 0)

    def add(self, there: str, *here: str) -> None:
        """``there`` (a URL; its path a prefix) is reached at ``here``: one URL, or several servers."""
        found = URL.match(there)
        assert found is not None, there
        routes = self.urls.setdefault((found["scheme"], *self._split(found["hosts"], found["scheme"])), [])
        routes.append((found["path"].rstrip("/"), list(here)))
        routes.sort(key=lambda route: -len(route[0]))

    def url(self, value: str, setting: str = "") -> str:
        """``value`` with every host in it moved here; a comma-separated list of URLs item by item."""
        return ",".join(self._url(part, setting) for part in re.split(r",(?=[a-z][a-z0-9+.-]*://)", value))

    def _url(self, value: str, setting: str) -> str:
        found = URL.match(value)
        if found is None:
            raise NotOnThisMachine(f"{setting}={value!r} is not an address")
        scheme, path = found["scheme"], found["path"]
        targets: list[str] = []
        for hostport in found["hosts"].split(","):
            routes = self.urls.get((scheme, *self._split(hostport, scheme)), [])
            route = next((r for r in routes if path == r[0] or path.startswith(r[0] + "/") or not r[0]), None)
            if route is None:
                raise NotOnThisMachine(f"{setting}: nothing here stands in for {scheme}://{hostport}{path}")
            targets += [t + path[len(route[0]) :] for t in route[1] if t + path[len(route[0]) :] not in targets]
        if len(targets) > 1 and "," not in found["hosts"]:
            return ",".join(targets)  # one Service in front of several servers: the client is given them all
        moved = [URL.match(t) for t in targets]
        netlocs = [m["hosts"] for m in moved if m]
        first = moved[0]
        assert first is not None
        query = self._query(found["query"], setting)
        return (
            f"{first['scheme']}://{found['user'] or ''}{','.join(netlocs)}{first['path']}"
            f"{'?' + query if query is not None else ''}{found['rest'] or ''}"
        )

    def _query(self, query: str | None, setting: str) -> str | None:
        if query is None:
            return None
        pairs = parse_qsl(query, keep_blank_values=True)
        for i, (key, value) in enumerate(pairs):
            if key == "replicaSet":
                if value not in self.replica_sets:
                    raise NotOnThisMachine(f"{setting}: no replica set {value!r} here")
                pairs[i] = (key, self.replica_sets[value])
        return urlencode(pairs, safe="/")

    def environment(self, env: Mapping[str, str], pod: str) -> dict[str, str]:
        """``env`` with every address in it moved here; nothing else changes. An address is a URL,
        or a ``<X>_HOST`` naming a peer (not where the pod listens) with its ``<X>_PORT``."""
        moved = dict(env)
        for name, value in env.items():
            port_name = name.removesuffix("_HOST") + "_PORT"
            if URL.match(value):
                moved[name] = self.url(value, f"{pod}: {name}")
            elif name.endswith("_HOST") and value not in LISTENING and port_name in env:
                found = self.hosts.get((self._host(value), int(env[port_name])))
                if found is None:
                    raise NotOnThisMachine(f"{pod}: {name}/{port_name}: nothing here stands in for {value}")
                moved[name], moved[port_name] = found[0], str(found[1])
        return moved


@dataclass(frozen=True)
class StandIns:
    """Where the servers and the stand-ins for the outside listen on this machine."""

    nats: list[str]  # every node's client URL
    nats_nodes: list[str]  # nats-0, nats-1, ... in the same order
    mongodb: str  # host:port
    mongodb_set: str  # the name the database gives its replica set
    issuer: str
    jwks: str
    smtp: tuple[str, int]
    website: str
    gateway: str
    collector: str  # the OpenTelemetry collector's OTLP/HTTP address
    ports: dict[str, dict[int, int]]  # deployment -> container port -> its port here
    ingress: dict[str, str]  # a host an Ingress serves -> the local proxy's URL


def address_book(cluster: Cluster, here: StandIns) -> AddressBook:
    """Every address the manifests can name, sent to its stand-in here."""
    book = AddressBook(cluster.namespace)
    for name, service in cluster.of_kind("Service").items():
        for port in service["spec"]["ports"]:
            deployment, container_port = cluster.service_target(name, port["port"])
            book.add(f"http://{name}:{port['port']}", f"http://127.0.0.1:{here.ports[deployment][container_port]}")
    book.add(f"nats://{NATS_RELEASE}:4222", *here.nats)
    for node, url in zip(here.nats_nodes, here.nats, strict=True):
        book.add(f"nats://{node}.{NATS_RELEASE}-headless:4222", url)
    resource = cluster.mongodb()
    name = resource["metadata"]["name"]
    for i in range(int(resource["spec"]["members"])):
        book.add(f"mongodb://{name}-{i}.{name}-svc:27017", f"mongodb://{here.mongodb}")
    book.replica_sets[name] = here.mongodb_set
    _outside(book, cluster, here)
    return book


def _outside(book: AddressBook, cluster: Cluster, here: StandIns) -> None:
    """The hosts outside, found by the settings that name them: the identity provider (its issuer
    and key set, at the dev provider's own paths: it is not the city's Keycloak), the website, the
    traces' collector, the public address (through the Ingress; without one, the console), the
    mail relay."""
    stand_in = {"issuer": here.issuer, "jwks": here.jwks, "website": here.website, "collector": here.collector}
    console = f"http://127.0.0.1:{here.ports['console'][cluster.container_port('console', 'http')]}"
    for name, value in cluster.literal_settings():
        kind, found = OUTSIDE.get(name), URL.match(value)
        if kind is None or found is None or found["hosts"].split(":")[0] in cluster.of_kind("Service"):
            continue
        if kind == "public":
            book.add(f"{found['scheme']}://{found['hosts']}", here.ingress.get(found["hosts"], console))
        else:
            book.add(value, stand_in[kind])
    book.add(WHATSAPP_GATEWAY, here.gateway)
    for deployment in cluster.deployments():
        relay, port = cluster.setting(deployment, "WARTA_SMTP_HOST"), cluster.setting(deployment, "WARTA_SMTP_PORT")
        if relay and port:
            book.hosts[(book._host(relay), int(port))] = here.smtp


# -- the Ingress ---------------------------------------------------------------------------------------------

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "content-length"}


@dataclass(frozen=True)
class IngressPath:
    path: str
    exact: bool  # pathType Exact; Prefix and ImplementationSpecific match by path elements
    deployment: str
    container_port: int

    def matches(self, path: str) -> bool:
        if self.exact:
            return path == self.path
        return self.path in ("", "/") or path == self.path or path.startswith(self.path.rstrip("/") + "/")


def ingress_routes(cluster: Cluster) -> dict[str, list[IngressPath]]:
    """Each host the Ingresses serve, with its paths, longest first, as the controller tries them."""
    routes: dict[str, list[IngressPath]] = {}
    for ingress in cluster.of_kind("Ingress").values():
        for rule in ingress["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                backend = path["backend"]["service"]
                port = backend["port"].get("number", backend["port"].get("name"))
                deployment, container_port = cluster.service_target(backend["name"], port)
                exact = path.get("pathType") == "Exact"
                routes.setdefault(rule["host"], []).append(
                    IngressPath(path.get("path", "/"), exact, deployment, container_port)
                )
    for paths in routes.values():
        paths.sort(key=lambda p: (-len(p.path), not p.exact))
    return routes


@contextlib.contextmanager
def ingress_proxy(paths: list[IngressPath], ports: dict[str, dict[int, int]]) -> Iterator[str]:
    """One host of an Ingress, as its controller serves it (without TLS): a request goes to the
    backend of the first of ``paths`` that matches it, at its local port. Yields the proxy's URL."""

    def backend(path: str) -> int | None:
        found = next((p for p in paths if p.matches(path)), None)
        return ports[found.deployment][found.container_port] if found else None

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _forward(self) -> None:
            port = backend(urlsplit(self.path).path)
            if port is None:
                self.send_error(404)
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["X-Forwarded-For"] = self.client_address[0]
            upstream = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
            except OSError:
                self.send_error(503)
                return
            finally:
                upstream.close()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
