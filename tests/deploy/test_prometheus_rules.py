"""The Prometheus rules under deploy/ are valid and do what their unit tests say, by promtool
(Debian's prometheus package)."""

import shutil
import subprocess
from pathlib import Path

import yaml

PROMETHEUS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    assert binary, "promtool is missing: run tools/system/deps.sh (Debian's prometheus package)"
    return subprocess.run([binary, *args], capture_output=True, text=True, cwd=PROMETHEUS, timeout=120)


def test_the_rules_are_valid():
    rules = sorted(str(p) for p in (PROMETHEUS / "rules").glob("*.yml"))
    assert rules
    checked = promtool("check", "rules", *rules)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # promtool read every rule written (recording rules and alerts, the event-loop alert among them)
    written = sum(len(g["rules"]) for r in rules for g in yaml.safe_load(Path(r).read_text())["groups"])
    assert written >= 10
    assert f"SUCCESS: {written} rules found" in checked.stdout


def test_the_rules_pass_their_unit_tests():
    tests = sorted(str(p) for p in (PROMETHEUS / "tests").glob("*.yml"))
    assert tests
    tested = promtool("test", "rules", *tests)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout
