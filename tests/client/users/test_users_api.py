"""Users and API keys end to end: the viewer's keys (generated, used, revoked), finding and
creating users as an instance admin, and the readable refusal a non-admin gets.

Every test runs on both flavours (``flavor``)."""

from __future__ import annotations

from typing import Any

import pytest

import wandbkit
from wandbkit.errors import AuthenticationError, NotFoundError, PermissionDeniedError, UsageError

from ..support import Flavor


@pytest.fixture
def root_key(seeded_app: tuple[Any, Any]) -> str:
    """The key of "root", an instance admin; "ana" is another user."""
    store = seeded_app[0].state.store
    root = store.accounts.create_user("root", email="root@example.com", admin=True)
    store.accounts.create_user("ana", name="Ana Lima", email="ana@lab.org")
    store.accounts.create_user("anabel", email="anabel@lab.org")
    key, _ = store.accounts.create_api_key(root.pk, name="root-key")
    return key


async def test_the_viewer_generates_a_key_that_works_until_it_is_deleted(flavor: Flavor) -> None:
    me = await flavor(flavor.api.viewer)
    assert isinstance(me, wandbkit.User) and me.api_keys == ["wandbkit-seed"]
    secret = await flavor(me.generate_api_key("laptop"))
    assert len(secret) == 40 and me.api_keys == ["wandbkit-seed", secret]
    async with flavor.connect(api_key=secret) as other:
        assert (await flavor(other.viewer)).username == "demo"
    assert await flavor(me.delete_api_key(secret)) is True
    assert me.api_keys == ["wandbkit-seed"]
    async with flavor.connect(api_key=secret) as revoked:
        with pytest.raises(AuthenticationError):
            await flavor(revoked.viewer)
    # A fresh look lists the other key by its name only.
    flavor.api.flush()
    assert len((await flavor(flavor.api.viewer)).api_keys) == 1


async def test_unknown_key_names_and_other_users_fail_before_the_network(
    flavor: Flavor, root_key: str
) -> None:
    me = await flavor(flavor.api.viewer)
    flavor.transport.clear()
    with pytest.raises(NotFoundError, match="has no API key with that name"):
        await flavor(me.delete_api_key("nope"))
    with pytest.raises(UsageError, match="description must be a string"):
        await flavor(me.generate_api_key(description=3))  # type: ignore[arg-type]
    assert flavor.transport.operations == []
    async with flavor.connect(api_key=root_key) as admin:
        ana = await flavor(admin.user("ana"))
        with pytest.raises(UsageError, match=r"call it on api\.viewer"):
            await flavor(ana.generate_api_key())


async def test_a_non_admin_is_refused_with_the_reason(flavor: Flavor) -> None:
    with pytest.raises(PermissionDeniedError, match="only instance admins") as refused:
        await flavor(flavor.api.users("a"))
    assert "'demo'" in str(refused.value)
    with pytest.raises(PermissionDeniedError, match="createUser: permission denied"):
        await flavor(flavor.api.create_user("x@example.com"))
    with pytest.raises(wandbkit.GraphQLError):  # also a GraphQLError, with the server's path
        await flavor(flavor.api.user("a"))


async def test_an_admin_finds_users_by_part_of_a_name_or_address(
    flavor: Flavor, root_key: str
) -> None:
    async with flavor.connect(api_key=root_key) as admin:
        found = await flavor(admin.users("lab.org"))
        assert [u.username for u in found] == ["ana", "anabel"]
        assert found[0].name == "Ana Lima" and found[0].email == "ana@lab.org"
        # An exact username wins over earlier partial matches.
        assert (await flavor(admin.user("anabel"))).username == "anabel"
        assert (await flavor(admin.user("ANA@lab.org"))).username == "ana"
        assert await flavor(admin.user("nobody-like-this")) is None
        # Admins see every user's key names.
        demo = await flavor(admin.user("demo"))
        assert demo.api_keys == ["wandbkit-seed"] and demo.teams == ["demo-team"]
        with pytest.raises(UsageError, match="username_or_email must be"):
            await flavor(admin.users("  "))


async def test_an_admin_creates_users(flavor: Flavor, root_key: str) -> None:
    async with flavor.connect(api_key=root_key) as admin:
        made = await flavor(admin.create_user("new.person@lab.org", admin=True))
        assert (made.username, made.email, made.admin) == ("new-person", "new.person@lab.org", True)
        assert made.deleted_at is None and made.entity == "new-person" and made.api_keys == []
        with pytest.raises(wandbkit.GraphQLError, match="already exists"):
            await flavor(admin.create_user("NEW.person@lab.org"))
        other = await flavor(type(made).create(admin, "other@lab.org"))
        assert other.username == "other" and other.admin is False
        flavor.transport.clear()
        with pytest.raises(UsageError, match="email must look like"):
            await flavor(admin.create_user("not an address"))
        with pytest.raises(UsageError, match="admin must be a bool"):
            await flavor(admin.create_user("a@b.c", admin="yes"))  # type: ignore[arg-type]
        assert flavor.transport.operations == []


async def _close(flavor: Flavor, api: Any) -> None:
    await flavor(api.aclose() if flavor.is_async else api.close())


async def test_user_api_is_an_api_authenticated_as_that_user(flavor: Flavor) -> None:
    me = await flavor(flavor.api.viewer)
    mine = me.user_api
    assert isinstance(mine, wandbkit.AsyncApi if flavor.is_async else wandbkit.Api)
    assert mine is me.user_api  # made once
    try:
        # Its own client on the same server: it reads as the user, with the user's key.
        assert mine is not flavor.api and mine.api_key == flavor.api.api_key
        assert mine.settings.base_url == flavor.api.settings.base_url
        assert (await flavor(mine.viewer)).username == me.username == "demo"
        assert "demo" in repr(await flavor(mine.viewer)) and mine.api_key not in repr(mine)
    finally:
        await _close(flavor, mine)


async def test_user_api_is_none_for_users_whose_keys_are_not_known_here(
    flavor: Flavor, root_key: str
) -> None:
    async with flavor.connect(api_key=root_key) as admin:
        # The admin found themselves: their Api's key is theirs, so user_api works.
        root = await flavor(admin.user("root"))
        as_root = root.user_api
        assert as_root is not None
        try:
            assert (await flavor(as_root.viewer)).username == "root"
        finally:
            await _close(flavor, as_root)
        # Another user's secrets never leave the server (wandb would hand out an Api with the
        # *admin's* key here), and a user just created has no key at all.
        ana = await flavor(admin.user("ana"))
        assert ana.api_keys == [] and ana.user_api is None
        assert [u.user_api is None for u in await flavor(admin.users("lab.org"))] == [True, True]
        made = await flavor(admin.create_user("new@lab.org"))
        assert made.user_api is None
