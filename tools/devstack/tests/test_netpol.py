"""The NetworkPolicy evaluator on the examples of the Kubernetes documentation (the Network Policies
concept page and its example files; the label selector examples of Labels and Selectors), each
with flows the page says it allows and flows it denies."""

import pytest
import yaml

from warta.devstack.netpol import Address, Flow, Network, Pod, Port, narrowings, policy_types, selector_matches

NAMESPACES = {"default": {}, "myproject": {"project": "myproject"}, "elsewhere": {}}

DB = Pod("default", "db", {"role": "db"}, (Port(6379, "redis"),))
FRONTEND = Pod("default", "frontend", {"role": "frontend"})
BACKEND = Pod("default", "backend", {"role": "backend"})
IN_MYPROJECT = Pod("myproject", "anything", {"app": "x"})
FRONTEND_ELSEWHERE = Pod("elsewhere", "frontend", {"role": "frontend"})

# content/en/examples/service/networking/networkpolicy.yaml
TEST_NETWORK_POLICY = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: test-network-policy
  namespace: default
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except:
        - 172.17.1.0/24
    - namespaceSelector:
        matchLabels:
          project: myproject
    - podSelector:
        matchLabels:
          role: frontend
    ports:
    - protocol: TCP
      port: 6379
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/24
    ports:
    - protocol: TCP
      port: 5978
"""

DEFAULT_DENY_INGRESS = {
    "metadata": {"name": "default-deny-ingress"},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
}
ALLOW_ALL_INGRESS = {
    "metadata": {"name": "allow-all-ingress"},
    "spec": {"podSelector": {}, "ingress": [{}], "policyTypes": ["Ingress"]},
}
DEFAULT_DENY_EGRESS = {
    "metadata": {"name": "default-deny-egress"},
    "spec": {"podSelector": {}, "policyTypes": ["Egress"]},
}
ALLOW_ALL_EGRESS = {
    "metadata": {"name": "allow-all-egress"},
    "spec": {"podSelector": {}, "egress": [{}], "policyTypes": ["Egress"]},
}
DEFAULT_DENY_ALL = {
    "metadata": {"name": "default-deny-all"},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
}
# content/en/examples/service/networking/network-policy-allow-all-egress-deny-all-ingress.yaml
ALLOW_EGRESS_DENY_INGRESS = {
    "metadata": {"name": "allow-egress-deny-ingress"},
    "spec": {"podSelector": {}, "policyTypes": ["Egress", "Ingress"], "egress": [{}], "ingress": []},
}
# content/en/examples/service/networking/networkpolicy-multiport-egress.yaml
MULTI_PORT_EGRESS = {
    "metadata": {"name": "multi-port-egress", "namespace": "default"},
    "spec": {
        "podSelector": {"matchLabels": {"role": "db"}},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}],
                "ports": [{"protocol": "TCP", "port": 32000, "endPort": 32768}],
            }
        ],
    },
}


def network(*policies, namespaces=NAMESPACES):
    return Network([yaml.safe_load(p) if isinstance(p, str) else p for p in policies], namespaces)


def address(ip):
    return Address(ip, ip)


@pytest.mark.parametrize(
    ("flow", "allowed"),
    [
        # "any pod in the default namespace with the label role=frontend"
        (Flow(FRONTEND, DB, 6379), True),
        # "any pod in a namespace with the label project=myproject"
        (Flow(IN_MYPROJECT, DB, 6379), True),
        # "172.17.0.0 to 172.17.0.255 and 172.17.2.0 to 172.17.255.255 (all of 172.17.0.0/16 except 172.17.1.0/24)"
        (Flow(address("172.17.0.5"), DB, 6379), True),
        (Flow(address("172.17.2.0"), DB, 6379), True),
        (Flow(address("172.17.255.255"), DB, 6379), True),
        (Flow(address("172.17.1.5"), DB, 6379), False),
        (Flow(address("172.18.0.1"), DB, 6379), False),
        # only TCP 6379
        (Flow(FRONTEND, DB, 6380), False),
        (Flow(FRONTEND, DB, 6379, "UDP"), False),
        # a podSelector alone selects in the policy's namespace only
        (Flow(FRONTEND_ELSEWHERE, DB, 6379), False),
        (Flow(BACKEND, DB, 6379), False),
        # egress: "to CIDR 10.0.0.0/24 on TCP port 5978", and nothing else (db is isolated for egress)
        (Flow(DB, address("10.0.0.7"), 5978), True),
        (Flow(DB, address("10.0.1.7"), 5978), False),
        (Flow(DB, address("10.0.0.7"), 5979), False),
        (Flow(DB, FRONTEND, 80), False),
        (Flow(DB, address("10.0.0.10"), 53, "UDP"), False),
        # pods the policy does not select are not isolated
        (Flow(FRONTEND, BACKEND, 80), True),
        (Flow(BACKEND, address("8.8.8.8"), 53, "UDP"), True),
    ],
    ids=str,
)
def test_the_documented_test_network_policy_allows_what_the_page_says_and_nothing_else(flow, allowed):
    assert network(TEST_NETWORK_POLICY).allows(flow) is allowed


def test_a_flow_needs_the_sources_egress_and_the_destinations_ingress():
    """The page's db may accept the frontend on 6379, but a frontend isolated for egress cannot send."""
    cluster = network(
        TEST_NETWORK_POLICY, {**DEFAULT_DENY_EGRESS, "metadata": {"name": "deny", "namespace": "default"}}
    )
    flow = Flow(FRONTEND, DB, 6379)
    assert cluster.ingress_allows(flow)
    assert not cluster.egress_allows(flow)
    assert not cluster.allows(flow)
    assert "egress: denied by deny" in cluster.explain(flow)


