"""What an operator reads in the cluster's log collector, on the real servers: every service and
subscriber as its own process in the production log format, one request walked through all seven
steps, one action refused. Every line is one JSON object with its time, level, service and
logger; a line written while an event was handled names the request, the event and its type; a
refused call names the officer and the request; the disposition sheet's font subsetting (fontTools)
says nothing."""

import json
from datetime import datetime

import httpx
import pytest

from warta.contracts import Role
from warta.devstack.demo import SERVICES, SUBSCRIBERS, walk
from warta.devstack.smtp import smtp_server
from warta.runtime import ServiceSettings, issue_dev_token

FIELDS = {"time", "level", "service", "logger", "message"}


def token_for(officer_id: str, role: Role) -> str:
    return issue_dev_token(ServiceSettings(service_name="test"), officer_id=officer_id, role=role)


def lines_of(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.strip():
            lines.append(json.loads(line))  # a line that is not JSON fails here, shown whole
    return lines


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_every_line_is_json_and_names_the_request_event_and_officer_it_is_about(service_processes, tmp_path):
    relay = smtp_server(tmp_path)
    with relay as mail:
        await walked_and_refused(service_processes, mail)


async def walked_and_refused(service_processes, mail) -> None:
    processes = {name: service_processes(name) for name in SERVICES + SUBSCRIBERS}
    smtp = {"WARTA_SMTP_HOST": mail.host, "WARTA_SMTP_PORT": str(mail.port), "WARTA_SMTP_CA_FILE": mail.ca_file}
    for process in processes.values():
        # The notifier's directory stays empty: each notice it cannot deliver is a warning
        # written while the event that caused it is handled.
        process.start(WARTA_LOG_FORMAT="json", **smtp)
    urls = {name: p.url for name, p in processes.items()}
    walked = await walk(urls, token_for, straight=True, patience=60)
    async with httpx.AsyncClient(base_url=urls["intake"], timeout=30) as intake:
        writer = {"Authorization": f"Bearer {token_for('dewi.penulis', Role.COVERAGE_TEAM)}"}
        refused = await intake.post(f"/requests/{walked.request_id}/decline", json={"reason": "x"}, headers=writer)
        assert refused.status_code == 403, refused.text
    for process in processes.values():
        process.stop()  # its last lines written

    logs = {name: lines_of(p.log()) for name, p in processes.items()}
    for name, lines in logs.items():
        for line in lines:
            assert set(line) >= FIELDS, (name, line)
            assert line["service"] == name, line
            datetime.fromisoformat(line["time"])
    assert not [line for line in logs["intake"] if line["logger"].startswith("fontTools")]

    handled = [line for line in logs["notifier"] if "event_id" in line]
    assert handled, logs["notifier"]
    for line in handled:
        assert line["request_id"] == walked.request_id, line
        assert line["event_type"].startswith("warta."), line
    [audit] = [line for line in logs["intake"] if line["logger"] == "warta.audit"]
    assert (audit["officer_id"], audit["request_id"], audit["level"]) == (
        "dewi.penulis",
        walked.request_id,
        "WARNING",
    )
    print(f"log lines read: {sum(map(len, logs.values()))}; while handling events: {len(handled)}")
