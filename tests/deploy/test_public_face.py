"""What the internet reaches, checked on the built production overlay: one Ingress on the public
host, TLS from a cert-manager Certificate for that host; every route of every service resolved
through it as ingress-nginx matches paths, so that exactly the public routes reach their service
(the media's opt-out link, the publisher) and every other path reaches the console's sign-in;
and Prometheus scrapes the console on its own metrics port, which the Ingress never routes."""

import os
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from warta.console.app import create_app as console_app
from warta.devstack import kubernetes
from warta.devstack.clients import openapi_of
from warta.devstack.demo import settings_class
from warta.runtime import registry


@pytest.fixture(scope="module")
def built() -> list[dict[str, Any]]:
    return kubernetes.built("prod")


def of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


@pytest.mark.parametrize("overlay", ["prod", "dev"])
def test_the_ingress_terminates_tls_for_the_public_host_with_a_certificate_for_it(overlay):
    # Each cluster answers for its own public name: the test cluster must not claim production's.
    built = kubernetes.built(overlay)
    (ingress,) = of_kind(built, "Ingress").values()
    public = urlsplit(of_kind(built, "ConfigMap")["warta-settings"]["data"]["WARTA_PUBLIC_URL"])
    assert public.scheme == "https"
    spec = ingress["spec"]
    assert spec["ingressClassName"] == "nginx"
    [rule] = spec["rules"]
    assert rule["host"] == public.hostname  # the links in the media's emails start here
    [tls] = spec["tls"]
    assert tls["hosts"] == [public.hostname]
    certificates = {c["spec"]["secretName"]: c for c in of_kind(built, "Certificate").values()}
    certificate = certificates[tls["secretName"]]  # cert-manager keeps the Secret the Ingress presents
    assert certificate["spec"]["dnsNames"] == [public.hostname]
    assert certificate["spec"]["issuerRef"] == kubernetes.CERTIFICATE_ISSUER
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
    print(f"checked: {public.hostname} over TLS from {tls['secretName']}, issued by {kubernetes.CERTIFICATE_ISSUER}")


def test_the_ingress_sends_exactly_the_public_routes_to_their_service_and_all_else_to_the_console(built):
    (ingress,) = of_kind(built, "Ingress").values()
    services = of_kind(built, "Service")
    for path in ingress["spec"]["rules"][0]["http"]["paths"]:
        backend = path["backend"]["service"]
        assert backend["port"] == {"name": "http"}, path  # never a metrics port
        assert "http" in {p["name"] for p in services[backend["name"]]["spec"]["ports"]}, path
    public = {(name, path) for name, _, path in registry.public_routes() if name not in kubernetes.THROUGH_THE_CONSOLE}
    assert ("publisher", "/media/opt-out/{contact}") in public
    routed: dict[tuple[str, str], tuple[str, str] | None] = {}
    for name in registry.services("sop-step", "subscriber"):
        for path in (*openapi_of(name)["paths"], "/metrics", "/healthz", "/readyz", "/openapi.json", "/docs"):
            routed[(name, path)] = kubernetes.routed_to(ingress, concrete(path))
    wrong = {
        (name, path): to
        for (name, path), to in routed.items()
        if to != ((name, "http") if (name, path) in public else ("console", "http"))
    }
    assert not wrong, wrong  # a private route of a service reachable from the internet, or a public one not
    # The console's own pages, its calendar feeds and its sign-in: the console's, whatever they share
    # with a service's path (its /media page beside the publisher's /media/opt-out/...).
    console_paths = [*console_app().openapi()["paths"], "/kalender/x1/agenda.ics", "/media", "/", "/metrics"]
    for path in console_paths:
        assert kubernetes.routed_to(ingress, concrete(path)) == ("console", "http"), path
    reached = {to for to in routed.values()} | {("console", "http")}
    assert reached == {("console", "http"), ("publisher", "http")}
    print(f"checked: {len(routed)} service routes and {len(console_paths)} console paths; public: {sorted(public)}")


def test_prometheus_scrapes_the_console_on_its_metrics_port_which_the_ingress_never_routes(built):
    console = of_kind(built, "Deployment")["console"]
    (container,) = console["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    env = {v["name"]: v.get("value") for v in container["env"]}
    assert ports["metrics"] == int(env["WARTA_METRICS_PORT"]) == 9108
    assert ports["metrics"] != ports["http"]
    with pytest.MonkeyPatch.context() as patch:  # the console reads the port its container opens
        for key in [k for k in os.environ if k.startswith("WARTA_")]:
            patch.delenv(key)
        patch.setenv("WARTA_METRICS_PORT", env["WARTA_METRICS_PORT"])
        assert settings_class("console")().metrics_port == ports["metrics"]
    service = of_kind(built, "Service")["console"]
    assert {"name": "metrics", "port": 9108, "targetPort": "metrics"} in service["spec"]["ports"]
    monitor = of_kind(built, "ServiceMonitor")["console"]
    assert monitor["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "30s"}]
    # Every other service answers /metrics on its own port, as before.
    for name, other in of_kind(built, "ServiceMonitor").items():
        if name != "console":
            assert [e["port"] for e in other["spec"]["endpoints"]] == ["http"], name
    (ingress,) = of_kind(built, "Ingress").values()
    backends = [p["backend"]["service"]["port"] for p in ingress["spec"]["rules"][0]["http"]["paths"]]
    assert {"name": "metrics"} not in backends
    assert all(port != {"number": 9108} for port in backends)
