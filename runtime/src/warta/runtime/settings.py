"""Configuration from the environment (``WARTA_`` prefix); nothing connects at import time."""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from warta.contracts import DEFAULT_SUBJECT_PREFIX

DEV_SECRET = "warta-dev-secret-not-for-production-use"


class ServiceSettings(BaseSettings):
    """Settings every service has; each service subclasses it to set its own defaults."""

    model_config = SettingsConfigDict(env_prefix="WARTA_", extra="ignore")

    service_name: str = Field(description="Short name of the service, e.g. intake.")

    nats_url: str = "nats://127.0.0.1:4222"
    stream_name: str = "WARTA"
    subject_prefix: str = DEFAULT_SUBJECT_PREFIX
    stream_duplicate_window_seconds: float = Field(
        default=600.0, gt=0, description="How long JetStream remembers Nats-Msg-Id for dedupe."
    )
    stream_replicas: int = Field(default=1, ge=1, le=5)
    max_deliver: int = Field(default=6, ge=2, description="Deliveries before dead-lettering.")
    redelivery_backoff_seconds: tuple[float, ...] = (1.0, 5.0, 15.0, 30.0, 60.0)
    ack_wait_seconds: float = Field(default=30.0, gt=0)

    mongodb_url: str = "mongodb://127.0.0.1:27017/?directConnection=true"
    mongodb_database: str = ""

    outbox_sweep_seconds: float = Field(
        default=5.0, gt=0, description="Backstop interval; the relay normally runs right after commit."
    )

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)

    auth_mode: Literal["dev", "oidc"] = "dev"
    auth_dev_secret: SecretStr = SecretStr(DEV_SECRET)
    auth_issuer: str = "warta-dev"
    auth_audience: str = "warta"
    auth_jwks_url: str | None = None
    auth_role_claim: str = "warta_role"
    auth_leeway_seconds: int = Field(default=30, ge=0, le=300)

    timezone: str = "Asia/Jakarta"

    def database_name(self) -> str:
        return self.mongodb_database or f"warta_{self.service_name}"
