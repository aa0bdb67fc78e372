"""The Kubernetes manifests, checked offline: the committed files are what the generator writes;
``kubectl kustomize`` builds each overlay; every built-in object validates strictly against the
Kubernetes schemas; the custom resources (ServiceMonitor, PrometheusRule, ScaledObject,
MongoDBCommunity) are checked for the structure their operators need; and every Deployment runs
as the cluster's operators expect: probes, resources, a security context that drops everything,
a grace period longer than the service's shutdown, a PodDisruptionBudget, a ServiceMonitor, and
secrets only by reference."""

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from warta.devstack import kubernetes
from warta.devstack.demo import SERVICES, SUBSCRIBERS, settings_class
from warta.devstack.servers import MAINTENANCE_USER

OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.32.0"  # the city's cluster
CUSTOM = {"ServiceMonitor", "PrometheusRule", "ScaledObject", "MongoDBCommunity", "Certificate", "Issuer"}


@pytest.fixture(scope="module", params=OVERLAYS)
def objects(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, kubernetes.built(request.param)


def of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def test_the_committed_manifests_are_what_the_generator_writes():
    for path, text in kubernetes.files().items():
        assert Path(path).read_text() == text, f"{path} drifted from the generator: run make k8s"


def test_every_builtin_object_validates_strictly_and_a_broken_one_would_not(objects):
    overlay, built = objects
    validated = 0
    for obj in built:
        if obj["kind"] in CUSTOM:
            continue
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        validated += 1
    assert validated >= 40, validated
    broken = next(o for o in built if o["kind"] == "Deployment")
    broken = {**broken, "spec": {**broken["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    print(f"checked: {overlay}: {validated} built-in objects valid against Kubernetes {KUBERNETES_VERSION}")


def test_every_service_is_deployed_as_the_operators_expect(objects):
    overlay, built = objects
    deployments = of_kind(built, "Deployment")
    services = (*SERVICES, *SUBSCRIBERS, "console")
    assert set(deployments) == set(services)
    budgets = of_kind(built, "PodDisruptionBudget")
    monitors = of_kind(built, "ServiceMonitor")
    accounts = of_kind(built, "ServiceAccount")
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert pod["terminationGracePeriodSeconds"] > kubernetes.shutdown_seconds(), name
        assert pod["serviceAccountName"] == name
        assert name in accounts
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True, name
        assert context["runAsUser"] != 0, name
        assert context["readOnlyRootFilesystem"] is True, name
        assert context["allowPrivilegeEscalation"] is False, name
        assert context["capabilities"] == {"drop": ["ALL"]}, name
        for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            assert container[probe]["httpGet"] == {"path": path, "port": "http"}, (name, probe)
        for bound in ("requests", "limits"):
            assert set(container["resources"][bound]) == {"cpu", "memory"}, (name, bound)
        metrics = kubernetes.metrics_ports(name, "containerPort")  # the console's, for Prometheus alone
        assert container["ports"] == [{"name": "http", "containerPort": kubernetes.port_of(name)}, *metrics]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert budgets[name]["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        assert monitors[name]["spec"]["endpoints"][0]["path"] == "/metrics"
        assert monitors[name]["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        for variable in container["env"]:
            assert "value" in variable or "secretKeyRef" in variable["valueFrom"], (name, variable)
            if any(word in variable["name"] for word in ("PASSWORD", "SECRET", "MONGODB_URL")):
                assert "value" not in variable, (name, variable["name"])  # never a value in the manifests
    assert not of_kind(built, "Secret"), "no Secret object is committed; Deployments refer to them"
    if overlay == "prod":
        assert all(d["spec"]["replicas"] >= 2 for d in deployments.values())
        assert all(budgets[name]["spec"]["minAvailable"] == 1 for name in deployments)
    print(f"checked: {overlay}: {len(deployments)} Deployments with probes, limits, locked-down pods, PDBs, monitors")


def test_the_network_is_closed_except_for_the_flows_warta_needs(objects):
    _, built = objects
    policies = of_kind(built, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    for name in (*SERVICES, *SUBSCRIBERS):
        egress_ports = {p["port"] for rule in policies[name]["spec"]["egress"] for p in rule.get("ports", [])}
        assert {4222, 27017, 53} <= egress_ports, name
        (ingress,) = policies[name]["spec"]["ingress"]
        assert [p["port"] for p in ingress["ports"]] == [kubernetes.port_of(name)]
    console_egress = {p["port"] for rule in policies["console"]["spec"]["egress"] for p in rule.get("ports", [])}
    assert 4222 not in console_egress
    assert 27017 not in console_egress


def test_the_custom_resources_have_what_their_operators_need(objects):
    overlay, built = objects
    deployments = of_kind(built, "Deployment")
    scaled = of_kind(built, "ScaledObject")
    for name, scaler in scaled.items():
        assert scaler["spec"]["scaleTargetRef"]["name"] in deployments
        consumers = [t["metadata"]["consumer"] for t in scaler["spec"]["triggers"]]
        assert consumers, name
        assert consumers == list(kubernetes.consumers_of(name)), name
        for trigger in scaler["spec"]["triggers"]:
            assert trigger["type"] == "nats-jetstream"
            assert (
                f".{'warta-dev' if overlay == 'dev' else 'warta'}.svc"
                in trigger["metadata"]["natsServerMonitoringEndpoint"]
            )
    assert set(scaled) == {n for n in deployments if kubernetes.consumers_of(n)}
    (mongodb,) = of_kind(built, "MongoDBCommunity").values()
    assert mongodb["spec"]["members"] == (1 if overlay == "dev" else 3)
    users = {user["name"]: user for user in mongodb["spec"]["users"]}
    maintenance = users.pop(MAINTENANCE_USER)
    for user in users.values():
        service = user["name"].removeprefix("warta-")
        assert user["roles"] == [{"name": "readWrite", "db": f"warta_{service}"}]  # its own database only
        assert "password" not in user
        assert user["passwordSecretRef"]["name"]
        env = {v["name"]: v for v in deployments[service]["spec"]["template"]["spec"]["containers"][0]["env"]}
        reference = env["WARTA_MONGODB_URL"]["valueFrom"]["secretKeyRef"]["name"]
        assert reference == user["connectionStringSecretName"], service
    # The runbook's user: each service's database and the archive's rebuild, nothing on admin.
    assert {(r["name"], r["db"]) for r in maintenance["roles"]} == {
        ("readWrite", f"warta_{service}") for service in (*SERVICES, *SUBSCRIBERS)
    } | {("readWrite", "warta_archive_new")}
    assert maintenance["passwordSecretRef"]["name"] == "warta-mongodb-maintenance-password"
    assert maintenance["connectionStringSecretName"] == "warta-mongodb-maintenance-connection"
    check_the_replica_set_runs_tls_with_resources_and_a_budget(overlay, built, mongodb)
    (rule,) = of_kind(built, "PrometheusRule").values()
    records = [r for group in rule["spec"]["groups"] for r in group["rules"]]
    assert any("alert" in r for r in records)
    assert all("expr" in r for r in records)
    dashboard = of_kind(built, "ConfigMap")["warta-sop-dashboard"]
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert "warta-sop.json" in dashboard["data"]


def check_the_replica_set_runs_tls_with_resources_and_a_budget(
    overlay: str, built: list[dict[str, Any]], mongodb: dict[str, Any]
) -> None:
    """The fields the MongoDB Community operator and cert-manager read (checked once against their
    CRDs' schemas): TLS required, with the members' certificate and its CA from cert-manager's
    Secret; every client trusting that CA through its connection string and a mounted ca.crt;
    the mongod and agent containers sized; and a drain that keeps a majority."""
    namespace = "warta-dev" if overlay == "dev" else "warta"
    tls = mongodb["spec"]["security"]["tls"]
    assert tls["enabled"] is True
    assert tls["optional"] is False  # required of every client
    secret = tls["certificateKeySecretRef"]["name"]
    assert tls["caCertificateSecretRef"]["name"] == secret
    certificates, issuers = of_kind(built, "Certificate"), of_kind(built, "Issuer")
    members = certificates[secret]["spec"]
    assert members["secretName"] == secret
    pods = f"*.{mongodb['metadata']['name']}-svc.{namespace}.svc.cluster.local"  # the operator's host names
    assert pods in members["dnsNames"], members["dnsNames"]
    assert {"server auth", "client auth"} <= set(members["usages"])
    ca = issuers[members["issuerRef"]["name"]]["spec"]["ca"]["secretName"]
    assert certificates[ca]["spec"]["isCA"] is True
    assert "selfSigned" in issuers[certificates[ca]["spec"]["issuerRef"]["name"]]["spec"]
    ca_file = mongodb["spec"]["additionalConnectionStringConfig"]["tlsCAFile"]
    for name, deployment in of_kind(built, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["mountPath"]: m for m in pod["containers"][0]["volumeMounts"]}
        if not kubernetes.uses_bus(name):
            assert not any(v.get("secret", {}).get("secretName") == secret for v in volumes.values()), name
            continue
        mount = mounts[str(Path(ca_file).parent)]
        assert mount["readOnly"] is True, name
        # ca.crt alone: the members' private key beside it in the Secret stays out of the pods.
        assert volumes[mount["name"]]["secret"] == {
            "secretName": secret,
            "items": [{"key": "ca.crt", "path": Path(ca_file).name}],
        }, name
    template = mongodb["spec"]["statefulSet"]["spec"]["template"]["spec"]
    sized = {c["name"]: c["resources"] for c in template["containers"]}
    assert set(sized) == {"mongod", "mongodb-agent"}  # the operator's container names, merged by name
    for container, resources in sized.items():
        for bound in ("requests", "limits"):
            assert set(resources[bound]) == {"cpu", "memory"}, (container, bound)
    budget = of_kind(built, "PodDisruptionBudget")[mongodb["metadata"]["name"]]["spec"]
    assert budget["selector"]["matchLabels"] == {"app": f"{mongodb['metadata']['name']}-svc"}
    assert budget["minAvailable"] == (0 if overlay == "dev" else mongodb["spec"]["members"] // 2 + 1)


def test_promtool_accepts_the_rules_as_the_prometheus_rule_carries_them(tmp_path):
    promtool = shutil.which("promtool")
    assert promtool, "promtool comes with Debian's prometheus package (tools/system/deps.sh)"
    (rule,) = of_kind(kubernetes.built("prod"), "PrometheusRule").values()
    rendered = tmp_path / "warta-sop.rules.yml"
    rendered.write_text(yaml.safe_dump(rule["spec"]))
    checked = subprocess.run([promtool, "check", "rules", str(rendered)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout
    print(f"checked: {checked.stdout.strip()}")


def test_the_nats_chart_values_run_three_nodes_with_jetstream_and_warta_users():
    values = yaml.safe_load(Path("deploy/nats/values.yaml").read_text())
    config = values["config"]
    assert config["cluster"] == {"enabled": True, "replicas": 3}
    assert config["jetstream"]["enabled"] is True
    assert config["jetstream"]["fileStore"]["pvc"]["size"]
    assert config["jetstream"]["merge"]["sync_interval"] == "always"
    users = {u["user"]: u for u in config["merge"]["authorization"]["users"]}
    assert set(users) == {f"warta-{n}" for n in (*SERVICES, *SUBSCRIBERS)} | {"warta-operator"}
    for user in users.values():
        variable = user["password"].removeprefix("<< $").removesuffix(" >>")
        assert variable.startswith("WARTA_NATS_PASSWORD_"), user  # read from the environment, never a value
        assert "secretKeyRef" in values["container"]["env"][variable]["valueFrom"]


def test_every_service_starts_with_the_settings_its_deployment_gives_it():
    """Each service's settings, read from exactly what its pod would have (the ConfigMap, then its
    own env, each Secret standing in as a value), pass the checks the service makes at start:
    a setting production needs and the manifests forget fails here, not in the cluster."""
    built = kubernetes.built("prod")
    shared = of_kind(built, "ConfigMap")["warta-settings"]["data"]
    for name, deployment in of_kind(built, "Deployment").items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = dict(shared)
        for variable in container["env"]:
            env[variable["name"]] = variable.get("value", f"secret-{variable['name'].lower()}")
        with pytest.MonkeyPatch.context() as patch:
            for key in [k for k in os.environ if k.startswith("WARTA_")]:
                patch.delenv(key)
            for key, value in env.items():
                patch.setenv(key, value)
            settings = settings_class(name)()
        assert settings.service_name == name
        assert settings.http_port == kubernetes.port_of(name)
        assert settings.auth_mode == "oidc"
        # No address the service reaches or gives people is the development machine's.
        loopback = {
            field: value
            for field, value in settings.model_dump().items()
            if field.endswith("_url")
            and isinstance(value, str)
            and ("127.0.0.1" in value or "localhost" in value)
            and (kubernetes.uses_bus(name) or field not in ("nats_url", "mongodb_url"))  # the console has neither
        }
        assert not loopback, (name, loopback)
