"""The located reader of monitoring/ YAML: positions, YAML 1.2 scalars, refusals, merge keys, aliases."""

from __future__ import annotations

import pytest

from compiler.spec.located import LocatedList, LocatedMap, LocatedYAMLError, load_located


def test_keys_items_and_collections_know_their_lines_and_columns() -> None:
    tree = load_located("groups:\n  - name: g\n    rules: [a, {b: 1}]\n")
    assert isinstance(tree, LocatedMap)
    assert (tree.at, tree.keys_at["groups"]) == ((1, 1), (1, 1))
    groups = tree["groups"]
    assert isinstance(groups, LocatedList)
    assert groups.items_at == [(2, 5)]
    group = groups[0]
    assert group.keys_at == {"name": (2, 5), "rules": (3, 5)}
    assert group["rules"].items_at == [(3, 13), (3, 16)]
    assert group["rules"][1].keys_at == {"b": (3, 17)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: yes", "yes"),
        ("v: on", "on"),
        ("v: 0o17", 15),
        ("v: 010", 10),
        ("v: '5'", "5"),
        ("v: 1.5", 1.5),
        ("v: true", True),
        ("v: ~", None),
        ("v: 5m", "5m"),
        ("v: |\n  up == 0\n", "up == 0\n"),
    ],
)
def test_plain_scalars_read_as_yaml_1_2_and_quoted_ones_as_text(text: str, expected: object) -> None:
    assert load_located(text)["v"] == expected


def test_a_repeated_key_is_refused_where_it_repeats() -> None:
    with pytest.raises(LocatedYAMLError) as caught:
        load_located("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert caught.value.at == (4, 3)
    assert caught.value.problem == "found duplicate key 'c' (first at line 3)"


@pytest.mark.parametrize(
    ("text", "at"),
    [("groups:\n- name: g\n  rules: [\n", (4, 1)), ("a: 'open\n", (2, 1)), ("? [a]\n: 1\n", (1, 3))],
)
def test_malformed_yaml_is_positioned(text: str, at: tuple[int, int]) -> None:
    with pytest.raises(LocatedYAMLError) as caught:
        load_located(text)
    assert caught.value.at == at


def test_a_merge_key_adds_what_the_mapping_does_not_state() -> None:
    tree = load_located(
        "base: &b {severity: warning, team: x}\nother: &o {owner: y}\n"
        "labels:\n  <<: [*b, *o]\n  severity: critical\n"
    )
    assert dict(tree["labels"]) == {"severity": "critical", "team": "x", "owner": "y"}
    assert tree["labels"].keys_at["severity"] == (5, 3)
    assert tree["labels"].keys_at["team"] == (1, 30)
    assert load_located("'<<': 1")["<<"] == 1


def test_an_alias_shares_its_anchor_instead_of_copying_it() -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    tree = load_located(laughs)
    assert tree["i"][0] is tree["h"]


def test_an_empty_text_is_none() -> None:
    assert load_located("") is None
    assert load_located("# only a comment\n") is None
