"""What the security tests share: the SOP's table of who does what, and the calendar feeds that
are opened by a signed key instead of a token."""

from collections.abc import Callable

import pytest

from warta.contracts import Role
from warta.runtime import registry

ADMIN, SECTION_HEAD, TEAM_LEAD, TEAM = Role.ADMIN, Role.SECTION_HEAD, Role.TEAM_LEAD, Role.COVERAGE_TEAM
SUPERVISORS = {ADMIN, SECTION_HEAD, TEAM_LEAD}

# (service, method, path) -> the roles the SOP gives that action; endpoints not named are open to
# every signed-in officer of the section.
ONLY: dict[tuple[str, str, str], set[Role]] = {
    ("intake", "POST", "/scans"): {ADMIN},
    ("intake", "POST", "/requests"): {ADMIN},
    ("intake", "PATCH", "/requests/{request_id}"): {ADMIN},
    ("intake", "POST", "/requests/{request_id}/disposition-sheet"): {ADMIN},
    ("intake", "POST", "/requests/{request_id}/disposition"): {SECTION_HEAD},
    ("intake", "POST", "/requests/{request_id}/decline"): {SECTION_HEAD},
    ("scheduler", "POST", "/agenda/{request_id}/assignment"): {TEAM_LEAD},
    ("scheduler", "PUT", "/agenda/{request_id}/assignment"): {TEAM_LEAD},
    ("scheduler", "POST", "/officers"): {TEAM_LEAD},
    ("scheduler", "PUT", "/officers/{officer_id}"): {TEAM_LEAD},
    ("scheduler", "POST", "/officers/{officer_id}/unavailability"): {TEAM_LEAD},
    ("scheduler", "DELETE", "/officers/{officer_id}/unavailability/{period_id}"): {TEAM_LEAD},
    ("scheduler", "POST", "/equipment"): {TEAM_LEAD},
    ("scheduler", "PUT", "/equipment/{item_id}"): {TEAM_LEAD},
    ("coverage", "GET", "/assets/{asset_id}"): {TEAM, TEAM_LEAD, SECTION_HEAD},  # unreleased media
    ("coverage", "GET", "/assets/{asset_id}/thumbnail"): {TEAM, TEAM_LEAD, SECTION_HEAD},
    ("review", "POST", "/reviews/{request_id}/comments"): {TEAM, TEAM_LEAD, SECTION_HEAD},
    ("review", "POST", "/reviews/{request_id}/comments/{comment_id}/resolve"): {TEAM, TEAM_LEAD, SECTION_HEAD},
    ("publisher", "POST", "/publications/{request_id}/publish"): {TEAM, TEAM_LEAD},
    ("publisher", "POST", "/publications/{request_id}/website"): {TEAM, TEAM_LEAD},
    ("publisher", "POST", "/publications/{request_id}/social/{channel}"): {TEAM, TEAM_LEAD},
    ("publisher", "POST", "/publications/{request_id}/emails/retry"): {TEAM, TEAM_LEAD},
    ("publisher", "POST", "/media/import"): {ADMIN, TEAM_LEAD, TEAM},
    ("publisher", "POST", "/media/contacts/{email}/opt-out"): {ADMIN, TEAM_LEAD, TEAM},
    ("archive", "GET", "/sop"): SUPERVISORS,
    ("archive", "GET", "/export.csv"): SUPERVISORS,
    ("archive", "GET", "/export.jsonl"): SUPERVISORS,
    ("archive", "GET", "/retention"): SUPERVISORS,
    ("archive", "GET", "/audit/{officer_id}.csv"): SUPERVISORS,  # another officer's; one's own is open
    ("notifier", "PUT", "/officers/{officer_id}"): {ADMIN},
    ("notifier", "GET", "/officers/{officer_id}/preferences"): {ADMIN},  # another officer's; one's own is open
    ("notifier", "PUT", "/officers/{officer_id}/preferences"): {ADMIN},
    ("notifier", "GET", "/officers"): SUPERVISORS,
    ("notifier", "GET", "/messages"): SUPERVISORS,  # everyone's; one's own (officer_id) is open
    ("notifier", "POST", "/messages/retry"): SUPERVISORS,
}


@pytest.fixture
def sop_roles() -> dict[tuple[str, str, str], set[Role]]:
    """(service, method, path) -> the roles the SOP gives that action; an endpoint not named is
    open to every signed-in officer of the section."""
    return ONLY


Endpoint = tuple[str, str, str]
# The registry's routes answered without a token (the calendar feeds, the media's opt-out link), each
# opened by a signed key.
FEEDS: set[Endpoint] = registry.public_routes()


@pytest.fixture
def calendar_feeds() -> set[Endpoint]:
    return FEEDS


@pytest.fixture
def allowed_role(sop_roles: dict[Endpoint, set[Role]]) -> Callable[[Endpoint], Role]:
    """One role the SOP allows for an endpoint, the same each run (the admin where all may)."""

    def choose(endpoint: Endpoint) -> Role:
        return min(sop_roles.get(endpoint, {Role.ADMIN}), key=lambda r: r.value)

    return choose
