"""With the city's sign-in, a service will not start on an address it would reach or give people
that is this machine's, or missing: it exits naming the setting, before sending anything anywhere."""

import os
import subprocess
import sys

import pytest

from warta.runtime import ServiceSettings
from warta.runtime.addresses import Reach, problem
from warta.runtime.mailer import MailSettings


class MailingSettings(ServiceSettings, MailSettings):
    """A service that sends email, as the notifier and the publisher are."""

    service_name: str = "mailing"


PRODUCTION = {
    "WARTA_AUTH_MODE": "oidc",
    "WARTA_AUTH_ISSUER": "https://sso.tangerangkota.go.id/realms/pemkot",
    "WARTA_AUTH_JWKS_URL": "https://sso.tangerangkota.go.id/realms/pemkot/certs",
    "WARTA_NATS_URL": "nats://nats:4222",
    "WARTA_MONGODB_URL": "mongodb://warta-mongodb-svc:27017/?replicaSet=warta-mongodb",
}


@pytest.mark.parametrize(
    ("reach", "value", "wrong"),
    [
        (Reach.NEARBY, "127.0.0.1", "this machine"),
        (Reach.NEARBY, "localhost", "this machine"),
        (Reach.NEARBY, "http://[::1]:8180/send", "this machine"),
        (Reach.NEARBY, "http://0.0.0.0:8101", "this machine"),
        (Reach.NEARBY, "nats://nats-0:4222,nats://127.0.0.1:4222", "this machine"),
        (Reach.NEARBY, None, "not set"),
        (Reach.NEARBY, "  ", "not set"),
        (Reach.PUBLIC, "http://publisher:8105", "public https"),  # the cluster's own name
        (Reach.PUBLIC, "https://publisher", "public https"),
        (Reach.PUBLIC, "http://warta.tangerangkota.go.id", "public https"),
    ],
)
def test_an_address_production_cannot_use_is_named(reach, value, wrong):
    said = problem("WARTA_X", reach, value)
    assert said is not None
    assert "WARTA_X" in said
    assert wrong in said


@pytest.mark.parametrize(
    ("reach", "value"),
    [
        (Reach.NEARBY, "smtp.tangerangkota.go.id"),
        (Reach.NEARBY, "http://intake:8101"),
        (Reach.NEARBY, "nats://nats-0.nats:4222,nats://nats-1.nats:4222"),
        (Reach.PUBLIC, "https://warta.tangerangkota.go.id"),
    ],
)
def test_an_address_production_can_use_passes(reach, value):
    assert problem("WARTA_X", reach, value) is None


def test_settings_under_oidc_refuse_a_relay_on_this_machine_and_allow_it_in_development():
    production = {k.removeprefix("WARTA_").lower(): v for k, v in PRODUCTION.items()}
    with pytest.raises(ValueError, match=r"WARTA_SMTP_HOST='127\.0\.0\.1' is this machine"):
        MailingSettings(**production)
    assert MailingSettings(**production, smtp_host="smtp.tangerangkota.go.id").smtp_host == "smtp.tangerangkota.go.id"
    assert ServiceSettings(service_name="intake").nats_url == "nats://127.0.0.1:4222"  # dev: the default


def test_the_traces_collector_may_be_left_unset_in_production_but_not_at_this_machine():
    production = {k.removeprefix("WARTA_").lower(): v for k, v in PRODUCTION.items()}
    assert ServiceSettings(service_name="intake", **production).otlp_endpoint is None  # tracing off
    with pytest.raises(ValueError, match=r"WARTA_OTLP_ENDPOINT='http://127\.0\.0\.1:4318' is this machine"):
        ServiceSettings(service_name="intake", **production, otlp_endpoint="http://127.0.0.1:4318")
    collector = "http://opentelemetry-collector.monitoring.svc:4318"
    assert ServiceSettings(service_name="intake", **production, otlp_endpoint=collector).otlp_endpoint == collector


def test_nats_url_takes_a_cluster_as_a_list_of_servers():
    settings = ServiceSettings(service_name="intake", nats_url="nats://nats-0:4222, nats://nats-1:4222,")
    assert settings.nats_servers == ["nats://nats-0:4222", "nats://nats-1:4222"]


def test_a_publisher_started_for_production_with_the_relay_on_this_machine_exits_naming_it():
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env |= PRODUCTION | {
        "WARTA_PUBLIC_URL": "https://warta.tangerangkota.go.id",
        "WARTA_SMTP_HOST": "127.0.0.1",
        "WARTA_HTTP_PORT": "0",
    }
    started = subprocess.run(
        [sys.executable, "-m", "warta.publisher"], env=env, capture_output=True, text=True, timeout=60
    )
    assert started.returncode != 0
    assert "WARTA_SMTP_HOST='127.0.0.1' is this machine" in started.stderr, started.stderr
    assert "Traceback" not in started.stderr  # a line for the operator, not a stack
