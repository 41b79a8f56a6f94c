"""The Python examples of the user-guide pages run as written.

Each page's fenced ``python`` blocks are executed in order in one namespace, as a reader
would paste them; a block that raises fails the test for that page.
"""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXECUTED_PAGES = ["thresholds-and-imbalance.md", "missing-labels.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(page):
    return BLOCK.findall((DOCS / page).read_text())


def test_block_pattern_finds_every_python_block():
    text = "```python\na = 1\n```\ntext\n```\nnot python\n```\n```python\nb = a\n```\n"
    assert BLOCK.findall(text) == ["a = 1\n", "b = a\n"]


@pytest.mark.parametrize("page", EXECUTED_PAGES)
def test_page_examples_run(page, capsys):
    blocks = python_blocks(page)
    assert blocks, f"{page} has no python example"
    namespace = {"__name__": f"docs.{page}"}
    for number, code in enumerate(blocks, start=1):
        exec(compile(code, f"{page} (python block {number})", "exec"), namespace)
    assert capsys.readouterr().out  # the examples print what they show
