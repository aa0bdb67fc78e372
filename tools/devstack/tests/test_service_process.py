"""A service process started on a port another process took after it was chosen moves to a new
port on its first start, and is only taken as started when the service itself answers there."""

import socket

import httpx

from warta.devstack.pytest_plugin import ServiceProcess


def test_a_first_start_on_a_taken_port_moves_to_a_free_one(namespace, tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        process = ServiceProcess("review", namespace.env("review"), taken, tmp_path / "review.log")
        try:
            process.start()
            assert process.port != taken
            assert "address already in use" in process.log()
            assert httpx.get(f"{process.url}/healthz").json() == {"status": "ok", "service": "review"}
        finally:
            process.stop()


STUCK_TEST = """
import subprocess, sys, time

import pytest

from warta.devstack import pytest_plugin
from warta.devstack.pytest_plugin import ServiceProcess

# It answers SIGUSR1 as a service's event loop does; its one thread then waits for ever.
STUCK = '''
import signal, time
def tasks(signum, frame):
    print("tasks on SIGUSR1:", flush=True)
    print("--- press of publish, waiting on the database", flush=True)
signal.signal(signal.SIGUSR1, tasks)
print("ready", flush=True)
def waiting_for_an_answer_that_never_comes():
    time.sleep(120)
waiting_for_an_answer_that_never_comes()
'''


@pytest.fixture
def stuck(tmp_path):
    proc = ServiceProcess("publisher", {}, 0, tmp_path / "publisher.log")
    with proc.log_path.open("ab") as log:
        proc.process = subprocess.Popen([sys.executable, "-c", STUCK], stdout=log)
    while "ready" not in proc.log():
        time.sleep(0.05)
    pytest_plugin._running.append(proc)
    yield proc
    pytest_plugin._running.remove(proc)
    proc.kill()


def test_gives_up_on_a_stuck_service(stuck):
    assert stuck.exit_code() == 0, "the service never answered"
"""


def test_a_failed_test_reports_what_its_running_services_were_doing(pytester):
    """A hang that does not come back leaves nothing in the service's log: the failure report
    carries each running service's asyncio tasks, as it logs them on SIGUSR1, and its threads'
    Python stacks, read from outside the process."""
    pytester.makepyfile(test_stuck=STUCK_TEST)
    result = pytester.runpytest_subprocess("-p", "warta.devstack.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    report = result.stdout.str()
    assert "warta.publisher when the test failed: its tasks and threads" in report
    assert "press of publish, waiting on the database" in report  # its tasks, as it logged them
    assert "waiting_for_an_answer_that_never_comes" in report  # its thread, as py-spy read it
