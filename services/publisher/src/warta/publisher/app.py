"""Composition root of the publisher service."""

from fastapi import FastAPI
from pydantic import Field, SecretStr

from warta.runtime import ServiceRuntime, ServiceSettings

from . import api, registry_api
from .handlers import EmailHandlers, PublisherHandlers, RegistryHandlers
from .mailer import Mailer, RelaySettings
from .store import DeliveryLedger, PublisherStore, RegistryStore, create_indexes
from .subscribers import subscribe


class PublisherSettings(ServiceSettings):
    service_name: str = "publisher"
    http_port: int = 8105
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = True
    smtp_ca_file: str | None = Field(default=None, description="CA of the relay's certificate, if not a public one.")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "Prokopim Kota Tangerang <prokopim@tangerangkota.go.id>"
    mail_concurrency: int = Field(default=4, ge=1, le=50)
    mail_per_second: float = Field(default=20, gt=0, description="The relay's rate limit.")
    public_url: str | None = Field(default=None, description="Base of links in emails; default: own host and port.")


def create_app(settings: PublisherSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    settings = settings or PublisherSettings()
    runtime = runtime or ServiceRuntime(settings)
    runtime.on_start(create_indexes)
    store = PublisherStore(runtime.db)
    handlers = PublisherHandlers(store, runtime.uow, runtime.clock, runtime.metrics)
    subscribe(runtime.bus, handlers)
    contacts = RegistryStore(runtime.db)
    registry = RegistryHandlers(contacts, runtime.uow, runtime.clock)
    relay = RelaySettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        starttls=settings.smtp_starttls,
        ca_file=settings.smtp_ca_file,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
    )
    email = EmailHandlers(
        store,
        contacts,
        DeliveryLedger(runtime.db),
        Mailer(relay),
        runtime.clock,
        runtime.metrics,
        sender=settings.mail_from,
        public_url=settings.public_url or f"http://{settings.http_host}:{settings.http_port}",
        concurrency=settings.mail_concurrency,
        per_second=settings.mail_per_second,
    )
    return runtime.http_app(
        title="Warta publisher",
        routers=[api.router, registry_api.router],
        state={"handlers": handlers, "registry": registry, "email": email},
    )
