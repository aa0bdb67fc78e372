"""A real Prometheus for tests (Debian's ``prometheus`` package): it scrapes the services a test
started, every second, keeping their exemplars (the trace of an observation), and evaluates Warta's
rules from ``deploy/prometheus/rules``."""

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .servers import free_port, wait_for_port

RULES = Path(__file__).resolve().parents[5] / "deploy" / "prometheus" / "rules"


@dataclass(frozen=True)
class PrometheusServer:
    url: str

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query's samples; raises on a query Prometheus refuses."""
        response = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        body = response.json()
        if body.get("status") != "success":
            raise ValueError(f"{expr!r}: {body.get('errorType')}: {body.get('error')}")
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def values(self, expr: str, by: str = "step") -> dict[str, float]:
        return {sample["metric"].get(by, ""): float(sample["value"][1]) for sample in self.query(expr)}

    def exemplars(self, expr: str, since: float) -> list[dict[str, str]]:
        """The labels of the exemplars scraped since ``since`` (a Unix time) on the series ``expr`` selects."""
        response = httpx.get(
            f"{self.url}/api/v1/query_exemplars",
            params={"query": expr, "start": since, "end": time.time() + 60},
            timeout=10,
        )
        body = response.json()
        if body.get("status") != "success":
            raise ValueError(f"{expr!r}: {body.get('errorType')}: {body.get('error')}")
        return [exemplar["labels"] for series in body["data"] for exemplar in series["exemplars"]]

    def metric_names(self) -> set[str]:
        body = httpx.get(f"{self.url}/api/v1/label/__name__/values", timeout=10).json()
        return set(body["data"])


@contextmanager
def prometheus_server(work_dir: Path, targets: dict[str, str]) -> Iterator[PrometheusServer]:
    """``targets``: job name → base URL of a service (its ``/metrics`` is scraped)."""
    binary = shutil.which("prometheus")
    if binary is None:
        raise RuntimeError("a real Prometheus needs Debian's prometheus package; run tools/system/deps.sh")
    work_dir.mkdir(parents=True, exist_ok=True)
    scrape = "\n".join(
        f"  - job_name: {job}\n    static_configs:\n      - targets: ['{url.removeprefix('http://')}']"
        for job, url in targets.items()
    )
    config = work_dir / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        f"rule_files:\n  - {RULES}/*.yml\n"
        f"scrape_configs:\n{scrape}\n"
    )
    port = free_port()
    log = work_dir / "prometheus.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={work_dir / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                # As the city's Prometheus must: a slow step or answer leads to its trace.
                "--enable-feature=exemplar-storage",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port("127.0.0.1", port, 30, process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while httpx.get(f"{url}/-/ready", timeout=2).status_code != 200:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prometheus not ready:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield PrometheusServer(url)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
