"""Render every Mermaid diagram of the generated READMEs with mermaid-cli (the real renderer).

`python -m tests.mermaid MMDC PUPPETEER_CONFIG` renders each ```mermaid block of out/README.md, of
each example's and of the golden trees' READMEs to SVG, and fails naming every diagram that does
not render; the `mermaid` nox session installs mermaid-cli and Chromium and calls it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

# Only the standard library: the nox session runs this without installing the project.
ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```mermaid\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def diagrams(text: str) -> list[str]:
    """The Mermaid blocks of a markdown text, in order."""
    return BLOCK.findall(text)


def readmes() -> list[Path]:
    """The generated READMEs: the shipped out/, each example's and each golden tree's."""
    return [
        ROOT / "out" / "README.md",
        *sorted((ROOT / "examples").glob("*/out/README.md")),
        *sorted((ROOT / "tests" / "golden").glob("*/out/README.md")),
    ]


def render(mmdc: str, config: Path, source: str, folder: Path, name: str) -> str | None:
    """Render one diagram to SVG; None when it renders, else mermaid-cli's message."""
    given = folder / f"{name}.mmd"
    given.write_text(source, encoding="utf-8")
    command = [mmdc, "--quiet", "-p", str(config), "-i", str(given), "-o", str(folder / f"{name}.svg")]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    svg = folder / f"{name}.svg"
    if result.returncode != 0 or not svg.exists() or "<svg" not in svg.read_text(encoding="utf-8"):
        return (result.stdout + result.stderr).strip() or f"exit {result.returncode}, no SVG"
    return None


def main(mmdc: str, config: Path) -> int:
    """Render them all; print each failure; the exit code."""
    failures, count = [], 0
    with tempfile.TemporaryDirectory() as folder:
        for readme in readmes():
            for index, source in enumerate(diagrams(readme.read_text(encoding="utf-8")), start=1):
                count += 1
                where = f"{readme.relative_to(ROOT)} diagram {index}"
                problem = render(mmdc, config, source, Path(folder), f"d{count}")
                if problem:
                    failures.append(f"{where}: {problem}")
                else:
                    print(f"{where}: rendered")
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    if count == 0:
        print("error: no Mermaid diagram found", file=sys.stderr)
    return 1 if failures or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
