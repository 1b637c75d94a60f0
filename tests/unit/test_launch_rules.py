"""The launch rules both sides apply (``wandbkit._lang.launch``) and the client's launch values
(``wandbkit._values.launch``): template variables, their values, filling a queue config, the
check of a job's config against its input types."""

from __future__ import annotations

from typing import Any

import pytest

from wandbkit._lang.launch import (
    LaunchSpecError,
    fill_template,
    template_fields,
    template_values,
    template_variables,
)
from wandbkit._values.launch import JobConfigError, check_job_config, external_links_value

GPUS = {"gpus": {"schema": {"type": "integer", "minimum": 1, "maximum": 8, "default": 1}}}


def test_template_variables_take_both_forms_users_write() -> None:
    assert template_variables(
        {
            "gpus": {"type": "integer"},
            "tag": {"name": "image-tag", "description": "d", "schema": {"type": "string"}},
        }
    ) == [
        {"name": "gpus", "description": None, "schema": {"type": "integer"}},
        {"name": "image-tag", "description": "d", "schema": {"type": "string"}},
    ]
    assert template_variables(None) == []


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ([1], "must be a dict of variable name to schema"),
        ({"a b": {"type": "string"}}, "keys must be variable names"),
        ({"g": 3}, r"template_variables\['g'\] must be a dict"),
        ({"g": {"schema": 3}}, r"\['schema'\] must be a dict"),
        ({"g": {"type": "boolean"}}, "schema type must be 'integer', 'number' or 'string'"),
        ({"g": {"type": "integer", "default": 1.5}}, "default must be of type integer"),
        ({"g": {"type": "number", "minimum": 2, "default": 1}}, "default must be at least 2"),
    ],
)
def test_bad_template_variables_are_refused_naming_the_variable(
    variables: Any, message: str
) -> None:
    with pytest.raises(LaunchSpecError, match=message):
        template_variables(variables)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (None, {"gpus": 1}),
        ({"gpus": 4}, {"gpus": 4}),
        ({"gpus": 8}, {"gpus": 8}),
    ],
)
def test_template_values_check_and_default(values: Any, expected: dict[str, Any]) -> None:
    assert template_values(template_variables(GPUS), values) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"gpus": 0}, "at least 1"),
        ({"gpus": 9}, "at most 8"),
        ({"gpus": True}, "of type integer"),
        ({"cpus": 1}, r"names \['cpus'\], which the queue does not define \(it defines: gpus\)"),
        ([("gpus", 1)], "must be a dict of variable name to value"),
    ],
)
def test_template_values_refused(values: Any, message: str) -> None:
    with pytest.raises(LaunchSpecError, match=message):
        template_values(template_variables(GPUS), values)


def test_filling_a_config_keeps_types_for_whole_fields_and_text_inside_strings() -> None:
    config = {"a": "{{gpus}}", "b": ["img:{{tag}}", "{{ missing }}"], "c": 3}
    assert template_fields(config) == {"gpus", "tag", "missing"}
    assert fill_template(config, {"gpus": 2, "tag": "v1"}) == {
        "a": 2,
        "b": ["img:v1", "{{ missing }}"],
        "c": 3,
    }


TYPES = {
    "wb_type": "typedDict",
    "params": {
        "type_map": {
            "lr": {"wb_type": "number"},
            "name": {
                "wb_type": "union",
                "params": {"allowed_types": [{"wb_type": "string"}, {"wb_type": "none"}]},
            },
            "layers": {"wb_type": "list", "params": {"element_type": {"wb_type": "number"}}},
        }
    },
}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"lr": "x"}, r"config\['lr'\] must be a number"),
        ({"lr": True}, r"config\['lr'\] must be a number"),
        ({"name": 3}, r"config\['name'\] fits none of the job's types"),
        ({"layers": [1, "two"]}, r"config\['layers'\]\[1\] must be a number"),
        ({"epochs": 1}, r"keys the job does not take: \['epochs'\]"),
    ],
)
def test_a_job_config_that_does_not_fit_its_input_types(config: Any, message: str) -> None:
    with pytest.raises(JobConfigError, match=message):
        check_job_config(TYPES, config)


def test_a_fitting_job_config_and_unknown_type_json_pass() -> None:
    check_job_config(TYPES, {"lr": 0.1, "name": None, "layers": [1, 2]})
    check_job_config(None, {"anything": object()})


def test_external_links_become_the_servers_list() -> None:
    assert external_links_value({"docs": "https://a"}) == {
        "links": [{"label": "docs", "url": "https://a"}]
    }
    assert external_links_value(None) == {"links": []}
