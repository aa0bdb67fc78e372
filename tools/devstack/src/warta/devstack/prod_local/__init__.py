"""Production on loopback: the prod overlay's Deployments run on this machine exactly as their pods
are configured, beside a three-node NATS cluster built from the chart values, the database with the
users the MongoDB operator makes, and stand-ins for what lies outside the cluster.

Taken from the rendered manifests, unchanged: each container's command (the image's entrypoint from
``deploy/docker/Dockerfile``, the Deployments setting none), the image's environment, the ConfigMaps
it reads (``envFrom``, first) and its ``env`` (overriding them, ``$(VAR)`` expanded), its volumes,
every Secret by name and key, each user of the ``MongoDBCommunity`` resource with its roles and the
connection string the operator writes for it, the Ingress's paths, and the NATS configuration the
chart renders from ``deploy/nats/values.yaml`` (routes, JetStream with its ``sync_interval``, the
users and their permissions).

Changed: only where things are (``addresses.AddressBook``). Each cluster name (a Service and port,
the NATS release, the database members and its replica set's name) and each host outside (the
identity provider, the mail relay, the website, the WhatsApp gateway, the public address behind the
Ingress) goes to what stands in for it here; an address nothing here stands in for is refused. A
pod's own ports and its mounted files move to their places here. Added: ``WARTA_LOOPBACK_PEERS=true``
(ADR 0023: without it a service with the city's sign-in refuses this machine's addresses) and
``SSL_CERT_FILE``, the trust store the image's would be, holding the test mail relay's authority.
Before anything moves, each pod's settings are read from the environment it gets in the cluster,
with production's check on (``pods.check_production_settings``): a setting a Deployment lacks stops
the bring-up there, naming it.

``python -m warta.devstack.prod_local`` (``make prod-local``) brings it up and runs the drill.
"""

from .drill import Drill, Evidence, Kill, drill, evidence
from .manifests import Cluster, NotOnThisMachine, chart_values, render
from .system import Production, production

__all__ = [
    "Cluster",
    "Drill",
    "Evidence",
    "Kill",
    "NotOnThisMachine",
    "Production",
    "chart_values",
    "drill",
    "evidence",
    "production",
    "render",
]
