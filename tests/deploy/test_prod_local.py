"""The rendered manifests as an executable spec (issue "Production that comes up and delivers",
item 8): the prod overlay, built with kustomize, run on this machine as its pods would run it while
the leader of the JetStream stream is SIGKILLed twice; every request is published, no event is
stored twice, nothing is dead-lettered, no email goes twice, and the stall is measured.

Every Deployment runs as a process with its image's entrypoint and the environment Kubernetes gives
its container: the image's ENV, then its ConfigMaps (``envFrom``), then its ``env`` overriding them,
every Secret by name and key (values made for this run, as the operators, the MongoDB operator and
cert-manager make them) and its mounted volumes. NATS is three nodes configured from
``deploy/nats/values.yaml`` (routes, JetStream on file storage with ``sync_interval: always``, the
generated users and permissions); the database has the users of the ``MongoDBCommunity`` resource
with their roles, and each service connects with the connection string the operator writes for it.
Before anything starts, each pod's settings are read from that environment with production's own
check on (ADR 0023): a setting a Deployment lacks fails there, naming it.

Only addresses change (``warta.devstack.prod_local.addresses``): the Services and their ports, the
NATS release, the database members and their replica set's name, the mail relay (a real SMTP server
with STARTTLS), the WhatsApp gateway (the dev gateway), the website (a real WordPress), the identity
provider (node-oidc-provider, whose issuer and key set stand in for the city's; its paths are its
own), the public address (the Ingress's paths, served by a local proxy), a pod's own ports and the
paths of its mounted files. ``WARTA_LOOPBACK_PEERS=true`` is the only setting added beyond the
rendered ones: with the city's sign-in a service refuses this machine's addresses without it.
(``SSL_CERT_FILE`` is not a setting: it names the trust store standing in for the image's, which
must hold the relay's authority.) The officers, and the publisher for its photo token, sign in
through the console at the public address, at the provider's own login page.

Not proved here: the images (this workspace's code runs, not the built image), the MongoDB operator
and a real three-member replica set (SecantusDB is one node), TLS at the Ingress and to the
website and provider, Keycloak's paths, two replicas per Deployment and KEDA's scaling.
"""

import os
from typing import Any

import httpx
import pytest

from warta.devstack.demo import DEV_MEDIA
from warta.devstack.prod_local import Cluster, NotOnThisMachine, chart_values, drill, evidence, production, render
from warta.devstack.prod_local.addresses import StandIns, address_book
from warta.devstack.prod_local.credentials import (
    Secrets,
    certificate_secrets,
    database_secrets,
    nats_secrets,
    stand_in_secrets,
)
from warta.devstack.prod_local.pods import check_production_settings, plan
from warta.devstack.pytest_plugin import eventually

REQUESTS = int(os.environ.get("WARTA_PROD_LOCAL_REQUESTS", "12"))
KILLS = 2
CONTACTS = len(DEV_MEDIA.strip().splitlines()) - 1  # the media registry the walk imports


@pytest.fixture
def cluster() -> Cluster:
    return Cluster(render("prod"), chart_values())


@pytest.mark.slow
@pytest.mark.timeout(1800)
async def test_every_request_is_published_once_while_the_stream_leader_is_killed_twice(cluster, tmp_path):
    with production(cluster, tmp_path) as prod:
        print(f"up: {len(prod.pods)} Deployments, NATS {[n.name for n in prod.nats.nodes]}, public {prod.public_url}")
        if prod.unmade:
            print(f"Secrets no one is told to make (docs/operations.md), generated here: {sorted(prod.unmade)}")
        result = await drill(prod, REQUESTS, KILLS)
        for kill in result.kills:
            print(
                f"SIGKILL of the stream leader {kill.node}: next write {kill.stall:.1f} s later, back {kill.back:.0f} s"
            )

        async def settled() -> Any:
            found = await evidence(prod)
            quiet = not any(found.unrelayed.values()) and found.archived == sum(found.event_ids.values())
            return found if quiet and set(result.requests) <= found.published else None

        found = await eventually(settled, timeout=180, interval=1)
        # The emails' opt-out link is at the public address, where the Ingress sends it to the publisher.
        link = found.opt_out_links[0]
        async with httpx.AsyncClient(timeout=60) as client:
            opened = await client.get(link)
        assert link.startswith(prod.public_url + "/"), link
        assert opened.status_code == 200, opened.text

    assert len(set(result.requests)) == REQUESTS
    assert len(result.kills) == KILLS
    assert max(found.event_ids.values()) == 1, "an event stored twice"
    assert max(found.message_ids.values()) == 1, "a Nats-Msg-Id stored twice"
    assert found.event_types == {
        "warta.request.received.v1": REQUESTS,
        "warta.disposition.issued.v1": REQUESTS,
        "warta.team.assigned.v1": REQUESTS,
        "warta.coverage.submitted.v1": REQUESTS,
        "warta.review.approved.v1": 2 * REQUESTS,
        "warta.publication.published.v1": REQUESTS,
    }, found.event_types
    assert found.dead_letters == 0
    assert len(found.emails) == CONTACTS * REQUESTS
    assert max(found.emails.values()) == 1, [m for m, n in found.emails.items() if n > 1]
    assert set(found.releases_sent.values()) == {1}  # each contact has each release once
    assert len(found.releases_sent) == CONTACTS * REQUESTS
    assert max(found.whatsapp_refs.values(), default=1) == 1
    stalls = ", ".join(f"{k.stall:.1f} s" for k in result.kills)
    print(
        f"checked: {REQUESTS} requests walked at once in {result.seconds:.0f} s, all published; "
        f"{sum(found.event_ids.values())} events each once, no dead letter, {len(found.emails)} emails each once "
        f"({CONTACTS} contacts x {REQUESTS} releases); {KILLS} SIGKILLs of the stream leader, "
        f"writes resumed after {stalls}; every outbox relayed, the archive holds every event"
    )


