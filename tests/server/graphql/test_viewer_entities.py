"""The viewer, server features, entities and organizations."""

from __future__ import annotations

from wandbkit.server.ids import decode_id, encode_id
from wandbkit.server.resolvers.server_info import SERVER_FEATURES

from ..conftest import Data, PostGraphQL, ServerApp

USER_FIELDS = """
  id name username email admin flags entity deletedAt
  apiKeys { edges { node { id name description } } }
  teams { edges { node { name } } }
  organizations { name }
"""


async def test_the_viewer_is_the_user_of_the_api_key(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    viewer = data(await gql(f"{{ viewer {{ {USER_FIELDS} }} }}"))["viewer"]
    seed = server_app.seed
    assert viewer["username"] == seed.username
    assert viewer["name"] == "Demo"
    assert viewer["email"] == "demo@example.com"
    assert viewer["admin"] is False
    assert viewer["flags"] == "{}"
    assert viewer["entity"] == seed.entity
    assert viewer["deletedAt"] is None
    assert viewer["teams"] == {"edges": [{"node": {"name": seed.team}}]}
    assert viewer["organizations"] == [{"name": seed.organization}]
    assert decode_id(viewer["id"]) == ("User", "1")


async def test_api_keys_are_listed_without_the_key_itself(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    response = await gql("{ viewer { apiKeys { edges { node { id name description } } } } }")
    (edge,) = data(response)["viewer"]["apiKeys"]["edges"]
    assert edge["node"]["name"] == "wandbkit-seed"
    assert decode_id(edge["node"]["id"])[0] == "ApiKey"
    assert server_app.seed.api_key not in response.text


async def test_another_users_api_keys_are_not_visible(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    other = server_app.store.accounts.create_user("other")
    server_app.store.accounts.create_api_key(other.pk)
    response = await gql(
        '{ entity(name: "other") { user { username apiKeys { edges { node { id } } } } } }'
    )
    assert data(response)["entity"]["user"] == {"username": "other", "apiKeys": {"edges": []}}


async def test_server_info_reports_the_features_the_official_client_checks(
    gql: PostGraphQL, data: Data
) -> None:
    info = data(await gql("{ serverInfo { pollingOK features { name isEnabled } } }"))
    features = {f["name"]: f["isEnabled"] for f in info["serverInfo"]["features"]}
    assert features == SERVER_FEATURES
    for required in (
        "ARTIFACT_REGISTRY_SEARCH",
        "ARTIFACT_DIGEST_ALGORITHM",
        "ARTIFACT_V2_DOWNLOAD_HANDLER_SUPPORTS_ARTIFACT_ID",
        "ARTIFACT_COLLECTIONS_FILTERING_SORTING",
        "TOTAL_COUNT_IN_FILE_CONNECTION",
    ):
        assert features[required] is True
    assert info["serverInfo"]["pollingOK"] is True


ENTITY_FIELDS = """
  id name isTeam readOnly defaultAccess privateOnly codeSavingEnabled readOnlyAdmin storageBytes
  members { name username role admin pending }
  organization { name }
  user { username }
"""


async def test_a_team_entity_has_its_members_and_organization(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    seed = server_app.seed
    response = await gql(
        f"query E($n: String) {{ entity(name: $n) {{ {ENTITY_FIELDS} }} }}", {"n": seed.team}
    )
    entity = data(response)["entity"]
    assert entity["name"] == seed.team
    assert entity["isTeam"] is True
    assert entity["readOnly"] is False
    assert entity["members"] == [
        {
            "name": "Demo",
            "username": seed.username,
            "role": "admin",
            "admin": True,
            "pending": False,
        }
    ]
    assert entity["organization"] == {"name": seed.organization}
    assert entity["user"] is None
    assert decode_id(entity["id"])[0] == "Entity"
    assert (entity["defaultAccess"], entity["storageBytes"]) == ("PRIVATE", 0)


async def test_a_personal_entity_is_not_a_team_and_names_its_user(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    response = await gql(f'{{ entity(name: "demo") {{ {ENTITY_FIELDS} }} }}')
    entity = data(response)["entity"]
    assert entity["isTeam"] is False
    assert entity["user"] == {"username": "demo"}
    assert entity["organization"] is None
    assert [m["username"] for m in entity["members"]] == ["demo"]


async def test_an_entity_the_viewer_cannot_write_to_is_read_only(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    server_app.store.entities.create_team("strangers")
    response = await gql('{ entity(name: "strangers") { readOnly members { name } } }')
    assert data(response)["entity"] == {"readOnly": True, "members": []}


async def test_a_missing_entity_is_null_not_an_error(gql: PostGraphQL, data: Data) -> None:
    assert data(await gql('{ entity(name: "nobody") { id } }')) == {"entity": None}


async def test_an_entity_finds_its_project_by_name(gql: PostGraphQL, data: Data) -> None:
    await gql('mutation { upsertModel(input: {name: "p", entityName: "demo-team"}) { inserted } }')
    response = await gql(
        '{ entity(name: "demo-team") { a: project(name: "p") { name } '
        'b: project(name: "q") { name } projects { edges { node { name } } } } }'
    )
    entity = data(response)["entity"]
    assert entity["a"] == {"name": "p"} and entity["b"] is None
    assert entity["projects"] == {"edges": [{"node": {"name": "p"}}]}


async def test_an_organization_is_found_by_name_or_id(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    org = server_app.store.entities.get_organization(server_app.seed.organization)
    assert org is not None
    document = """query O($name: String, $id: ID) {
      organization(name: $name, id: $id) { id name featureFlags(rampIDType: OrgName) { rampKey } }
    }"""
    by_name = data(await gql(document, {"name": org.name}))["organization"]
    assert by_name == {
        "id": encode_id("Organization", org.pk),
        "name": org.name,
        "featureFlags": [],
    }
    by_id = data(await gql(document, {"id": by_name["id"]}))["organization"]
    assert by_id == by_name


async def test_a_missing_organization_is_null(gql: PostGraphQL, data: Data) -> None:
    document = "query O($name: String, $id: ID) { organization(name: $name, id: $id) { id } }"
    assert data(await gql(document, {"name": "nope"})) == {"organization": None}
    assert data(await gql(document, {"id": "garbage"})) == {"organization": None}
    assert data(await gql(document, {})) == {"organization": None}


async def test_the_organization_entity_behaves_as_a_team(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    response = await gql(
        '{ entity(name: "demo-org") '
        "{ isTeam readOnly organization { name } members { username } } }"
    )
    assert data(response)["entity"] == {
        "isTeam": True,
        "readOnly": False,
        "organization": {"name": "demo-org"},
        "members": [{"username": "demo"}],
    }
