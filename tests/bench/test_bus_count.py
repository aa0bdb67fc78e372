"""The benchmark's count of a system's NATS messages takes its own and nothing else: another
system's on the same server, the server's advisories and the benchmark's wait for the consumers
are left out, and an answer counts only on an inbox one of its own requests named."""


def test_a_system_counts_its_own_messages_by_kind_and_no_one_elses(bench_module):
    ours = bench_module("system").BusCount("BENCHA", "bencha")
    seen = [
        ("bencha.review.approved.v1", "_INBOX.x.1", None),  # an event published
        ("_INBOX.x.1", "", None),  # its confirmation
        ("$JS.API.CONSUMER.MSG.NEXT.BENCHA.publisher", "_INBOX.pull", None),
        ("bencha.review.approved.v1", "$JS.ACK.BENCHA.publisher.1.1.1.1.0", None),  # delivered
        ("$JS.ACK.BENCHA.publisher.1.1.1.1.0", "", None),
        ("$JS.API.CONSUMER.MSG.NEXT.BENCHA.publisher", "_INBOX.pull", None),
        ("_INBOX.pull", "", "408"),  # that fetch ended empty
        ("_INBOX.pull", "", "100"),
        # Another system on the same server:
        ("benchb.review.approved.v1", "_INBOX.y.1", None),
        ("_INBOX.y.1", "", None),
        ("$JS.API.CONSUMER.MSG.NEXT.BENCHB.publisher", "_INBOX.other", None),
        ("_INBOX.other", "", "408"),
        ("$JS.ACK.BENCHB.publisher.1.1.1.1.0", "", None),
        # The server's own, and the benchmark's wait for the consumers:
        ("$JS.EVENT.ADVISORY.API", "", None),
        ("$JS.API.CONSUMER.LIST.BENCHA", "_INBOX.quiet", None),
        ("_INBOX.quiet", "", None),
    ]
    for subject, reply, status in seen:
        ours.seen(subject, reply, status)
    assert dict(ours.kinds) == {
        "events published": 1,
        "replies (publish confirmations, API answers)": 1,
        "fetch requests": 2,
        "events delivered to a consumer": 1,
        "acks": 1,
        "fetches ended without a message": 1,
        "heartbeats": 1,
    }
