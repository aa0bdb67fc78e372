"""Composition root of the notifier service."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from pydantic import Field, SecretStr

from warta.runtime import ServiceRuntime, ServiceSettings
from warta.runtime.addresses import Reach, reaching
from warta.runtime.mailer import Mailer, MailSettings
from warta.runtime.registry import port

from . import api
from .channels import EmailChannel, Gateway, WhatsAppChannel
from .domain import Channel
from .handlers import NotifierHandlers, Rules
from .store import NotifierStore, create_indexes
from .subscribers import subscribe


class NotifierSettings(ServiceSettings, MailSettings):
    service_name: str = "notifier"
    http_port: int = port("notifier")
    warn_at: float = Field(default=0.8, gt=0, lt=1, description="Share of a standard at which the officers are warned.")
    console_url: str = reaching(
        Reach.PUBLIC, "http://127.0.0.1:8108", description="Base of the links to a request's page (the console)."
    )
    urgent_within_minutes: int = Field(
        default=120, ge=0, description="An event this close, or under way, is worth a message in quiet hours."
    )
    mail_from: str = "Warta Prokopim <warta@tangerangkota.go.id>"
    whatsapp_url: str = reaching(
        Reach.NEARBY, "http://127.0.0.1:8180/send", description="The WhatsApp gateway's send URL."
    )
    whatsapp_token: SecretStr = SecretStr("")
    whatsapp_template: str = Field(
        default="*Warta Prokopim*\n{text}", description="The message as sent; {text} is the notice."
    )
    notify_every_seconds: float = Field(default=5, gt=0, description="How often timers are checked and messages sent.")


def create_app(settings: NotifierSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    settings = settings or NotifierSettings()
    runtime = runtime or ServiceRuntime(settings)
    runtime.on_start(create_indexes)
    mailer = Mailer(settings.relay())
    runtime.in_background(mailer.tend)
    gateway = Gateway(
        url=settings.whatsapp_url,
        token=settings.whatsapp_token.get_secret_value(),
        template=settings.whatsapp_template,
        timeout=settings.smtp_timeout,
    )
    handlers = NotifierHandlers(
        NotifierStore(runtime.db),
        runtime.uow,
        runtime.clock,
        runtime.metrics,
        Rules(
            warn_ratio=settings.warn_at,
            console_url=settings.console_url,
            urgent_within=timedelta(minutes=settings.urgent_within_minutes),
            zone=ZoneInfo(settings.timezone),
        ),
        {Channel.EMAIL: EmailChannel(mailer, settings.mail_from), Channel.WHATSAPP: WhatsAppChannel(gateway)},
        # A claim outlives any live sender twice over.
        claim_lease=2 * max(mailer.longest, timedelta(seconds=gateway.timeout)),
    )
    subscribe(runtime.bus, handlers)

    async def notify() -> None:
        await handlers.run(settings.notify_every_seconds)

    runtime.in_background(notify)
    return runtime.http_app(title="Warta notifier", routers=[api.router], state={"handlers": handlers})
