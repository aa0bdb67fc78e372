"""The whole overlay brought up here, in the order a cluster's operators bring it up."""

import contextlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from warta.console.pages import TOKEN_COOKIE
from warta.contracts import Role
from warta.runtime import ServiceSettings

from ..demo import ADMIN, PHOTOGRAPHER, SECTION_HEAD, SOCIAL_MEDIA, TEAM_LEAD, VIDEOGRAPHER, WRITER
from ..idp import CLIENT_ID, IdentityProvider, identity_provider
from ..otlp import otlp_receiver
from ..servers import free_port
from ..smtp import SmtpServer, smtp_server
from ..whatsapp import Gateway, whatsapp_gateway
from ..wordpress import WordPressSite, wordpress_site
from .addresses import StandIns, address_book, ingress_proxy, ingress_routes
from .bus import NatsCluster, nats_cluster
from .credentials import Secrets, certificate_secrets, database_secrets, nats_secrets, password, stand_in_secrets
from .database import Database, database
from .manifests import Cluster, NotOnThisMachine
from .pods import Pod, check_production_settings, plan, stop_all

# The walk's officers, and the publisher's own account at the city's provider: the coverage
# service lets the subject ``publisher`` (its ``asset_readers``) fetch any request's photos.
PUBLISHER_ACCOUNT = ("publisher", Role.COVERAGE_TEAM)
OFFICERS = (ADMIN, SECTION_HEAD, TEAM_LEAD, WRITER, PHOTOGRAPHER, VIDEOGRAPHER, SOCIAL_MEDIA, PUBLISHER_ACCOUNT)
ASSET_TOKEN = ("warta-publisher-assets", "token")  # where the operators keep the publisher's token

FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def sign_in(public_url: str, officer_id: str) -> str:
    """An officer signs in at the console's public address through the provider's own login page,
    as a browser does (the dev provider takes any password); the console's cookie then holds the
    access token the provider issued, which the services accept."""
    with httpx.Client(timeout=60) as client:
        response = client.get(f"{public_url}/masuk/oidc")
        for _ in range(20):
            if TOKEN_COOKIE in response.cookies:
                return str(response.cookies[TOKEN_COOKIE])
            if response.is_redirect:
                response = client.get(urljoin(str(response.url), response.headers["location"]))
                continue
            form = FORM.search(response.text)
            if form is None:
                break
            data = {name: html.unescape(value) for name, value in HIDDEN.findall(form.group(2))}
            if 'name="login"' in form.group(2):
                data |= {"login": officer_id, "password": "rahasia"}
            response = client.post(urljoin(str(response.url), html.unescape(form.group(1))), data=data)
    raise NotOnThisMachine(
        f"{officer_id} could not sign in at {public_url}: {response.status_code} {response.text[:300]}"
    )


@dataclass
class Production:
    """The prod overlay running here."""

    cluster: Cluster
    nats: NatsCluster
    database: Database
    pods: dict[str, Pod]
    smtp: SmtpServer
    gateway: Gateway
    website: WordPressSite
    public_url: str
    tokens: dict[str, str]
    unmade: set[str]  # Secrets a pod reads that nobody here or in the runbook makes

    @property
    def stream(self) -> str:
        rendered = self.pods["intake"].spec.rendered
        return rendered.get("WARTA_STREAM_NAME", str(ServiceSettings.model_fields["stream_name"].default))

    def token_for(self, officer_id: str, role: Role) -> str:
        return self.tokens[officer_id]


@contextlib.contextmanager
def production(cluster: Cluster, work: Path) -> Iterator[Production]:
    """NATS and the database as the chart and the operator make them, the stand-ins outside, the
    Ingress, the console (the officers and the publisher sign in through it, at the public
    address), then every other Deployment at once; each checked with production's own rules first.

    Long: the bring-up in the order a cluster's operators follow it, a few lines a step."""
    with contextlib.ExitStack() as stack:
        store = Secrets(tuple(cluster.deployments()), strict=False)
        nats_secrets(cluster.nats_values, store)
        database_secrets(cluster, store)
        certificate_secrets(cluster, store)
        bus = nats_cluster(cluster.nats_values, store, work / "nats")
        stack.callback(bus.stop)
        bus.start()
        db = database(cluster, store, work)
        stack.callback(db.server.stop)
        # The city's relay takes mail only from the senders' own logins (their Secrets).
        logins = {f"warta-{sender}": password() for sender in ("publisher", "notifier")}
        for user, secret in logins.items():
            store.put(f"{user}-smtp", username=user, password=secret)
        smtp = stack.enter_context(smtp_server(work, logins=logins))
        gateway = stack.enter_context(whatsapp_gateway(token=password()))
        website = stack.enter_context(wordpress_site(work / "wordpress"))
        collector = stack.enter_context(otlp_receiver())
        ports = {
            name: {p: free_port() for p in cluster.container_ports(name).values()} for name in cluster.deployments()
        }
        ingress = {host: stack.enter_context(ingress_proxy(p, ports)) for host, p in ingress_routes(cluster).items()}
        planned = IdentityProvider(issuer=f"http://127.0.0.1:{free_port()}", client_id=CLIENT_ID, client_secret="")
        here = StandIns(
            nats=bus.urls,
            nats_nodes=[n.name for n in bus.nodes],
            mongodb=db.hostport,
            mongodb_set=db.set_name,
            issuer=planned.issuer,
            jwks=planned.jwks_url,
            smtp=(smtp.host, smtp.port),
            website=website.url,
            gateway=gateway.url,
            collector=collector.url,
            ports=ports,
            ingress=ingress,
        )
        book = address_book(cluster, here)
        public = book.url(cluster.setting("console", "WARTA_PUBLIC_URL") or "", "the console's WARTA_PUBLIC_URL")
        officers = {officer_id: (officer_id, role) for officer_id, role in OFFICERS}
        idp = stack.enter_context(
            identity_provider(
                officers,
                [f"{public}/masuk/kembali"],
                port=int(planned.issuer.rsplit(":", 1)[1]),
                log_path=work / "idp.log",
            )
        )
        assert idp.issuer == planned.issuer, (idp.issuer, planned.issuer)
        stand_in_secrets(
            store,
            client_secret=idp.client_secret,
            website_password=website.application_password,
            gateway_token=gateway.token,
        )
        bus.wait_healthy()

        pods = {name: Pod(spec) for name, spec in plan(cluster, store, book, here, smtp.ca_file, work / "pods").items()}
        stack.callback(stop_all, pods)
        check_production_settings(cluster, {"console": pods["console"].spec})
        pods["console"].start()
        pods["console"].wait_ready()
        tokens = {officer_id: sign_in(public, officer_id) for officer_id, _ in OFFICERS}
        store.put(ASSET_TOKEN[0], **{ASSET_TOKEN[1]: tokens[PUBLISHER_ACCOUNT[0]]})
        specs = plan(cluster, store, book, here, smtp.ca_file, work / "pods")
        rest = {name: spec for name, spec in specs.items() if name != "console"}
        check_production_settings(cluster, rest)
        for name, spec in rest.items():
            pods[name].spec = spec
            pods[name].start()
        for pod in pods.values():
            pod.wait_ready()
        yield Production(cluster, bus, db, pods, smtp, gateway, website, public, tokens, store.unmade)
