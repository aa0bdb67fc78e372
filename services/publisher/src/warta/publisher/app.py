"""Composition root of the publisher service."""

from datetime import timedelta
from typing import Literal, Self

from fastapi import FastAPI
from pydantic import Field, SecretStr, model_validator

from warta.contracts import Role
from warta.runtime import ServiceRuntime, ServiceSettings
from warta.runtime.addresses import Reach, reaching
from warta.runtime.auth import issue_dev_token
from warta.runtime.mailer import Mailer, MailSettings
from warta.runtime.registry import port

from . import api, opt_out_api, registry_api
from .assets import AssetFetcher, Attribution
from .domain import WEBSITE_LEASE
from .handlers import EmailHandlers, PublisherHandlers, RegistryHandlers
from .opt_out import OptOutLinks
from .store import DeliveryLedger, PublisherStore, RegistryStore, create_indexes
from .subscribers import subscribe
from .webhook import WebhookChannel
from .website import WebsiteChannel
from .wordpress import WordPressChannel

DEV_OPT_OUT_SECRET = "warta-dev-opt-out-secret"


class PublisherSettings(ServiceSettings, MailSettings):
    service_name: str = "publisher"
    http_port: int = port("publisher")
    mail_from: str = "Prokopim Kota Tangerang <prokopim@tangerangkota.go.id>"
    mail_concurrency: int = Field(default=4, ge=1, le=50)
    mail_per_second: float = Field(default=20, gt=0, description="The relay's rate limit.")
    mail_attachments_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=0, description="Photos attached to each media email, at most this many bytes."
    )
    photo_credit: str = Field(default="Prokopim Kota Tangerang", description="The section's credit on every photo.")
    photo_copyright: str = Field(default="Pemerintah Kota Tangerang", description="Who holds the photos' copyright.")
    public_url: str | None = reaching(
        Reach.PUBLIC, None, description="Base of links in emails (the media's opt-out); default: own host and port."
    )
    opt_out_secret: SecretStr = Field(
        default=SecretStr(DEV_OPT_OUT_SECRET),
        description="Signs the opt-out link in each media email; rotate it to revoke every link sent so far.",
    )
    website_channel: Literal["manual", "wordpress", "webhook"] = Field(
        default="manual", description="manual: officers post by hand and record the address."
    )
    website_category: str = "Siaran Pers"
    website_timeout: float = Field(default=30, gt=0)
    website_lease_seconds: float = Field(
        default=WEBSITE_LEASE.total_seconds(),
        gt=0,
        description="How long one attempt at the website holds it; one whose process died is taken over after it.",
    )
    publish_hold_seconds: float = Field(
        default=15,
        gt=0,
        le=600,
        description="How long one press of publish holds the publication, renewed while its process works; "
        "a press whose process died is taken over after it.",
    )
    wordpress_url: str | None = None
    wordpress_username: str | None = None
    wordpress_application_password: SecretStr | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    asset_token: SecretStr | None = Field(
        default=None, description="Bearer token for the coverage service's photos; dev mode signs its own."
    )

    @model_validator(mode="after")
    def _channel_is_configured(self) -> Self:
        needed = {
            "manual": (),
            "wordpress": ("wordpress_url", "wordpress_username", "wordpress_application_password"),
            "webhook": ("webhook_url", "webhook_secret"),
        }[self.website_channel]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"website_channel={self.website_channel} needs {', '.join(missing)}")
        if self.auth_mode == "oidc" and self.website_channel != "manual" and self.asset_token is None:
            raise ValueError("with OIDC, fetching the photos for the website needs asset_token")
        # The development secret is in this repository: with it anyone could opt any contact out.
        if self.auth_mode == "oidc" and self.opt_out_secret.get_secret_value() == DEV_OPT_OUT_SECRET:
            raise ValueError("with OIDC, opt_out_secret must be the cluster's own (warta-publisher-optout)")
        return self


def website_channel(settings: PublisherSettings) -> WebsiteChannel | None:
    """The configured channel; the settings' validator has made sure its values are there."""

    def secret(value: SecretStr | None) -> str:
        return value.get_secret_value() if value else ""

    match settings.website_channel:
        case "wordpress":
            return WordPressChannel(
                settings.wordpress_url or "",
                settings.wordpress_username or "",
                secret(settings.wordpress_application_password),
                timeout=settings.website_timeout,
            )
        case "webhook":
            return WebhookChannel(
                settings.webhook_url or "", secret(settings.webhook_secret), timeout=settings.website_timeout
            )
    return None


def asset_token(settings: PublisherSettings) -> str:
    if settings.asset_token is not None:
        return settings.asset_token.get_secret_value()
    return issue_dev_token(settings, officer_id="publisher", role=Role.COVERAGE_TEAM, name="Warta publisher")


def create_app(settings: PublisherSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    settings = settings or PublisherSettings()
    runtime = runtime or ServiceRuntime(settings)
    runtime.on_start(create_indexes)
    store = PublisherStore(runtime.db)
    contacts = RegistryStore(runtime.db)
    registry = RegistryHandlers(contacts, runtime.uow, runtime.clock)
    relay = settings.relay()
    opt_out = OptOutLinks(
        settings.opt_out_secret.get_secret_value(),
        settings.public_url or f"http://{settings.http_host}:{settings.http_port}",
    )
    mailer = Mailer(relay, connections=settings.mail_concurrency)
    runtime.in_background(mailer.tend)
    email = EmailHandlers(
        contacts,
        DeliveryLedger(runtime.db),
        mailer,
        runtime.clock,
        runtime.metrics,
        sender=settings.mail_from,
        opt_out=opt_out,
        concurrency=settings.mail_concurrency,
        per_second=settings.mail_per_second,
        attachments_budget=settings.mail_attachments_max_bytes,
    )
    handlers = PublisherHandlers(
        store,
        runtime.uow,
        runtime.clock,
        runtime.metrics,
        email=email,
        website=website_channel(settings),
        assets=AssetFetcher(
            lambda: asset_token(settings),
            timeout=settings.website_timeout,
            attribution=Attribution(credit=settings.photo_credit, copyright_holder=settings.photo_copyright),
        ),
        category=settings.website_category,
        website_lease=timedelta(seconds=settings.website_lease_seconds),
        publish_hold=timedelta(seconds=settings.publish_hold_seconds),
    )
    subscribe(runtime.bus, handlers)
    return runtime.http_app(
        title="Warta publisher",
        routers=[api.router, registry_api.router, opt_out_api.router],
        state={"handlers": handlers, "registry": registry, "opt_out": opt_out, "sender": settings.mail_from},
    )
