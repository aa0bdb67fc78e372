"""Warta's network, flow by flow, in each overlay as kustomize builds it.

The matrix: ``required`` lists every connection the system needs, and why; ``forbidden`` names
connections that must never open; every other connection between the pods and addresses of the
model is forbidden as well, and checked. The overlay's NetworkPolicies are evaluated with
NetworkPolicy's meaning (``warta.devstack.netpol``: selectors, namespaces by their name label, named
ports, both sides of a flow), and each allow rule is shown to be needed: taking any one rule, peer
or port away breaks a required flow.

The pods: each Deployment as built (labels and container ports), the NATS servers as the chart
``nats/nats`` labels them with ``deploy/nats/values.yaml``, the replica set's members as the MongoDB
Community operator labels them (``app: <resource>-svc``), cert-manager's HTTP-01 solver for the
Ingress's certificate, a stray pod in Warta's namespace, and the pods the cluster runs around Warta
in their own namespaces. Metrics ports are what the ServiceMonitors (through their Services) and the
chart's PodMonitor scrape; the ingress controller's are the Ingress's backends. Pods have no IP:
addresses outside the cluster are the internet and the city's network (where the Kubernetes API is,
at one of them).
"""

from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from warta.devstack import kubernetes
from warta.devstack.netpol import Address, Flow, Network, Pod, Port, narrowings, selector_matches
from warta.runtime.registry import REGISTRY, called_by

OVERLAYS = ("dev", "prod")
NATS_RELEASE = "nats"  # helm upgrade --install nats nats/nats (docs/operations.md)

INTERNET = Address("the internet", "203.0.113.10")
# The Kubernetes API is on the city's private network, at an address this repository cannot know.
KUBERNETES_API = tuple(Address(f"the Kubernetes API at {ip}", ip) for ip in ("10.0.0.1", "172.16.0.1", "192.168.0.1"))
ADDRESSES = (INTERNET, *KUBERNETES_API)
PROBED = (*((p, "TCP") for p in (22, 25, 53, 80, 443, 587, 4222, 6443, 8080, 27017)), (53, "UDP"))

