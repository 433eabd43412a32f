"""Every string in out/ reads back as the same string, by YAML 1.1 (Kubernetes) and 1.2 readers alike."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from compiler.syntax.emit import dump, dump_all
from tests.tools import tool

# Strings that YAML 1.1 or 1.2 (or a lax parser) would read as something else, or that break plain style.
TRICKY = [
    # Booleans and nulls of YAML 1.1 or 1.2.
    *[
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
    ],
    "null",
    "Null",
    "NULL",
    "~",
    ".inf",
    ".Inf",
    ".INF",
    "-.inf",
    "+.Inf",
    ".nan",
    ".NaN",
    ".NAN",
    # Numbers and timestamps of one version or the other.
    *[
        "0755",
        "0o755",
        "0x1F",
        "0b101",
        "1_000",
        "1e3",
        "1.5e3",
        "1.5e+3",
        ".5",
        "5.",
        "12:30",
        "1:30.5",
        "2024-06-30",
    ],
    "2001-12-14t21:59:43.10-05:00",
    # Indicators and look-alikes.
    *[
        "<<",
        "=",
        "-",
        "--",
        "---",
        "...",
        "?",
        ":",
        ",",
        "#",
        "&",
        "*",
        "!",
        "|",
        ">",
        "%",
        "@",
        "`",
        "'",
        '"',
        "[]",
        "{}",
        "._",
        "+1",
        "-1",
        "+.5",
        "010",
        "08",
        "1,000",
    ],
    "",
    " lead",
    "trail ",
    "a: b",
    "a #b",
    "key:",
    "- item",
    "x\n",
    "\n",
    "a\n\nb\n\n",
    "tab\there",
    "cr\r\nlf",
    "nel\x85line",
    "line\u2028sep",
    "\ufeffbom",
    "nul\x00byte",
    "del\x7f",
    "emoji \U0001f4c8",
    "$(REDIS_PASSWORD)",
    "--requirepass=$(REDIS_PASSWORD)",
]
YAML12 = YAML(typ="safe", pure=True)
texts = st.one_of(
    st.sampled_from(TRICKY), st.text(max_size=12), st.text("0123456789.:-_+eExobOXinfaN ", max_size=8)
)
documents = st.dictionaries(
    texts,
    st.one_of(texts, st.lists(texts, max_size=3), st.dictionaries(texts, texts, max_size=2)),
    max_size=4,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_strings_read_back_unchanged_in_yaml_1_1_and_1_2(document: dict[str, Any]) -> None:
    text = dump(document)
    assert yaml.safe_load(text) == document
    assert YAML12.load(text) == document


# Strings in TRICKY that every reader takes as the same string when written plain.
PLAIN_ENOUGH = {
    "$(REDIS_PASSWORD)",
    "--requirepass=$(REDIS_PASSWORD)",
    "emoji \U0001f4c8",
    "tab\there",
    "1,000",
}


@pytest.mark.parametrize("value", [v for v in TRICKY if v not in PLAIN_ENOUGH])
def test_tricky_strings_are_quoted_as_keys_and_values(value: str) -> None:
    as_value, as_key, as_item = dump({"k": value}), dump({value: "v"}), dump([value])
    assert as_value.removeprefix("k: ").startswith(('"', "|")), as_value
    assert as_key.startswith('"'), as_key
    assert as_item.removeprefix("- ").startswith(('"', "|")), as_item


@pytest.mark.tools
def test_kubernetes_reads_every_tricky_string_as_that_string(tmp_path: Path) -> None:
    # kubectl re-emits DEL and NEL raw, so no reader of its output can check them; the reader
    # test above covers them.
    data = {f"k{i}": value for i, value in enumerate(TRICKY) if not {"\x7f", "\x85"} & set(value)}
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "tricky"}, "data": data}
    (tmp_path / "tricky.yaml").write_text(dump_all([config_map]), encoding="utf-8")
    (tmp_path / "kustomization.yaml").write_text(dump({"resources": ["tricky.yaml"]}), encoding="utf-8")
    built = subprocess.run(
        [tool("kubectl"), "kustomize", str(tmp_path)], capture_output=True, text=True, check=True
    ).stdout
    # Read back as plain text: a value kubectl took for a boolean or a number would differ here.
    assert yaml.load(built, Loader=yaml.BaseLoader)["data"] == data
