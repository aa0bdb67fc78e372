"""Each service is its own database user, allowed to read and write its own database only: proved
for every pair on a real MongoDB-wire server requiring authentication. ``make up`` runs the
services with these users, so its test walks a whole request under them."""

import secrets

import pytest
from pymongo import AsyncMongoClient, InsertOne
from pymongo.errors import OperationFailure

from warta.devstack.demo import SERVICES, SUBSCRIBERS
from warta.devstack.servers import embedded_mongo, mongodb_login, mongodb_url, require_database_users
from warta.runtime.bulk import write_together

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
            # The unit of work's combined write: a command on ``admin`` naming its collections.
            await write_together(client, [InsertOne({"_id": "together"}, namespace=f"{own.name}.probe")], None)
            assert await own.probe.count_documents({}) == 2
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


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    raises=pytest.fail.Exception,  # "DID NOT RAISE": the write went through
    reason="SecantusDB runs a bulkWrite for any signed-in user without checking its namespaces (ADR 0004); "
    "MongoDB checks each one. Strict: the day SecantusDB checks them, this passes and the mark must go.",
)
async def test_a_combined_write_into_another_services_database_is_refused(tmp_path):
    server = embedded_mongo(tmp_path / "db")
    server.start()
    try:
        password = secrets.token_urlsafe(16)
        require_database_users(
            server, {"review": ("warta_review", password), "intake": ("warta_intake", "x" + password)}, password
        )
        client: AsyncMongoClient[dict] = AsyncMongoClient(mongodb_login(mongodb_url(server), "warta-review", password))
        forged = [InsertOne({"_id": "forged"}, namespace="warta_intake.requests")]
        with pytest.raises(OperationFailure) as refused:
            await write_together(client, forged, None)
        assert refused.value.code == UNAUTHORIZED
        await client.close()
    finally:
        server.stop()
