"""The official client (wandb 0.31.0), unchanged, searching, creating, editing and deleting
registries on the local server, managing members, linking a version in and fetching it by the
registry path; wandbkit sees the same data."""

from __future__ import annotations

import pytest

import wandbkit
from wandbkit.server.ids import encode_id
from wandbkit.server.testing import ServerHandle

from .conftest import RunOfficial

pytestmark = pytest.mark.official

READ = """
import json
import wandb

api = wandb.Api()
out = {}
org = "demo-org"
out["registries"] = sorted(r.name for r in api.registries(organization=org))
out["by_name"] = [r.name for r in api.registries(organization=org, filter={"name": "model"})]
out["by_list"] = sorted(
    r.name for r in api.registries(organization=org, filter={"name": {"$in": ["model", "x"]}})
)
regex = {"name": {"$regex": "set$"}}
out["by_regex"] = [r.name for r in api.registries(organization=org, filter=regex)]
out["ordered"] = [r.name for r in api.registries(organization=org, order="-name")]
collections = api.registries(organization=org).collections(filter={"tag": "vision"})
out["collections"] = sorted(c.name for c in collections)
out["versions"] = sorted(
    v.qualified_name
    for v in api.registries(organization=org).versions(filter={"alias": "production"})
)
out["tagged"] = sorted(
    v.qualified_name
    for v in api.registries(organization=org, filter={"name": "model"}).versions(
        filter={"tag": "candidate"}
    )
)
reg = api.registry("model", organization=org)
out["registry"] = [
    reg.full_name, reg.visibility, reg.description, list(reg.artifact_types),
    reg.allow_all_artifact_types,
]
out["registry_versions"] = sorted(v.version for v in reg.versions())
art = api.artifact(f"{org}/wandb-registry-model/classifier:production")
out["artifact"] = [art.qualified_name, art.version, sorted(art.aliases), art.type]
out["artifact_v1"] = api.artifact(f"{org}/wandb-registry-model/classifier:v1").qualified_name
print(json.dumps(out))
"""

WRITE = """
import json
import wandb

api = wandb.Api()
out = {}
org = "demo-org"
made = api.create_registry(
    "compat", "restricted", organization=org, description="made", artifact_types=["model"]
)
out["made"] = [made.full_name, made.visibility, list(made.artifact_types)]
made.description = "edited"
made.visibility = "organization"
made.save()
made.name = "compat-renamed"
made.save()
out["saved"] = [made.full_name, made.description, made.visibility]
made.add_members("READER_ID")
made.update_member("READER_ID", "viewer")
out["members"] = sorted(
    [m.user.username, str(getattr(m.role, "value", m.role))] for m in made.user_members()
)
made.remove_members("READER_ID")
out["members_after"] = sorted(m.user.username for m in made.user_members())
source = api.artifact("demo/cifar10-augment/classifier:latest")
source.link(f"{org}/wandb-registry-compat-renamed/linked", aliases=["compat"])
linked = api.artifact(f"{org}/wandb-registry-compat-renamed/linked:compat")
out["linked"] = [linked.qualified_name, sorted(linked.aliases), linked.id == source.id]
made.delete()
try:
    api.registry("compat-renamed", organization=org)
    out["deleted"] = False
except ValueError:
    out["deleted"] = True
print(json.dumps(out))
"""


def test_the_official_client_searches_registries_as_wandbkit_sees_them(
    run_official: RunOfficial, demo_server: ServerHandle
) -> None:
    out = run_official(READ)
    with wandbkit.Api(api_key=demo_server.api_key, base_url=demo_server.base_url) as api:
        org = "demo-org"
        assert out["registries"] == sorted(r.name for r in api.registries(organization=org))
        assert out["registries"] == ["dataset", "model", "restricted"]
        assert out["by_name"] == ["model"] and out["by_list"] == ["model"]
        assert out["by_regex"] == ["dataset"]
        assert out["ordered"] == [r.name for r in api.registries(organization=org, order="-name")]
        mine = api.registries(organization=org).collections(filter={"tag": "vision"})
        assert out["collections"] == sorted(c.name for c in mine) == ["classifier", "images"]
        versions = api.registries(organization=org).versions(filter={"alias": "production"})
        assert out["versions"] == sorted(v.qualified_name for v in versions)
        assert out["versions"] == [f"{org}/wandb-registry-model/classifier:v1"]
        tagged = api.registries(organization=org, filter={"name": "model"}).versions(
            filter={"tag": "candidate"}
        )
        assert out["tagged"] == sorted(v.qualified_name for v in tagged)
        registry = api.registry("model", organization=org)
        assert out["registry"] == [
            registry.full_name,
            registry.visibility,
            registry.description,
            list(registry.artifact_types),
            registry.allow_all_artifact_types,
        ]
        assert out["registry_versions"] == sorted(v.version for v in registry.versions())
        artifact = api.artifact(f"{org}/wandb-registry-model/classifier:production")
        # A version fetched by alias is named with that alias, by wandb and by wandbkit.
        assert out["artifact"][0] == f"{org}/wandb-registry-model/classifier:production"
        assert artifact.qualified_name == out["artifact"][0]
        assert out["artifact"][1:] == [artifact.version, sorted(artifact.aliases), artifact.type]
        by_version = api.artifact(f"{org}/wandb-registry-model/classifier:{artifact.version}")
        assert out["artifact_v1"] == by_version.qualified_name


def test_the_official_client_manages_a_registry_as_wandbkit_sees_it(
    run_official: RunOfficial, demo_server: ServerHandle
) -> None:
    reader = demo_server.store.accounts.get_user("reader")
    assert reader is not None
    out = run_official(WRITE.replace("READER_ID", encode_id("User", reader.pk)))
    assert out["made"] == ["wandb-registry-compat", "restricted", ["model"]]
    assert out["saved"] == ["wandb-registry-compat-renamed", "edited", "organization"]
    assert out["members"] == [["demo", "admin"], ["reader", "viewer"]]
    assert out["members_after"] == ["demo"]
    assert out["linked"][0] == "demo-org/wandb-registry-compat-renamed/linked:compat"
    assert "compat" in out["linked"][1] and out["linked"][2] is True
    assert out["deleted"] is True
    with wandbkit.Api(api_key=demo_server.api_key, base_url=demo_server.base_url) as api:
        names = sorted(r.name for r in api.registries(organization="demo-org"))
        assert names == ["dataset", "model", "restricted"]
