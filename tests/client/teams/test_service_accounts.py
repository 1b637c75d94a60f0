"""Service accounts and the remaining team fields end to end: a service account's key works
at once and only the team's admins read it; ``Team.create``.

Every test runs on both flavours (``flavor``)."""

from __future__ import annotations

from typing import Any

import pytest

from wandbkit.errors import PermissionDeniedError, UsageError

from ..support import Flavor


async def test_a_service_account_works_at_once(flavor: Flavor) -> None:
    team = await flavor(flavor.api.team("demo-team"))
    bot = await flavor(team.create_service_account("nightly evaluation"))
    assert bot.account_type == "SERVICE" and bot.api_key and bot.name == "nightly evaluation"
    assert bot in team.members and bot.team == "demo-team" and not bot.admin
    async with flavor.connect(api_key=bot.api_key) as as_bot:
        assert (await flavor(as_bot.viewer)).username == bot.username
    people = [m for m in team.members if m.account_type == "USER"]
    assert [m.username for m in people] == ["demo"] and people[0].api_key is None


async def test_only_team_admins_make_and_see_service_accounts(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> None:
    store = seeded_app[0].state.store
    ana = store.accounts.create_user("ana")
    team_row = store.entities.get("demo-team")
    store.entities.add_team_member(team_row.pk, ana.pk)
    ana_key, _ = store.accounts.create_api_key(ana.pk)
    await flavor((await flavor(flavor.api.team("demo-team"))).create_service_account("ci"))
    async with flavor.connect(api_key=ana_key) as as_ana:
        team = await flavor(as_ana.team("demo-team"))
        service = [m for m in team.members if m.account_type == "SERVICE"]
        assert len(service) == 1 and service[0].api_key is None
        with pytest.raises(PermissionDeniedError, match="only an admin of team 'demo-team'"):
            await flavor(team.create_service_account("mine"))
    flavor.transport.clear()
    with pytest.raises(UsageError, match="description must be a non-empty string"):
        await flavor(team.create_service_account(" "))
    assert flavor.transport.operations == []


async def test_team_fields_and_team_create(flavor: Flavor) -> None:
    team = await flavor(type(await flavor(flavor.api.team("demo-team"))).create(flavor.api, "nlp"))
    assert team.name == "nlp" and [m.username for m in team.members] == ["demo"]
    assert team.storage_bytes == 0 and team.read_only_admin is False
    assert team.is_paid is False and team.available is False
