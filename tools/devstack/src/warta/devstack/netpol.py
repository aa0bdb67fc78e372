"""What a set of NetworkPolicies (``networking.k8s.io/v1``) allows, evaluated offline, so the
manifests' network can be checked against a table of flows without a cluster or a network plugin.

The meaning is the API's: a pod is isolated for ingress (egress) only while some policy selecting
it has that policy type, and then accepts (sends) only what the union of those policies' rules
allows; a flow happens only if the source's egress AND the destination's ingress allow it. A rule
matches when one of its peers matches (an empty or missing list matches everything) and one of its
ports does (likewise); a peer's ``namespaceSelector`` and ``podSelector`` together mean both;
namespaces are matched by their labels, ``kubernetes.io/metadata.name`` among them; a named port is
looked up in the destination pod's container ports; ``endPort`` closes a range.

Left out, as the plugins differ or the cluster decides: pods have no IP here, so an ``ipBlock``
matches only an :class:`Address` outside the cluster; a Service's address is taken as already
translated to its pod (the plugins see the pod); traffic from a node to its own pods (kubelet
probes) and pods on the host network, which policies do not cover.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from ipaddress import ip_address, ip_network
from typing import Any

NAMESPACE_NAME = "kubernetes.io/metadata.name"
Policy = Mapping[str, Any]


@dataclass(frozen=True)
class Port:
    """A container port of a pod."""

    number: int
    name: str | None = None
    protocol: str = "TCP"


@dataclass(frozen=True)
class Pod:
    """A pod, by the labels policies select it with and the ports named ports resolve to."""

    namespace: str
    name: str
    labels: Mapping[str, str] = field(default_factory=dict, compare=False)
    ports: tuple[Port, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Address:
    """An address outside the cluster: only ``ipBlock`` peers match it."""

    name: str
    ip: str

    def __str__(self) -> str:
        return f"{self.name} ({self.ip})"


Endpoint = Pod | Address


@dataclass(frozen=True)
class Flow:
    """A connection opened from ``source`` to ``destination`` on ``port``."""

    source: Endpoint
    destination: Endpoint
    port: int
    protocol: str = "TCP"

    def __str__(self) -> str:
        return f"{self.source} -> {self.destination} {self.port}/{self.protocol}"


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A label selector: every ``matchLabels`` pair and every ``matchExpressions`` requirement."""
    if any(labels.get(key) != value for key, value in (selector.get("matchLabels") or {}).items()):
        return False
    for requirement in selector.get("matchExpressions") or []:
        key, operator, values = requirement["key"], requirement["operator"], requirement.get("values") or []
        if operator == "In":
            met = key in labels and labels[key] in values
        elif operator == "NotIn":
            met = key not in labels or labels[key] not in values
        elif operator == "Exists":
            met = key in labels
        elif operator == "DoesNotExist":
            met = key not in labels
        else:
            raise ValueError(f"unknown selector operator {operator!r}")
        if not met:
            return False
    return True


def policy_types(policy: Policy) -> frozenset[str]:
    """``policyTypes``, or as the API defaults it: Ingress, and Egress if there are egress rules."""
    spec = policy["spec"]
    if spec.get("policyTypes"):
        return frozenset(spec["policyTypes"])
    return frozenset({"Ingress", *(("Egress",) if spec.get("egress") else ())})


def namespace_of(policy: Policy) -> str:
    return str(policy.get("metadata", {}).get("namespace", "default"))


def name_of(policy: Policy) -> str:
    return str(policy.get("metadata", {}).get("name", "?"))


