"""The committed typed models are what the services' OpenAPI documents generate today: a service
that renames or drops a field the console reads makes this fail until the models are generated
again (``python -m warta.devstack console-clients``) and the pages that read it are mended."""

import pytest

from warta.devstack.clients import stale


@pytest.mark.slow
def test_the_consoles_typed_clients_follow_each_services_openapi_document():
    assert stale() == [], "run: python -m warta.devstack console-clients"