def test_default_deny_ingress_isolates_every_pod_for_ingress_only():
    cluster = network(DEFAULT_DENY_INGRESS)
    assert not cluster.allows(Flow(FRONTEND, BACKEND, 80))
    assert not cluster.allows(Flow(IN_MYPROJECT, DB, 6379))  # from another namespace too
    assert cluster.allows(Flow(FRONTEND, IN_MYPROJECT, 80))  # the other namespace is not covered
    assert cluster.allows(Flow(FRONTEND, address("203.0.113.1"), 443))  # egress is unchanged


def test_allow_all_ingress_wins_over_default_deny_because_policies_add_up():
    cluster = network(DEFAULT_DENY_INGRESS, ALLOW_ALL_INGRESS)
    assert cluster.allows(Flow(FRONTEND, BACKEND, 80))
    assert cluster.allows(Flow(address("203.0.113.1"), DB, 6379))
    assert cluster.allows(Flow(FRONTEND, BACKEND, 53, "UDP"))


def test_default_deny_egress_isolates_every_pod_for_egress_only():
    cluster = network(DEFAULT_DENY_EGRESS)
    assert not cluster.allows(Flow(FRONTEND, BACKEND, 80))
    assert not cluster.allows(Flow(FRONTEND, address("10.96.0.10"), 53, "UDP"))
    assert cluster.allows(Flow(IN_MYPROJECT, FRONTEND, 80))  # ingress is unchanged


def test_allow_all_egress_wins_over_default_deny_egress():
    cluster = network(DEFAULT_DENY_EGRESS, ALLOW_ALL_EGRESS)
    assert cluster.allows(Flow(FRONTEND, address("203.0.113.1"), 443))
    assert cluster.allows(Flow(FRONTEND, BACKEND, 80))


def test_default_deny_all_denies_both_directions():
    cluster = network(DEFAULT_DENY_ALL)
    assert not cluster.allows(Flow(FRONTEND, BACKEND, 80))
    assert not cluster.allows(Flow(FRONTEND, IN_MYPROJECT, 80))  # egress of default
    assert not cluster.allows(Flow(IN_MYPROJECT, FRONTEND, 80))  # ingress of default
    assert cluster.allows(Flow(IN_MYPROJECT, FRONTEND_ELSEWHERE, 80))


def test_the_documented_allow_egress_deny_ingress():
    cluster = network(ALLOW_EGRESS_DENY_INGRESS)
    assert cluster.allows(Flow(FRONTEND, IN_MYPROJECT, 80))
    assert cluster.allows(Flow(FRONTEND, address("203.0.113.1"), 443))
    assert not cluster.allows(Flow(IN_MYPROJECT, FRONTEND, 80))
    assert not cluster.allows(Flow(FRONTEND, BACKEND, 80))  # backend's ingress is denied


