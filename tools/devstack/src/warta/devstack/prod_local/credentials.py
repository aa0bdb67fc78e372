"""The namespace's Secrets, with values made for this run by whoever makes them in the cluster: the
operators by hand (docs/operations.md), the MongoDB operator (each user's connection string) and
cert-manager (each Certificate's key pair, from one throwaway authority)."""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import trustme

from .manifests import REPO, Cluster, Manifest, NotOnThisMachine, SecretSource

RUNBOOK = REPO / "docs/operations.md"
# The rented WhatsApp gateway's address is the operators' to store (a Secret); a name that cannot
# resolve stands for it, and the address book sends it to the dev gateway.
WHATSAPP_GATEWAY = "https://whatsapp-gateway.invalid/send"


def password() -> str:
    """As docs/operations.md has operators make them: NATS reads a password its configuration takes
    from the environment as a number when it starts with a digit, and will not start."""
    return "w" + secrets.token_hex(32)


def runbook_secrets(services: Iterable[str]) -> set[str]:
    """The Secrets the runbook's first deploy step tells the operators to create by hand, its
    ``<service>`` read as each of ``services``."""
    text = RUNBOOK.read_text()
    step = text.split("## Deploy (first time)", 1)[-1].split("\n2. ", 1)[0]
    names = re.findall(r"`(warta-[a-z<>-]+)`", step)
    return {name.replace("<service>", service) for name in names for service in services}


@dataclass
class Secrets(SecretSource):
    """Secret name -> key -> value. A Secret nobody made here is one the runbook tells the
    operators to generate (``openssl rand``): it gets a random value. Any other is missing, as the
    pod naming it would find it in the cluster; unless ``strict`` is off, when it is generated too
    and noted in ``unmade`` (a drill need not stop for a line the runbook lacks)."""

    services: tuple[str, ...]  # what the runbook's ``<service>`` stands for: the Deployments
    strict: bool = True
    data: dict[str, dict[str, str]] = field(default_factory=dict)
    unmade: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.runbook = runbook_secrets(self.services)

    def put(self, name: str, **keys: str) -> None:
        self.data.setdefault(name, {}).update(keys)

    def key(self, name: str, key: str, optional: bool = False) -> str | None:
        found = self.all(name, optional)
        if key in found or isinstance(found, _Generated):
            return found[key]
        if optional:
            return None
        raise NotOnThisMachine(f"Secret {name!r} has no key {key!r}")

    def all(self, name: str, optional: bool = False) -> dict[str, str]:
        if name not in self.data and name in self.runbook:
            self.data[name] = _Generated()
        elif name not in self.data and not optional and not self.strict:
            self.unmade.add(name)
            self.data[name] = _Generated()
        if name in self.data:
            return self.data[name]
        if optional:
            return {}
        raise NotOnThisMachine(
            f"the namespace has no Secret {name!r}, and docs/operations.md does not say to create it"
        )


class _Generated(dict[str, str]):
    """A Secret the operators generate (``openssl rand``): whatever key is read has a random value."""

    def __missing__(self, key: str) -> str:
        self[key] = password()
        return self[key]


def nats_secrets(values: Manifest, store: Secrets) -> None:
    """The NATS users' passwords: each Secret the chart's container reads them from."""
    for item in values.get("container", {}).get("env", {}).values():
        ref = item.get("valueFrom", {}).get("secretKeyRef") if isinstance(item, dict) else None
        if ref:
            store.put(ref["name"], **{ref["key"]: password()})


def database_secrets(cluster: Cluster, store: Secrets) -> None:
    """Each database user's password (made by hand), then the connection string the operator
    writes for it: ``mongodb://user:password@<every member>/<its db>?replicaSet=<name>&ssl=...``
    with the resource's and the user's ``additionalConnectionStringConfig``."""
    resource = cluster.mongodb()
    name, spec = resource["metadata"]["name"], resource["spec"]
    namespace = resource["metadata"].get("namespace", cluster.namespace)
    hosts = ",".join(f"{name}-{i}.{name}-svc.{namespace}.svc.cluster.local:27017" for i in range(int(spec["members"])))
    tls = bool(spec.get("security", {}).get("tls", {}).get("enabled"))
    for user in spec["users"]:
        ref = user["passwordSecretRef"]
        secret = password()
        store.put(ref["name"], **{ref.get("key", "password"): secret})
        options = {"replicaSet": name, "ssl": str(tls).lower()}
        options |= {k: str(v) for k, v in spec.get("additionalConnectionStringConfig", {}).items()}
        options |= {k: str(v) for k, v in user.get("additionalConnectionStringConfig", {}).items()}
        login = f"{quote(user['name'], safe='')}:{quote(secret, safe='')}"
        url = f"mongodb://{login}@{hosts}/{user['db']}?{urlencode(options, safe='/')}"
        store.put(
            user["connectionStringSecretName"],
            **{"connectionString.standard": url, "username": user["name"], "password": secret},
        )


def certificate_secrets(cluster: Cluster, store: Secrets) -> trustme.CA:
    """Each cert-manager Certificate's Secret (``ca.crt``, ``tls.crt``, ``tls.key``), issued by
    one throwaway authority for its names and for this machine's address, where it is served."""
    authority = trustme.CA()
    ca = authority.cert_pem.bytes().decode()
    for certificate in cluster.of_kind("Certificate").values():
        spec = certificate["spec"]
        if spec.get("isCA"):
            pair = (ca, authority.private_key_pem.bytes().decode())
        else:
            names = [*spec.get("dnsNames", []), *([spec["commonName"]] if "commonName" in spec else []), "127.0.0.1"]
            leaf = authority.issue_cert(*names)
            pair = ("".join(p.bytes().decode() for p in leaf.cert_chain_pems), leaf.private_key_pem.bytes().decode())
        store.put(spec["secretName"], **{"ca.crt": ca, "tls.crt": pair[0], "tls.key": pair[1]})
    return authority


def stand_in_secrets(store: Secrets, *, client_secret: str, website_password: str, gateway_token: str) -> None:
    """The Secrets the operators create whose values must agree with something outside: the
    console's client at the provider, the website's account, the WhatsApp gateway. (The
    publisher's own access token is put in once the provider has issued it.)"""
    store.put("warta-console-oidc", **{"client-secret": client_secret})
    store.put("warta-publisher-wordpress", password=website_password)
    store.put("warta-notifier-whatsapp", url=WHATSAPP_GATEWAY, token=gateway_token)
