"""What production runs is pinned and what monitors it is selected: the NATS chart by its version and
its images by their tags (in the values and in the runbook's install command); production's images
by digest, set by ``make k8s IMAGE_DIGESTS=…`` and kept by a ``make k8s`` that is not told them,
while dev runs tags; and every monitoring object labelled ``release`` for the cluster's
kube-prometheus-stack, set by ``PROMETHEUS_RELEASE``."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from warta.devstack import kubernetes

RUNBOOK = Path("docs/operations.md")
MONITORING_KINDS = {"ServiceMonitor", "PodMonitor", "PrometheusRule"}


def images(objects: list[dict[str, Any]]) -> dict[str, str]:
    """Container name → image of every workload."""
    found = {}
    for obj in objects:
        pod = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            found[container["name"]] = container["image"]
    return found


def written(tmp_path: Path, release: kubernetes.Release) -> Path:
    """What ``make k8s`` writes for ``release``, in a tree of its own; its root."""
    for path, text in kubernetes.files(release).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    return tmp_path


def digests_file(tmp_path: Path, digests: dict[str, str]) -> Path:
    path = tmp_path / "digests.txt"
    path.write_text("# the release's images, as the registry reported them\n")
    with path.open("a") as out:
        for name, digest in digests.items():
            out.write(f"{name} {digest}\n")
    return path


def a_digest(name: str) -> str:
    return "sha256:" + (name.encode().hex() * 64)[:64]


def test_the_nats_chart_and_its_images_are_pinned_in_the_values_and_the_runbook():
    version = kubernetes.NATS_CHART_VERSION
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
    text = Path(kubernetes.NATS_VALUES).read_text()
    assert f"# {kubernetes.nats_helm_command()}\n" in text
    values = yaml.safe_load(text)
    tags = {
        "container": values["container"]["image"]["tag"],
        "reloader": values["reloader"]["image"]["tag"],
        "promExporter": values["promExporter"]["image"]["tag"],
    }
    assert tags == kubernetes.NATS_IMAGE_TAGS
    for tag in tags.values():
        assert re.fullmatch(r"\d+\.\d+\.\d+(-[a-z0-9]+)?", tag), tag  # a release, never "latest"
    # From chart 2.12 the chart's major.minor is its server's.
    assert tags["container"].startswith(".".join(version.split(".")[:2]) + "."), (version, tags)
    # Every helm install of NATS the runbook gives carries the version.
    installs = re.findall(r"helm upgrade --install nats nats/nats[^`\n]*", RUNBOOK.read_text())
    assert installs
    for install in installs:
        assert f"--version {version} " in install, install


def test_production_runs_every_image_by_digest_and_dev_by_tag():
    prod = images(kubernetes.built(Path("deploy/k8s/overlays/prod")))
    assert set(prod) == set(kubernetes.all_services())
    for name, image in prod.items():
        repository, _, digest = image.partition("@")
        assert repository == kubernetes.IMAGE.format(name=name), image  # no tag beside the digest
        assert kubernetes.DIGEST.fullmatch(digest), image
    assert {image.partition("@")[2] for image in prod.values()} == set(kubernetes.committed_release().digests.values())
    dev = images(kubernetes.built(Path("deploy/k8s/overlays/dev")))
    assert set(dev) == set(prod)
    for image in dev.values():
        assert "@" not in image, image
        assert ":" in image.rsplit("/", 1)[1], image  # the base's tag


def test_make_k8s_sets_the_digests_it_is_given_and_a_later_make_k8s_keeps_them(tmp_path, monkeypatch):
    digests = {name: a_digest(name) for name in kubernetes.all_services()}
    release = kubernetes.release_given(image_digests=digests_file(tmp_path, digests))
    assert release.digests == digests
    root = written(tmp_path / "tree", release)
    prod = images(kubernetes.built(root / "deploy/k8s/overlays/prod"))
    assert prod == {name: f"{kubernetes.IMAGE.format(name=name)}@{digests[name]}" for name in digests}
    dev = images(kubernetes.built(root / "deploy/k8s/overlays/dev"))
    assert not any("@" in image for image in dev.values())
    # `make k8s` told nothing reads the release back from the overlay it wrote.
    monkeypatch.chdir(root)
    assert kubernetes.committed_release() == release
    assert kubernetes.release_given(prometheus="monitoring").digests == digests


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("intake registry.tangerangkota.go.id/warta/intake:0.2.0", "expected"),  # a tag, not a digest
        ("intake sha256:abc", "expected"),
        ("gateway " + "sha256:" + "a" * 64, "expected"),  # no such service
        (None, "no digest for console"),
    ],
)
def test_a_digests_file_that_does_not_pin_every_service_is_refused(tmp_path, line, problem):
    digests = {name: a_digest(name) for name in kubernetes.all_services()}
    if line is None:
        del digests["console"]
    path = digests_file(tmp_path, digests)
    if line is not None:
        path.write_text(path.read_text() + line + "\n")
    with pytest.raises(ValueError, match=problem):
        kubernetes.read_digests(path)


def monitoring_labels(root: Path) -> dict[tuple[str, str], str | None]:
    """(kind, name) → its `release` label, for every monitoring object of both overlays and the
    NATS chart's PodMonitor (which the chart makes from the values)."""
    found: dict[tuple[str, str], str | None] = {}
    for overlay in ("dev", "prod"):
        for obj in kubernetes.built(root / "deploy/k8s/overlays" / overlay):
            if obj["kind"] in MONITORING_KINDS:
                found[(obj["kind"], f"{overlay}/{obj['metadata']['name']}")] = obj["metadata"]["labels"].get("release")
    pod_monitor = yaml.safe_load((root / kubernetes.NATS_VALUES).read_text())["promExporter"]["podMonitor"]
    assert pod_monitor["enabled"] is True
    found[("PodMonitor", "nats")] = pod_monitor["merge"]["metadata"]["labels"].get("release")
    return found


def test_every_monitoring_object_carries_the_release_label_make_k8s_is_given(tmp_path):
    committed = monitoring_labels(Path("."))
    kinds = {kind for kind, _ in committed}
    assert kinds == MONITORING_KINDS, kinds
    assert len(committed) >= 2 * (len(kubernetes.all_services()) + 1) + 1  # a monitor per service, the rule, NATS
    assert set(committed.values()) == {kubernetes.committed_release().prometheus}
    assert kubernetes.committed_release().prometheus == kubernetes.PROMETHEUS_RELEASE  # the default, committed

    release = kubernetes.release_given(prometheus="monitoring-stack")
    relabelled = monitoring_labels(written(tmp_path, release))
    assert relabelled.keys() == committed.keys()
    assert set(relabelled.values()) == {"monitoring-stack"}


def test_the_nats_pod_monitor_gives_the_job_and_the_health_the_alerts_read():
    values = yaml.safe_load(Path(kubernetes.NATS_VALUES).read_text())
    exporter = values["promExporter"]
    assert exporter["enabled"] is True
    # The job is the pods' app.kubernetes.io/name, "nats": up{job="nats"} in the rules.
    assert exporter["podMonitor"]["merge"]["spec"]["jobLabel"] == "app.kubernetes.io/name"
    assert kubernetes.NATS == "nats"
    # -healthz goes before the exporter's last argument, the server's monitoring URL: Go's flags
    # stop at the first argument that is not one.
    assert {"op": "add", "path": "/args/0", "value": "-healthz"} in exporter["patch"]
    assert values["config"]["monitor"]["enabled"] is True