# -- the spec has teeth: what the bring-up refuses before anything starts --------------------------------------


def planned(cluster: Cluster, tmp_path, strict: bool = False) -> dict[str, Any]:
    """The pods' specs with stand-ins that need not run, then production's check of their settings."""
    store = Secrets(tuple(cluster.deployments()), strict=strict)
    nats_secrets(cluster.nats_values, store)
    database_secrets(cluster, store)
    certificate_secrets(cluster, store)
    stand_in_secrets(store, client_secret="client", website_password="website", gateway_token="gateway")
    store.put("warta-publisher-assets", token="token")
    ports = {
        name: {p: 20000 + i * 10 + j for j, p in enumerate(cluster.container_ports(name).values())}
        for i, name in enumerate(cluster.deployments())
    }
    here = StandIns(
        nats=["nats://127.0.0.1:4001", "nats://127.0.0.1:4002", "nats://127.0.0.1:4003"],
        nats_nodes=["nats-0", "nats-1", "nats-2"],
        mongodb="127.0.0.1:27000",
        mongodb_set="local",
        issuer="http://127.0.0.1:9001",
        jwks="http://127.0.0.1:9001/jwks",
        smtp=("127.0.0.1", 2525),
        website="http://127.0.0.1:9003",
        gateway="http://127.0.0.1:9002/send",
        collector="http://127.0.0.1:9004",
        ports=ports,
        ingress={},
    )
    specs = plan(cluster, store, address_book(cluster, here), here, "/nowhere/ca.pem", tmp_path)
    check_production_settings(cluster, specs)
    return specs


def env_of(cluster: Cluster, deployment: str) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = cluster.deployments()[deployment]["spec"]["template"]["spec"]["containers"][0]["env"]
    return env


def test_the_rendered_manifests_plan_and_pass_productions_own_check(cluster, tmp_path):
    specs = planned(cluster, tmp_path)
    assert set(specs) == set(cluster.deployments())
    for name, spec in specs.items():
        added = {k: v for k, v in spec.env.items() if k not in spec.rendered}
        assert set(added) - {"WARTA_LOOPBACK_PEERS", "SSL_CERT_FILE"} <= {"WARTA_HTTP_PORT"}, (name, added)
    print(f"checked: {len(specs)} Deployments planned; each adds only WARTA_LOOPBACK_PEERS beside its addresses")


def test_every_secret_a_pod_reads_is_made_by_the_operators_an_operator_or_cert_manager(cluster, tmp_path):
    planned(cluster, tmp_path, strict=True)


def test_a_setting_a_deployment_lacks_is_refused_with_its_name(cluster, tmp_path):
    settings = cluster.of_kind("ConfigMap")["warta-settings"]["data"]
    del settings["WARTA_SMTP_HOST"]
    with pytest.raises(NotOnThisMachine, match="WARTA_SMTP_HOST"):
        planned(cluster, tmp_path)


def test_a_service_named_at_a_wrong_port_is_refused(cluster, tmp_path):
    for item in env_of(cluster, "console"):
        if item["name"] == "WARTA_INTAKE_URL":
            item["value"] = item["value"].rsplit(":", 1)[0] + ":8111"
    with pytest.raises(NotOnThisMachine, match="intake:8111"):
        planned(cluster, tmp_path)


def test_a_pod_listening_beside_its_container_port_is_refused(cluster, tmp_path):
    for item in env_of(cluster, "review"):
        if item["name"] == "WARTA_HTTP_PORT":
            item["value"] = "8111"
    with pytest.raises(NotOnThisMachine, match="review: listens on 8111"):
        planned(cluster, tmp_path)


def test_a_secret_named_wrongly_is_missing(cluster, tmp_path):
    for item in env_of(cluster, "archive"):
        if item["name"] == "WARTA_NATS_PASSWORD":
            item["valueFrom"]["secretKeyRef"]["name"] = "warta-nats-archiv"
    with pytest.raises(NotOnThisMachine, match="no Secret"):
        planned(cluster, tmp_path, strict=True)
