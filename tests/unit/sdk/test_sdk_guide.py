"""The guide (docs/sdk.md) shows the example files as they are: each block marked
``<!-- example: <path> -->`` equals the file, and every example is shown."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
GUIDE = REPO / "docs" / "sdk.md"
EXAMPLES = REPO / "libs" / "ses_sdk" / "examples"
BLOCK = re.compile(r"<!-- example: (?P<path>\S+) -->\n```python\n(?P<code>.*?)```\n", re.S)


def test_every_example_is_in_the_guide_exactly_as_the_file() -> None:
    shown = {match["path"]: match["code"] for match in BLOCK.finditer(GUIDE.read_text())}
    files = {str(path.relative_to(REPO)) for path in EXAMPLES.glob("*.py")}
    assert set(shown) == files
    for path, code in shown.items():
        assert code == (REPO / path).read_text(), f"{path} differs from its block in the guide"
