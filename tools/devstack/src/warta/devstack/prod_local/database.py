"""The database as the MongoDB operator makes it from the ``MongoDBCommunity`` resource: its users
with their roles and passwords, TLS with the key pair of its Secret when the resource asks for it;
SecantusDB standing in for the three members (a single-node replica set)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pymongo import MongoClient

from ..servers import ManagedProcess, embedded_mongo
from .credentials import Secrets, password
from .manifests import Cluster


@dataclass
class Database:
    server: ManagedProcess
    set_name: str
    admin_url: str  # a user with every right, as the operator keeps one, for the checks

    @property
    def hostport(self) -> str:
        return f"127.0.0.1:{self.server.port}"


def _tls(cluster: Cluster, store: Secrets, folder: Path) -> tuple[list[str], str]:
    """The server's TLS flags and the client options, from the resource's key pair Secret."""
    tls = cluster.mongodb()["spec"].get("security", {}).get("tls", {})
    if not tls.get("enabled"):
        return [], ""
    pair = store.all(tls["certificateKeySecretRef"]["name"])
    authority = store.all(tls.get("caCertificateSecretRef", tls["certificateKeySecretRef"])["name"])
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("tls.crt", pair["tls.crt"]), ("tls.key", pair["tls.key"]), ("ca.crt", authority["ca.crt"])):
        (folder / name).write_text(text)
    (folder / "tls.key").chmod(0o600)
    flags = ["--tls-cert-file", str(folder / "tls.crt"), "--tls-key-file", str(folder / "tls.key")]
    return flags, f"&tls=true&tlsCAFile={quote(str(folder / 'ca.crt'), safe='/')}"


def database(cluster: Cluster, store: Secrets, work: Path) -> Database:
    """SecantusDB with each user of the resource, its roles in their databases and its password
    from its Secret, then authentication required."""
    server = embedded_mongo(work / "database")
    flags, tls = _tls(cluster, store, work / "database" / "tls")
    server.argv += flags
    server.start()
    admin = ("prod-local-admin", password())
    client: MongoClient[dict[str, Any]]
    with MongoClient(f"mongodb://127.0.0.1:{server.port}/?directConnection=true{tls}") as client:
        set_name = str(client.admin.command("hello")["setName"])
        for user in cluster.mongodb()["spec"]["users"]:
            ref = user["passwordSecretRef"]
            roles = [{"role": r["name"], "db": r["db"]} for r in user["roles"]]
            secret = store.key(ref["name"], ref.get("key", "password"))
            client[user["db"]].command("createUser", user["name"], pwd=secret, roles=roles)
        client.admin.command("createUser", admin[0], pwd=admin[1], roles=[{"role": "root", "db": "admin"}])
    server.argv.append("--auth")
    server.restart()
    url = f"mongodb://{admin[0]}:{admin[1]}@127.0.0.1:{server.port}/admin?directConnection=true{tls}"
    return Database(server, set_name, url)
