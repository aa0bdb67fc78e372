"""Every refused action is in the audit log with who asked, what and why, and counted in
``warta_denied_requests_total`` by reason."""

import logging

from warta.contracts import Role


async def test_a_refused_action_is_logged_with_officer_action_and_reason_and_counted(namespace, apps, caplog):
    intake = apps["intake"]
    caplog.set_level(logging.WARNING, logger="warta.audit")

    # A writer of the coverage team uploading a letter scan: the administrator's step.
    headers = namespace.token(Role.COVERAGE_TEAM, "dewi.penulis")
    refused = await intake.post("/scans", content=b"%PDF-1.4", headers=headers)
    assert refused.status_code == 403
    assert (await intake.get("/inbox")).status_code == 401  # no token at all
    tampered = {"Authorization": headers["Authorization"][:-4] + "AAAA"}
    assert (await intake.get("/inbox", headers=tampered)).status_code == 401
    print("injected: a writer uploading a letter scan, a call without a token, one with a tampered token")

    lines = [r.getMessage() for r in caplog.records if r.name == "warta.audit"]
    assert len(lines) == 3
    assert lines[0].startswith("forbidden: POST /scans by dewi.penulis (coverage_team): uploading a letter scan is")
    assert lines[1] == "unauthenticated: GET /inbox by no valid token: missing bearer token"
    assert lines[2].startswith("unauthenticated: GET /inbox by no valid token: invalid token: Signature")

    metrics = (await intake.get("/metrics")).text
    assert 'warta_denied_requests_total{reason="forbidden"} 1.0' in metrics
    assert 'warta_denied_requests_total{reason="unauthenticated"} 2.0' in metrics
    print("checked: three audit lines naming officer, action and reason; the counter by reason")