class Network:
    """The policies of a cluster and the labels of its namespaces (each has its name label)."""

    def __init__(self, policies: Iterable[Policy], namespaces: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.policies = [p for p in policies if p.get("kind", "NetworkPolicy") == "NetworkPolicy"]
        self.namespaces = dict(namespaces or {})

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        return {**self.namespaces.get(namespace, {}), NAMESPACE_NAME: namespace}

    def allows(self, flow: Flow) -> bool:
        return self.egress_allows(flow) and self.ingress_allows(flow)

    def egress_allows(self, flow: Flow) -> bool:
        return self._allows(flow, "Egress", flow.source)

    def ingress_allows(self, flow: Flow) -> bool:
        return self._allows(flow, "Ingress", flow.destination)

    def isolating(self, pod: Endpoint, direction: str) -> list[Policy]:
        """The policies that select ``pod`` with this policy type."""
        if not isinstance(pod, Pod):
            return []
        return [
            p
            for p in self.policies
            if namespace_of(p) == pod.namespace
            and selector_matches(p["spec"].get("podSelector") or {}, pod.labels)
            and direction in policy_types(p)
        ]

    def explain(self, flow: Flow) -> str:
        """Which policies let each side through, or isolate it without a rule that matches."""
        parts = []
        for direction, pod in (("egress", flow.source), ("ingress", flow.destination)):
            policies = self.isolating(pod, direction.capitalize())
            if not policies:
                parts.append(f"{direction}: not isolated")
                continue
            allowing = [name_of(p) for p in policies if self._policy_allows(p, flow, direction.capitalize())]
            names = ", ".join(allowing or [name_of(p) for p in policies])
            parts.append(f"{direction}: {'allowed' if allowing else 'denied'} by {names}")
        return f"{flow}: " + "; ".join(parts)

    def _allows(self, flow: Flow, direction: str, pod: Endpoint) -> bool:
        policies = self.isolating(pod, direction)
        return not policies or any(self._policy_allows(p, flow, direction) for p in policies)

    def _policy_allows(self, policy: Policy, flow: Flow, direction: str) -> bool:
        key, peers_key, peer = (
            ("ingress", "from", flow.source) if direction == "Ingress" else ("egress", "to", flow.destination)
        )
        return any(
            self._peers_match(rule.get(peers_key), peer, namespace_of(policy)) and _ports_match(rule.get("ports"), flow)
            for rule in policy["spec"].get(key) or []
        )

    def _peers_match(self, peers: Sequence[Mapping[str, Any]] | None, endpoint: Endpoint, namespace: str) -> bool:
        return not peers or any(self._peer_matches(peer, endpoint, namespace) for peer in peers)

    def _peer_matches(self, peer: Mapping[str, Any], endpoint: Endpoint, namespace: str) -> bool:
        if "ipBlock" in peer:
            if "podSelector" in peer or "namespaceSelector" in peer:
                raise ValueError(f"an ipBlock peer has no selectors: {peer}")
            return isinstance(endpoint, Address) and _in_block(peer["ipBlock"], endpoint.ip)
        if "podSelector" not in peer and "namespaceSelector" not in peer:
            raise ValueError(f"a peer names pods, namespaces or an ipBlock: {peer}")
        if not isinstance(endpoint, Pod):
            return False
        if "namespaceSelector" in peer:
            in_scope = selector_matches(peer["namespaceSelector"] or {}, self.namespace_labels(endpoint.namespace))
        else:
            in_scope = endpoint.namespace == namespace  # a podSelector alone: the policy's own namespace
        return in_scope and selector_matches(peer.get("podSelector") or {}, endpoint.labels)


def _in_block(block: Mapping[str, Any], ip: str) -> bool:
    address = ip_address(ip)
    return address in ip_network(block["cidr"]) and not any(
        address in ip_network(excepted) for excepted in block.get("except") or []
    )


def _ports_match(ports: Sequence[Mapping[str, Any]] | None, flow: Flow) -> bool:
    return not ports or any(_port_matches(entry, flow) for entry in ports)


def _port_matches(entry: Mapping[str, Any], flow: Flow) -> bool:
    protocol = entry.get("protocol", "TCP")
    if protocol != flow.protocol:
        return False
    port = entry.get("port")
    if port is None:
        return True  # every port of the protocol
    if isinstance(port, str):
        # A named port means the destination's container port of that name and protocol.
        destination = flow.destination
        return isinstance(destination, Pod) and any(
            p.name == port and p.protocol == protocol and p.number == flow.port for p in destination.ports
        )
    return int(port) <= flow.port <= int(entry.get("endPort", port))


@dataclass(frozen=True)
class Narrowing:
    """The policies with one allowance taken away: a rule, a peer of a rule, or a port of a rule."""

    what: str
    policies: list[dict[str, Any]]


def narrowings(policies: Sequence[Policy]) -> Iterator[Narrowing]:
    """Each way of taking one allowance away without widening anything else: every rule; every peer
    and every port of a rule that has more than one (removing the last would make the list empty,
    which matches everything). A policy that relies on the default ``policyTypes`` has them written
    out first, so removing its last egress rule does not end its egress isolation."""
    for index, policy in enumerate(policies):
        for key, peers_key in (("ingress", "from"), ("egress", "to")):
            for r, rule in enumerate(policy["spec"].get(key) or []):
                where = f"{name_of(policy)} {key}[{r}]"
                yield Narrowing(where, _edited(policies, index, key, lambda rules, r=r: rules.pop(r)))
                for list_key in (peers_key, "ports"):
                    entries = rule.get(list_key) or []
                    if len(entries) < 2:
                        continue
                    for e, entry in enumerate(entries):
                        yield Narrowing(
                            f"{where}.{list_key}[{e}] {entry}",
                            _edited(policies, index, key, lambda rules, r=r, k=list_key, e=e: rules[r][k].pop(e)),
                        )


def _edited(policies: Sequence[Policy], index: int, key: str, edit: Any) -> list[dict[str, Any]]:
    copied: list[dict[str, Any]] = [deepcopy(dict(p)) for p in policies]
    spec = copied[index]["spec"]
    spec["policyTypes"] = sorted(policy_types(copied[index]))
    edit(spec[key])
    return copied
