"""docs/rules.md lists every registered check with its scope and an example from the corpus.

Rewrite it after a change of the registry or the corpus: `python -m tests.test_rules_doc`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from compiler.registry import RULES, Rule
from compiler.spec.credentials import credential_kind
from compiler.spec.leaks import looks_like_credential

ROOT = Path(__file__).parents[1]
PAGE = ROOT / "docs" / "rules.md"
CASES = ROOT / "tests" / "invalid" / "cases"
# Checks that speak of files around the spec, shown as nifty prints them.
OUTSIDE = {
    "N007": "monitoring/rules/desk.yaml:4:9: error: a rule needs an 'expr' [N007]",
    "N008": "spec/system.yaml: error: is a directory, expected a YAML file [N008]",
    "N009": "out/base/layer-2.yaml: error: stale: `nifty compile` would change this file [N009]",
}
HEAD = """# Checks

Every diagnostic ends with the code of the check it comes from, as `[N502]`; the code stays with its
check. A check's scope is what it speaks of: the spec as a whole, one component, or one environment.
A component may set aside one of its own checks with a reason, as it can a checkov check:

```yaml
      - name: feed-handler
        waivers:
          - {rule: N205, reason: "the feed handler bursts above its request at the open"}
```

The waiver drops that check's diagnostics for that component, in every environment. A waiver of a
check that holds, of one beyond the component's scope, or of a hazard of loading (a file that reads
two ways, a secret's value in the spec) is refused (N108); so is a waiver of a check whose breach
would compile to broken objects: the table says which checks may be waived. Each example below is a
case of the corpus in `tests/invalid/cases/`, named by its code.
"""


def _example(rule: Rule) -> str:
    if rule.code in OUTSIDE:
        return f"```text\n{OUTSIDE[rule.code]}\n```\n"
    # The first line of a case with the code that no credential scan of the docs would take for one.
    case, line = next(
        (case, line)
        for case in sorted(CASES.glob(f"{rule.code}-*.expected"))
        for line in case.read_text(encoding="utf-8").splitlines()
        if line.endswith(f"[{rule.code}]") and not credential_kind(line) and not looks_like_credential(line)
    )
    return f"<!-- corpus: {case.stem} -->\n\n```console\n{line}\n```\n"


def _waivable(rule: Rule) -> str:
    return "yes" if rule.waivable else "no"


def render() -> str:
    """The page, from the registry and the corpus."""
    parts = [HEAD, "| code | name | scope | may be waived | holds that |\n| --- | --- | --- | --- | --- |\n"]
    for r in RULES:
        anchor = f"#{r.code.lower()}-{r.name}"
        parts.append(
            f"| [{r.code}]({anchor}) | {r.name} | {r.scope.value} | {_waivable(r)} | {r.summary} |\n"
        )
    for rule in RULES:
        parts.append(f"\n## {rule.code} {rule.name}\n\n{rule.summary[0].upper()}{rule.summary[1:]}.\n\n")
        parts.append(_example(rule))
    return "".join(parts)


def test_the_page_lists_every_check_with_an_example() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), "run: python -m tests.test_rules_doc"


def test_every_check_is_on_the_page_once() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for rule in RULES:
        assert text.count(f"\n## {rule.code} ") == 1, rule.code


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
    sys.exit(0)
