"""Each service is its own database user, allowed to read and write its own database only: proved
for every pair on a real MongoDB-wire server requiring authentication. ``make up`` runs the
services with these users, so its test walks a whole request under them."""

import secrets

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

from warta.devstack.demo import SERVICES, SUBSCRIBERS
from warta.devstack.servers import embedded_mongo, mongodb_login, mongodb_url, require_database_users

UNAUTHORIZED = 13


@pytest.mark.slow
async def test_each_service_reads_and_writes_its_own_database_and_no_other(tmp_path):
    everyone = SERVICES + SUBSCRIBERS
    passwords = {service: secrets.token_urlsafe(16) for service in everyone}
    databases = {service: f"warta_{service}" for service in everyone}
    server = embedded_mongo(tmp_path / "db")
    server.start()
    try:
        users = {service: (databases[service], passwords[service]) for service in everyone}
        require_database_users(server, users, secrets.token_urlsafe(16))
        url = mongodb_url(server)
        anonymous: AsyncMongoClient[dict] = AsyncMongoClient(url)
        with pytest.raises(OperationFailure) as refused:
            await anonymous[databases["review"]].reviews.insert_one({"_id": "forged"})
        assert refused.value.code == UNAUTHORIZED
        await anonymous.close()

        for service in everyone:
            login = mongodb_login(url, f"warta-{service}", passwords[service])
            client: AsyncMongoClient[dict] = AsyncMongoClient(login)
            own = client[databases[service]]
            await own.probe.insert_one({"_id": service})
            assert await own.probe.find_one({"_id": service}) == {"_id": service}
            for other in everyone:
                if other == service:
                    continue
                theirs = client[databases[other]]
                for attempt in (theirs.probe.insert_one({"_id": f"from {service}"}), theirs.probe.find_one()):
                    with pytest.raises(OperationFailure) as refused:
                        await attempt
                    assert refused.value.code == UNAUTHORIZED, (service, other)
            await client.close()
            print(f"checked: {service} wrote and read its database and was refused the {len(everyone) - 1} others")
    finally:
        server.stop()
    print(f"injected: each of {len(everyone)} services writing to and reading every database; and no user at all")
