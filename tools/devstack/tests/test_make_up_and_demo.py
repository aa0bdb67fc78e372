"""`make up` then `make demo`, as a developer would run them, on free ports."""

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from warta.contracts import Role
from warta.devstack.demo import OFFICE_NAMES, service_ports
from warta.devstack.servers import free_block
from warta.runtime import ServiceSettings, issue_dev_token


def dev_env(base: int) -> dict[str, str]:
    """This environment without Warta's settings, the stack on the ports from ``base`` on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    return env | {
        "WARTA_DEV_PORT_BASE": str(base),
        "WARTA_DEV_NATS_PORT": str(base + 9),
        "WARTA_DEV_MONGODB_PORT": str(base + 10),
    }


@pytest.mark.slow
def test_up_runs_the_stack_demo_walks_all_seven_steps_and_ctrl_c_stops_it(tmp_path):
    base = free_block(10)
    env = dev_env(base)
    up = subprocess.Popen(
        [sys.executable, "-m", "warta.devstack", "up", "--data", str(tmp_path / "warta")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 120
        assert up.stdout is not None
        while time.monotonic() < deadline:
            line = up.stdout.readline()
            assert line, "up exited before the stack was ready:\n" + "".join(lines)
            lines.append(line)
            if line.startswith("Warta is ready"):
                break
        output = "".join(lines)
        for name, port in service_ports(base).items():
            assert f"{name:<16} http://127.0.0.1:{port}" in output
        sign_in = httpx.get(f"http://127.0.0.1:{service_ports(base)['console']}/masuk")
        assert sign_in.status_code == 200
        assert "Pilih petugas" in sign_in.text  # the console's development sign-in

        # Twice: the second walk finds the same team booked for the same hour and must get through.
        for _ in range(2):
            demo = subprocess.run(
                [sys.executable, "-m", "warta.devstack", "demo"], env=env, capture_output=True, text=True, timeout=120
            )
            print(demo.stdout, demo.stderr)
            assert demo.returncode == 0
            assert "Semua tujuh langkah SOP selesai." in demo.stdout
            assert sorted({int(s) for s in re.findall(r"langkah (\d)", demo.stdout)}) == list(range(1, 8))
            # The archive, a subscriber only, recorded each step's duration of that request.
            archived = demo.stdout.split("Arsip mencatat durasi tiap langkah:")[1]
            assert sorted({int(s) for s in re.findall(r"langkah (\d): ", archived)}) == list(range(1, 8))
            # The notifier, another listener, told the officers as the request moved on.
            sent = int(re.search(r"Notifikasi terkirim ke petugas: (\d+) pesan", demo.stdout).group(1))
            assert sent > 0
        # The officers the demo put in the notifier's directory go by their names there, which the
        # pages and messages show, not by their sign-in ids.
        head = issue_dev_token(ServiceSettings(service_name="test"), officer_id="hendra.kabag", role=Role.SECTION_HEAD)
        notifier = f"http://127.0.0.1:{service_ports(base)['notifier']}"
        directory = httpx.get(f"{notifier}/officers", headers={"Authorization": f"Bearer {head}"}).json()
        assert {o["officer_id"]: o["name"] for o in directory} == OFFICE_NAMES
    finally:
        up.send_signal(signal.SIGINT)
        rest, _ = up.communicate(timeout=60)
    assert up.returncode == 0
    assert "Stopped." in rest
    for port in range(base + 1, base + 11):
        with socket.socket() as s:
            # Refused while anything still listens there; a connection the stopped database closed
            # itself (its restart with authentication) may linger in TIME_WAIT, which is allowed.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))  # everything it started is gone


@pytest.mark.parametrize(("offset", "named"), [(9, "nats"), (10, "secantusdb"), (8, "console")])
def test_up_on_a_port_another_program_holds_says_so_and_stops(tmp_path, offset, named):
    """Another program already on one of the stack's ports (a developer's own NATS, say): the
    stack does not pass that program off as its own server or service, and says which settings
    move its ports."""
    base = free_block(10)
    with socket.socket() as other:
        other.bind(("127.0.0.1", base + offset))
        other.listen()
        up = subprocess.run(
            [sys.executable, "-m", "warta.devstack", "up", "--data", str(tmp_path / "warta")],
            env=dev_env(base),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert up.returncode == 1, up.stdout + up.stderr
    assert f"{named}: port {base + offset} on 127.0.0.1 is taken by another program" in up.stderr
    assert "WARTA_DEV_NATS_PORT, WARTA_DEV_MONGODB_PORT and WARTA_DEV_PORT_BASE" in up.stderr
    assert "Traceback" not in up.stderr
