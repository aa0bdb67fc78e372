"""The database commands a request sends are counted from the profiler's entries as they are: by
service, command and collection, in a transaction or not, with the profiler's own switching and
its collection left out; what the repository shows is the committed run rendered."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def commands(bench_module):
    return bench_module("commands")


def test_profiler_entries_are_counted_per_request_by_service_command_and_collection(commands):
    in_transaction = {"lsid": {}, "txnNumber": 3, "autocommit": False}
    entries = {
        "intake": [
            {"op": "query", "ns": "d_intake.requests", "command": {"find": "requests", "filter": {}, **in_transaction}},
            {"op": "query", "ns": "d_intake.requests", "command": {"find": "requests", "filter": {}}},
            {"op": "insert", "ns": "d_intake.outbox", "command": {"insert": "outbox", **in_transaction}, "millis": 3},
            {"op": "insert", "ns": "d_intake.outbox", "command": {"insert": "outbox", **in_transaction}, "millis": 0},
            {"op": "command", "ns": "d_intake.$cmd", "command": {"profile": 0}},
            {"op": "insert", "ns": "d_intake.system.profile", "command": {"insert": "system.profile"}},
        ],
        "review": [
            {"op": "getmore", "ns": "d_review.$cmd", "command": {"getMore": 7, "collection": "reviews"}, "millis": 1},
        ],
        "admin": [
            {"op": "command", "ns": "admin.$cmd", "command": {"commitTransaction": 1, **in_transaction}},
            {"op": "command", "ns": "admin.$cmd", "command": {"commitTransaction": 1, **in_transaction}},
            {"op": "command", "ns": "admin.$cmd", "command": {"abortTransaction": 1, **in_transaction}},
            {"op": "command", "ns": "admin.$cmd", "command": {"serverStatus": 1}},
            # Combined writes run on admin and name their service's collections.
            {
                "op": "command",
                "ns": "admin",
                "command": {
                    "bulkWrite": 1,
                    **in_transaction,
                    "ops": [{"insert": 0}, {"update": 1}, {"insert": 1}],
                    "nsInfo": [{"ns": "d_review.step_clocks"}, {"ns": "d_review.outbox"}],
                },
                "millis": 2,
            },
            {"op": "command", "ns": "admin", "command": {"bulkWrite": 1, "nsInfo": [{"ns": "elsewhere.x"}]}},
        ],
    }

    found = commands.tally(entries, requests=2, owners={"d_intake": "intake", "d_review": "review"})

    assert found["commands"] == 3.0
    assert found["by_service"] == {"intake": 2.0, "review": 1.0}
    assert found["by_command"] == {
        "intake · insert outbox (in a transaction)": 1.0,
        "intake · find requests (in a transaction)": 0.5,
        "intake · find requests": 0.5,
        "review · getMore reviews": 0.5,
        "review · bulkWrite step_clocks+outbox (in a transaction)": 0.5,
    }
    assert found["transaction_ends"] == {"commitTransaction": 1.0, "abortTransaction": 0.5}
    # The server's milliseconds, summed by the same key; an entry without them counts none.
    assert found["millis_by_command"] == {
        "intake · insert outbox (in a transaction)": 1.5,
        "review · getMore reviews": 0.5,
        "review · bulkWrite step_clocks+outbox (in a transaction)": 1.0,
        "intake · find requests (in a transaction)": 0.0,
        "intake · find requests": 0.0,
    }


def test_the_committed_commands_are_the_committed_result_rendered(commands):
    result = json.loads((ROOT / "bench/results/commands.json").read_text())
    assert (ROOT / "bench/results/commands.md").read_text() == commands.render_commands(result)
    assert result["commands"] == pytest.approx(sum(result["by_command"].values()))