AROUND = {  # the cluster's own pods, in their namespaces
    "monitoring/prometheus": ({"app.kubernetes.io/name": "prometheus"}, (Port(9090, "web"),)),
    "monitoring/opentelemetry-collector": (
        {"app.kubernetes.io/name": "opentelemetry-collector"},
        (Port(4317, "otlp"), Port(4318, "otlp-http")),
    ),
    "ingress-nginx/controller": (
        {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"},
        (Port(80, "http"), Port(443, "https"), Port(8443, "webhook")),
    ),
    "keda/keda-operator": ({"app": "keda-operator"}, (Port(8080, "metrics"), Port(9666, "metricsservice"))),
    "kube-system/coredns": (
        {"k8s-app": "kube-dns"},
        (Port(53, "dns", "UDP"), Port(53, "dns-tcp"), Port(9153, "metrics")),
    ),
    "kube-system/node-local-dns": ({"k8s-app": "node-local-dns"}, (Port(53, "dns", "UDP"), Port(53, "dns-tcp"))),
    "default/app": ({"app": "app"}, (Port(8080, "http"),)),
    "default/lookalike-dns": ({"k8s-app": "kube-dns"}, (Port(53, "dns", "UDP"), Port(53, "dns-tcp"))),
}


@dataclass(frozen=True)
class Model:
    namespace: str
    pods: dict[str, Pod]
    policies: list[dict[str, Any]]
    scraped: dict[str, tuple[int, ...]]  # pod -> the ports Prometheus scrapes (ServiceMonitors, PodMonitors)
    exposed: dict[str, tuple[int, ...]]  # pod -> the ports the Ingress sends to

    def endpoint(self, key: str) -> Pod | Address:
        return next((a for a in ADDRESSES if a.name == key), None) or self.pods[key]

    def port(self, destination: str, port: int | str, protocol: str = "TCP") -> int:
        """A port by number, or the destination container's port of that name."""
        if isinstance(port, int):
            return port
        pod = self.pods[destination]
        (number,) = {p.number for p in pod.ports if p.name == port and p.protocol == protocol}
        return number

    def flow(self, source: str, destination: str, port: int | str, protocol: str = "TCP") -> Flow:
        return Flow(self.endpoint(source), self.endpoint(destination), self.port(destination, port, protocol), protocol)


def of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def model(objects: list[dict[str, Any]], nats_values: dict[str, Any]) -> Model:
    """The pods and policies of Warta's namespace, from the built objects and the chart's values."""
    deployments = of_kind(objects, "Deployment")
    namespace = deployments[0]["metadata"].get("namespace", "default")
    pods = {
        d["metadata"]["name"]: Pod(
            namespace,
            d["metadata"]["name"],
            d["spec"]["template"]["metadata"]["labels"],
            tuple(p for c in d["spec"]["template"]["spec"]["containers"] for p in _ports(c)),
        )
        for d in deployments
    }
    config = nats_values["config"]
    exporter = nats_values.get("promExporter", {})
    nats_ports = [Port(4222, "nats")]
    nats_ports += [Port(6222, "cluster")] if config.get("cluster", {}).get("enabled") else []
    nats_ports += [Port(8222, "monitor")] if config.get("monitor", {}).get("enabled", True) else []
    nats_ports += [Port(exporter.get("port", 7777), "prom-metrics")] if exporter.get("enabled") else []
    pods["nats"] = Pod(
        namespace,
        "nats",
        {
            "app.kubernetes.io/name": "nats",
            "app.kubernetes.io/instance": NATS_RELEASE,
            "app.kubernetes.io/component": "nats",
        },
        tuple(nats_ports),
    )
    (replica_set,) = of_kind(objects, "MongoDBCommunity")
    prometheus = replica_set["spec"].get("prometheus")
    mongodb_ports = [Port(27017, "mongodb")]
    mongodb_ports += [Port(prometheus.get("port", 9216), "prometheus")] if prometheus else []
    pods["mongodb"] = Pod(namespace, "mongodb", {"app": f"{replica_set['metadata']['name']}-svc"}, tuple(mongodb_ports))
    pods["debug"] = Pod(namespace, "debug", {"run": "debug"}, (Port(8080, "http"),))
    # cert-manager's HTTP-01 solver for the Ingress's certificate, as cert-manager labels it.
    solver = {"acme.cert-manager.io/http01-solver": "true", "acme.cert-manager.io/http-domain": "1"}
    pods["acme-solver"] = Pod(namespace, "acme-solver", solver, (Port(8089, "http"),))
    for key, (labels, ports) in AROUND.items():
        pod_namespace, name = key.split("/")
        pods[key] = Pod(pod_namespace, name, labels, ports)
    scraped = _scraped(objects, pods)
    if exporter.get("enabled") and exporter.get("podMonitor", {}).get("enabled"):
        scraped["nats"] = (*scraped.get("nats", ()), exporter.get("port", 7777))
    if prometheus:
        scraped["mongodb"] = (prometheus.get("port", 9216),)
    policies = of_kind(objects, "NetworkPolicy")
    for policy in policies:
        policy["metadata"].setdefault("namespace", namespace)
    return Model(namespace, pods, policies, scraped, _exposed(objects, pods))


def _ports(container: dict[str, Any]) -> tuple[Port, ...]:
    return tuple(Port(p["containerPort"], p.get("name"), p.get("protocol", "TCP")) for p in container.get("ports", []))


def _backends(
    objects: list[dict[str, Any]], service_name: str, port: str | int, pods: dict[str, Pod]
) -> Iterator[tuple[str, int]]:
    """The pods and pod ports behind a Service's port (by name or number), as the endpoints have them."""
    for service in of_kind(objects, "Service"):
        if service["metadata"]["name"] != service_name:
            continue
        for service_port in service["spec"]["ports"]:
            if port not in (service_port.get("name"), service_port["port"]):
                continue
            target = service_port.get("targetPort", service_port["port"])
            for key, pod in pods.items():
                if pod.namespace == service["metadata"].get("namespace", pod.namespace) and selector_matches(
                    {"matchLabels": service["spec"]["selector"]}, pod.labels
                ):
                    numbers = [p.number for p in pod.ports if target in (p.name, p.number)]
                    yield key, numbers[0] if numbers else int(target)


def _scraped(objects: list[dict[str, Any]], pods: dict[str, Pod]) -> dict[str, tuple[int, ...]]:
    scraped: dict[str, tuple[int, ...]] = {}
    for monitor in of_kind(objects, "ServiceMonitor"):
        for service in of_kind(objects, "Service"):
            if not selector_matches(monitor["spec"]["selector"], service["metadata"].get("labels", {})):
                continue
            for endpoint in monitor["spec"]["endpoints"]:
                port = endpoint.get("port", endpoint.get("targetPort"))
                for key, number in _backends(objects, service["metadata"]["name"], port, pods):
                    scraped[key] = tuple(sorted({*scraped.get(key, ()), number}))
    return scraped


def _exposed(objects: list[dict[str, Any]], pods: dict[str, Pod]) -> dict[str, tuple[int, ...]]:
    """The pod ports the ingress controller reaches: the Ingress's backends, which must include the
    console's and the publisher's port `http` (the officers' pages and the media's opt-out links)."""
    backends = [("console", "http"), ("publisher", "http")]
    for ingress in of_kind(objects, "Ingress"):
        paths = [p for rule in ingress["spec"].get("rules", []) for p in rule.get("http", {}).get("paths", [])]
        default = ingress["spec"].get("defaultBackend")
        for backend in [p["backend"] for p in paths] + ([default] if default else []):
            port = backend["service"]["port"]
            backends.append((backend["service"]["name"], port.get("name", port.get("number"))))
    exposed: dict[str, tuple[int, ...]] = {}
    for service, port in backends:
        for key, number in _backends(objects, service, port, pods):
            exposed[key] = tuple(sorted({*exposed.get(key, ()), number}))
    return exposed


def services() -> list[str]:
    return list(REGISTRY)


def required(m: Model) -> dict[Flow, str]:
    """Every connection Warta needs, and why."""
    flows: dict[Flow, str] = {}

    def need(source: str, destination: str, port: int | str, protocol: str, why: str) -> None:
        flows[m.flow(source, destination, port, protocol)] = why

    need("nats", "nats", "cluster", "TCP", "NATS routes between the three servers (the JetStream cluster)")
    need("mongodb", "mongodb", "mongodb", "TCP", "replication between the replica set's members")
    need("keda/keda-operator", "nats", "monitor", "TCP", "KEDA reads the consumers' lag from NATS monitoring")
    need("ingress-nginx/controller", "acme-solver", "http", "TCP", "the public certificate's HTTP-01 challenge")
    for api in KUBERNETES_API:
        for port in (443, 6443):  # a managed control plane's port, and kubeadm's
            why = "the operator's readiness probe in each member reads its automation config and marks its pod"
            need("mongodb", api.name, port, "TCP", why)
    for pod in (*services(), "nats", "mongodb"):
        for protocol in ("UDP", "TCP"):
            need(pod, "kube-system/coredns", 53, protocol, "names: services, routes, members, the outside")
    for name in services():
        if REGISTRY[name].uses_bus:
            need(name, "nats", "nats", "TCP", "the service's NATS user: its events in and out")
            need(name, "mongodb", "mongodb", "TCP", "the service's own database")
        for callee in called_by(name):
            need(name, callee, "http", "TCP", f"{name} calls {callee}'s API (services.toml called_by)")
        why = "the service's traces, by OTLP over HTTP (WARTA_OTLP_ENDPOINT)"
        need(name, "monitoring/opentelemetry-collector", "otlp-http", "TCP", why)
        for what, port in REGISTRY[name].reaches:
            need(name, INTERNET.name, port, "TCP", f"{what} (services.toml reaches)")
    for pod, ports in m.scraped.items():
        for port in ports:
            need("monitoring/prometheus", pod, port, "TCP", "Prometheus scrapes the metrics")
    for pod, ports in m.exposed.items():
        for port in ports:
            need("ingress-nginx/controller", pod, port, "TCP", "the Ingress's backend")
    return flows


def forbidden(m: Model) -> dict[Flow, str]:
    """Connections that must never open, named (every other one not required is denied too)."""
    flows: dict[Flow, str] = {}

    def deny(source: str, destination: str, port: int | str, protocol: str, why: str) -> None:
        flows[m.flow(source, destination, port, protocol)] = why

    deny("console", "nats", "nats", "TCP", "the console has no bus user")
    deny("console", "mongodb", "mongodb", "TCP", "the console has no database")
    deny("nats", "mongodb", "mongodb", "TCP", "the bus never reaches the database")
    deny("mongodb", "nats", "nats", "TCP", "the database never reaches the bus")
    deny("nats", INTERNET.name, 443, "TCP", "the bus never reaches outside")
    deny("mongodb", INTERNET.name, 443, "TCP", "the database never reaches outside (only the city's network)")
    deny("intake", "nats", "cluster", "TCP", "services are NATS clients, not routes")
    deny("intake", INTERNET.name, 587, "TCP", "only the publisher and the notifier send mail")
    deny("intake", KUBERNETES_API[0].name, 6443, "TCP", "no service talks to the Kubernetes API")
    deny("intake", KUBERNETES_API[2].name, 443, "TCP", "the city's network is not the outside a service reaches")
    deny("intake", "kube-system/coredns", "metrics", "TCP", "DNS, not the DNS server's other ports")
    deny("intake", "kube-system/node-local-dns", 53, "UDP", "DNS is kube-system's kube-dns pods only")
    deny("intake", "default/lookalike-dns", 53, "UDP", "a pod labelled like DNS in another namespace is not DNS")
    deny("keda/keda-operator", "nats", "nats", "TCP", "KEDA reads monitoring only")
    deny("keda/keda-operator", "nats", "cluster", "TCP", "KEDA reads monitoring only")
    deny("keda/keda-operator", "intake", "http", "TCP", "KEDA reads NATS only")
    deny("monitoring/prometheus", "nats", "nats", "TCP", "Prometheus scrapes, it is no client")
    deny("monitoring/prometheus", "mongodb", "mongodb", "TCP", "Prometheus scrapes, it is no client")
    deny("ingress-nginx/controller", "nats", "nats", "TCP", "the bus is not public")
    deny("ingress-nginx/controller", "mongodb", "mongodb", "TCP", "the database is not public")
    deny(INTERNET.name, "console", "http", "TCP", "the outside reaches the console through the ingress controller")
    deny(INTERNET.name, "acme-solver", "http", "TCP", "the challenge too comes through the ingress controller")
    deny("default/app", "acme-solver", "http", "TCP", "the challenge is the ingress controller's to fetch")
    for name in services():
        deny("default/app", name, "http", "TCP", "no other namespace's pods reach Warta")
        deny("debug", name, "http", "TCP", "a stray pod in Warta's namespace reaches nothing")
        deny(name, "debug", "http", "TCP", "a stray pod in Warta's namespace is reached by nothing")
        if name not in m.exposed:
            deny("ingress-nginx/controller", name, "http", "TCP", "not behind the Ingress: inside the cluster only")
        for caller in services():
            if caller != name and caller not in REGISTRY[name].called_by:
                deny(caller, name, "http", "TCP", f"{caller} does not call {name} (services.toml called_by)")
    for pod, ports in m.scraped.items():
        for port in set(ports) - set(m.exposed.get(pod, ())):
            if pod in m.exposed:  # a separate metrics port is never public
                deny("ingress-nginx/controller", pod, port, "TCP", "metrics are for Prometheus, not the Ingress")
    for key in ("default/app", "debug"):
        deny(key, "nats", "nats", "TCP", "only Warta's services are NATS clients")
        deny(key, "mongodb", "mongodb", "TCP", "only Warta's services use the database")
    return flows


def universe(m: Model) -> set[Flow]:
    """Every connection between the model's endpoints that has Warta's namespace at one end."""
    endpoints: list[Pod | Address] = [*m.pods.values(), *ADDRESSES]
    flows = set()
    for source in endpoints:
        for destination in endpoints:
            if not any(isinstance(e, Pod) and e.namespace == m.namespace for e in (source, destination)):
                continue
            ports = (
                [(p.number, p.protocol) for p in destination.ports] if isinstance(destination, Pod) else list(PROBED)
            )
            flows |= {Flow(source, destination, port, protocol) for port, protocol in ports}
    return flows


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> tuple[str, Model]:
    values = yaml.safe_load(Path(kubernetes.NATS_VALUES).read_text())
    return request.param, model(kubernetes.built(request.param), values)


def test_every_required_flow_is_allowed(overlay):
    name, m = overlay
    network = Network(m.policies)
    denied = [f"{network.explain(flow)}  [{why}]" for flow, why in required(m).items() if not network.allows(flow)]
    assert not denied, "\n".join(denied)
    print(f"checked: {name}: {len(required(m))} required flows allowed")


def test_every_forbidden_flow_is_denied(overlay):
    name, m = overlay
    network = Network(m.policies)
    must, mustnt = required(m), forbidden(m)
    assert not set(must) & set(mustnt), "a flow is both required and forbidden"
    allowed = [f"{network.explain(flow)}  [{why}]" for flow, why in mustnt.items() if network.allows(flow)]
    assert not allowed, "\n".join(allowed)
    print(f"checked: {name}: {len(mustnt)} named forbidden flows denied")


def extra(m: Model, policies: list[dict[str, Any]]) -> list[str]:
    """The connections of the model the policies allow and the matrix does not require."""
    network, must = Network(policies), required(m)
    return sorted(network.explain(flow) for flow in universe(m) - set(must) if network.allows(flow))


def idle(m: Model, policies: list[dict[str, Any]]) -> list[str]:
    """The rules, peers and ports whose removal leaves every required flow the policies allow allowed."""
    carried = [flow for flow in required(m) if Network(policies).allows(flow)]
    return [n.what for n in narrowings(policies) if all(Network(n.policies).allows(flow) for flow in carried)]


def test_nothing_else_is_allowed(overlay):
    """Every connection between the model's pods and addresses that is not required is denied."""
    name, m = overlay
    everything, must = universe(m), required(m)
    assert set(must) <= everything, set(must) - everything
    assert not (found := extra(m, m.policies)), "allowed but not required:\n" + "\n".join(found)
    print(f"checked: {name}: {len(everything) - len(must)} other flows denied, of {len(everything)}")


def test_taking_away_any_one_allow_rule_breaks_a_required_flow(overlay):
    """Each rule of each policy (and each peer and port of a rule with several) carries at least one
    required flow: none is redundant, so none can be wider than the flows it is there for."""
    name, m = overlay
    count = sum(1 for _ in narrowings(m.policies))
    assert count > len(m.policies)
    assert not (found := idle(m, m.policies)), "taking these away breaks no required flow:\n" + "\n".join(found)
    print(f"checked: {name}: each of {count} rules, peers and ports carries a required flow")


def test_the_checks_catch_a_redundant_rule_a_wider_peer_and_a_missing_rule(overlay):
    _, m = overlay
    policies = {p["metadata"]["name"]: p for p in m.policies}
    intake_egress = policies["intake"]["spec"]["egress"]
    twice = deepcopy(m.policies)
    next(p for p in twice if p["metadata"]["name"] == "intake")["spec"]["egress"].append(deepcopy(intake_egress[1]))
    assert {w.split(" {")[0] for w in idle(m, twice)} == {"intake egress[1]", f"intake egress[{len(intake_egress)}]"}
    wider = deepcopy(m.policies)
    dns_peer = next(p for p in wider if p["metadata"]["name"] == "intake")["spec"]["egress"][0]["to"][0]
    del dns_peer["podSelector"]  # every pod of kube-system, not its DNS
    assert any("intake -> kube-system/node-local-dns 53/UDP" in line for line in extra(m, wider))
    without_routes = [p for p in deepcopy(m.policies) if p["metadata"]["name"] != "nats"]
    assert not Network(without_routes).allows(m.flow("nats", "nats", "cluster"))
