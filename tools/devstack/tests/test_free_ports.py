"""The ports tests give their servers lie below the kernel's range for outgoing connections, so no
connection's own end takes one between its choice and its server's bind, and none is given twice,
nor by two of make test's workers."""

from pathlib import Path

from warta.devstack.servers import free_block, free_port


def test_ports_for_servers_lie_outside_the_outgoing_range_and_are_given_once():
    outgoing_from = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = [free_port() for _ in range(200)]
    base = free_block(10)
    block = range(base + 1, base + 11)
    assert max(*ports, *block) < outgoing_from
    assert len(set(ports)) == len(ports)
    assert set(block).isdisjoint(ports)


def test_each_of_make_tests_workers_chooses_among_ports_of_its_own(monkeypatch):
    # A port one worker chose stays free until its server binds it; the other must not choose it.
    chosen: dict[str, list[int]] = {}
    for worker in ("gw0", "gw1"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
        base = free_block(51)
        chosen[worker] = [free_port() for _ in range(100)] + list(range(base + 1, base + 52))
    assert max(chosen["gw0"]) < min(chosen["gw1"])
    # A worker replacing a crashed one is numbered past the count: it takes the first one's share,
    # not ports in the kernel's range for outgoing connections or past the last port.
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw2")
    assert all(free_port() < min(chosen["gw1"]) for _ in range(100))
