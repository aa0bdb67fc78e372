"""A service process started on a port another process took after it was chosen moves to a new
port on its first start, and is only taken as started when the service itself answers there; a
test that fails while service processes run reports where each of them was; a run on pytest-xdist
workers names the servers its tests used."""

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

# A service whose one thread waits for ever; one that answers SIGUSR1 as a running service's
# event loop does, and one that does not handle it yet (a service starting up), which the
# signal would end.
STUCK = '''
import signal, sys, time
def tasks(signum, frame):
    print("tasks on SIGUSR1:", flush=True)
    print("--- press of publish, waiting on the database", flush=True)
if sys.argv[1] == "handles":
    signal.signal(signal.SIGUSR1, tasks)
print("ready", flush=True)
def waiting_for_an_answer_that_never_comes():
    time.sleep(120)
waiting_for_an_answer_that_never_comes()
'''


@pytest.fixture(params=["handles", "starting"])
def stuck(tmp_path, request):
    proc = ServiceProcess(request.param, {}, 0, tmp_path / "service.log")
    with proc.log_path.open("ab") as log:
        proc.process = subprocess.Popen([sys.executable, "-c", STUCK, request.param], stdout=log)
    deadline = time.monotonic() + 30
    while "ready" not in proc.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    pytest_plugin._running.append(proc)
    yield proc
    pytest_plugin._running.remove(proc)
    alive = proc.exit_code() is None
    proc.kill()
    assert alive, "the report's signal ended the process it reported on"


def test_gives_up_on_a_stuck_service(stuck):
    assert stuck.exit_code() == 0, "the service never answered"
"""


def test_a_failed_test_reports_what_its_running_services_were_doing(pytester):
    """A hang that does not come back leaves nothing in the service's log: the failure report
    carries each running service's threads' Python stacks, read from outside the process, and
    its asyncio tasks, as a running service logs them on SIGUSR1; a process that does not
    handle that signal yet is not sent it."""
    pytester.makepyfile(test_stuck=STUCK_TEST)
    result = pytester.runpytest_subprocess("-p", "warta.devstack.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)  # and no error: both processes outlived their reports
    report = result.stdout.str()
    for name in ("handles", "starting"):
        assert f"warta.{name} when the test failed: its tasks and threads" in report
    assert report.count("waiting_for_an_answer_that_never_comes") >= 2  # each one's thread, by py-spy
    assert "press of publish, waiting on the database" in report  # the tasks the running one logged
    assert "the process does not handle SIGUSR1" in report  # the starting one, left alone


USES_THE_SERVERS = """
def test_uses_the_servers(servers):
    assert servers.nats_url and servers.mongodb_url
"""


def test_a_run_on_a_worker_names_the_servers_it_used(pytester):
    """make test runs on pytest-xdist workers, whose own output is not shown: the summary still says
    which servers the tests ran on, as a run in one process does."""
    pytester.makepyfile(test_uses=USES_THE_SERVERS)
    result = pytester.runpytest_subprocess("-p", "warta.devstack.pytest_plugin", "-p", "no:cacheprovider", "-n", "1")
    result.assert_outcomes(passed=1)
    named = [line for line in result.outlines if line.startswith("Warta test servers: ")]
    assert len(named) == 1, result.outlines
    assert "(nats nats://" in named[0]
    assert ", mongodb mongodb://" in named[0]