@pytest.mark.parametrize(
    ("port", "protocol", "allowed"),
    [
        (32000, "TCP", True),
        (32500, "TCP", True),
        (32768, "TCP", True),
        (31999, "TCP", False),
        (32769, "TCP", False),
        (32000, "UDP", False),
    ],
)
def test_the_documented_port_range_includes_both_ends(port, protocol, allowed):
    assert network(MULTI_PORT_EGRESS).allows(Flow(DB, address("10.0.0.1"), port, protocol)) is allowed


@pytest.mark.parametrize(
    ("source", "and_allowed", "or_allowed"),
    [
        (Pod("alice", "client", {"role": "client"}), True, True),
        (Pod("alice", "server", {"role": "server"}), False, True),
        (Pod("bob", "client", {"role": "client"}), False, False),
        (Pod("default", "client", {"role": "client"}), False, True),
        (Pod("default", "server", {"role": "server"}), False, False),
    ],
    ids=str,
)
def test_one_peer_with_both_selectors_is_and_two_peers_are_or(source, and_allowed, or_allowed):
    """The page's two `from` lists: one element with namespaceSelector and podSelector (pods labelled
    role=client in namespaces labelled user=alice), and two elements (local role=client pods, or any
    pod of a user=alice namespace)."""
    namespaces = {"alice": {"user": "alice"}, "bob": {"user": "bob"}, "default": {}}
    alice, client = {"matchLabels": {"user": "alice"}}, {"matchLabels": {"role": "client"}}
    target = Pod("default", "target", {"app": "target"})

    def policy(peers):
        return {"metadata": {"name": "p"}, "spec": {"podSelector": {}, "ingress": [{"from": peers}]}}

    together = network(policy([{"namespaceSelector": alice, "podSelector": client}]), namespaces=namespaces)
    apart = network(policy([{"namespaceSelector": alice}, {"podSelector": client}]), namespaces=namespaces)
    assert together.allows(Flow(source, target, 80)) is and_allowed
    assert apart.allows(Flow(source, target, 80)) is or_allowed


def test_a_namespace_is_targeted_by_its_name_label_which_every_namespace_has():
    policy = {
        "metadata": {"name": "from-monitoring"},
        "spec": {
            "podSelector": {},
            "ingress": [
                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]}
            ],
        },
    }
    cluster = network(policy, namespaces={})
    assert cluster.allows(Flow(Pod("monitoring", "prometheus"), FRONTEND, 8080))
    assert not cluster.allows(Flow(Pod("monitoring-2", "prometheus"), FRONTEND, 8080))
    assert not cluster.allows(Flow(address("10.0.0.1"), FRONTEND, 8080))


def test_a_named_port_is_the_destination_containers_port_of_that_name():
    web = Pod("default", "web", {"app": "web"}, (Port(8080, "http"), Port(9090, "metrics")))
    other = Pod("default", "other", {"app": "web"}, (Port(9000, "http"),))
    udp = Pod("default", "udp", {"app": "web"}, (Port(8080, "http", "UDP"),))
    ingress = {
        "metadata": {"name": "http-only"},
        "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"ports": [{"port": "http"}]}]},
    }
    cluster = network(ingress)
    assert cluster.allows(Flow(FRONTEND, web, 8080))
    assert not cluster.allows(Flow(FRONTEND, web, 9090))
    assert cluster.allows(Flow(FRONTEND, other, 9000))  # each pod's own number for the name
    assert not cluster.allows(Flow(FRONTEND, other, 8080))
    assert not cluster.allows(Flow(FRONTEND, udp, 8080, "UDP"))  # the rule's protocol is TCP
    egress = {
        "metadata": {"name": "to-http"},
        "spec": {
            "podSelector": {"matchLabels": {"role": "frontend"}},
            "policyTypes": ["Egress"],
            "egress": [{"ports": [{"protocol": "TCP", "port": "http"}]}],
        },
    }
    cluster = network(egress)
    assert cluster.allows(Flow(FRONTEND, web, 8080))
    assert not cluster.allows(Flow(FRONTEND, web, 9090))
    assert not cluster.allows(Flow(FRONTEND, address("203.0.113.1"), 8080))  # an address has no named ports


@pytest.mark.parametrize(
    ("selector", "labels", "matches"),
    [
        # Labels and Selectors: "environment in (production, qa)"
        (
            {"matchExpressions": [{"key": "environment", "operator": "In", "values": ["production", "qa"]}]},
            {"environment": "qa"},
            True,
        ),
        (
            {"matchExpressions": [{"key": "environment", "operator": "In", "values": ["production", "qa"]}]},
            {"environment": "dev"},
            False,
        ),
        ({"matchExpressions": [{"key": "environment", "operator": "In", "values": ["production", "qa"]}]}, {}, False),
        # "tier notin (frontend, backend)": also every resource without the key
        (
            {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["frontend", "backend"]}]},
            {"tier": "cache"},
            True,
        ),
        (
            {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["frontend", "backend"]}]},
            {"tier": "backend"},
            False,
        ),
        ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["frontend", "backend"]}]}, {}, True),
        # "partition" and "!partition"
        ({"matchExpressions": [{"key": "partition", "operator": "Exists"}]}, {"partition": ""}, True),
        ({"matchExpressions": [{"key": "partition", "operator": "Exists"}]}, {}, False),
        ({"matchExpressions": [{"key": "partition", "operator": "DoesNotExist"}]}, {}, True),
        ({"matchExpressions": [{"key": "partition", "operator": "DoesNotExist"}]}, {"partition": "a"}, False),
        # matchLabels and matchExpressions are ANDed; an empty selector matches everything
        (
            {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]},
            {"app": "web", "tier": "b"},
            False,
        ),
        ({}, {"anything": "at all"}, True),
    ],
)
def test_label_selectors_as_the_labels_page_defines_them(selector, labels, matches):
    assert selector_matches(selector, labels) is matches


def test_without_policy_types_egress_is_isolated_only_by_a_policy_with_egress_rules():
    ingress_only = {
        "metadata": {"name": "i"},
        "spec": {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}]},
    }
    with_egress = {"metadata": {"name": "e"}, "spec": {"podSelector": {}, "egress": [{"ports": [{"port": 53}]}]}}
    assert policy_types(ingress_only) == {"Ingress"}
    assert policy_types(with_egress) == {"Ingress", "Egress"}
    assert network(ingress_only).allows(Flow(FRONTEND, address("203.0.113.1"), 443))
    assert not network(ingress_only).allows(Flow(address("203.0.113.1"), FRONTEND, 443))
    assert not network(with_egress).allows(Flow(FRONTEND, address("203.0.113.1"), 443))
    assert network(with_egress).allows(Flow(FRONTEND, address("203.0.113.1"), 53))
    assert not network(with_egress).allows(Flow(BACKEND, FRONTEND, 53))  # and ingress has no rule


def test_every_narrowing_takes_one_allowance_away_and_widens_nothing():
    policies = [yaml.safe_load(TEST_NETWORK_POLICY)]
    found = {n.what.split(" {")[0] for n in narrowings(policies)}
    assert found == {
        "test-network-policy ingress[0]",
        "test-network-policy ingress[0].from[0]",
        "test-network-policy ingress[0].from[1]",
        "test-network-policy ingress[0].from[2]",
        "test-network-policy egress[0]",
    }
    flows = [
        Flow(source, DB, 6379)
        for source in (FRONTEND, IN_MYPROJECT, FRONTEND_ELSEWHERE, address("172.17.0.1"), address("172.17.1.1"))
    ] + [Flow(DB, address(ip), 5978) for ip in ("10.0.0.1", "10.0.1.1")]
    before = {f for f in flows if network(*policies).allows(f)}
    for narrowing in narrowings(policies):
        after = {f for f in flows if network(*narrowing.policies).allows(f)}
        assert after < before, narrowing.what  # strictly fewer: each allowance was in use
    # a policy relying on default policyTypes keeps its egress isolation when its last egress rule goes
    implicit = {"metadata": {"name": "implicit"}, "spec": {"podSelector": {}, "egress": [{"ports": [{"port": 53}]}]}}
    (only,) = narrowings([implicit])
    assert not network(*only.policies).allows(Flow(FRONTEND, address("203.0.113.1"), 443))
