"""The Python examples of the documentation run as written.

Each page's fenced ``python`` blocks are executed in order in one namespace, as a reader
would paste them; a block that raises fails the test for that page. Every page of ``docs/``
with a ``python`` block is executed; shell commands are fenced as ``bash`` or ``text``.
"""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
# Pages whose examples must exist and run: a page that loses its python blocks fails here.
EXAMPLE_PAGES = {
    "index.md",
    "getting-started.md",
    "thresholds-and-imbalance.md",
    "missing-labels.md",
    "text-classification.md",
    "grid-search.md",
    "saving-and-loading.md",
    "distributed.md",
}
# Optional packages a page's examples import: the page is skipped where one is absent.
PAGE_REQUIRES = {
    "cli.md": "matplotlib",
    "distributed.md": "dask.distributed",
    "grid-search.md": "pandas",
}


def python_blocks(page):
    return BLOCK.findall((DOCS / page).read_text())


EXECUTED_PAGES = sorted(path.name for path in DOCS.glob("*.md") if python_blocks(path.name))


def test_block_pattern_finds_every_python_block():
    text = "```python\na = 1\n```\ntext\n```\nnot python\n```\n```python\nb = a\n```\n"
    assert BLOCK.findall(text) == ["a = 1\n", "b = a\n"]


def test_every_example_page_is_executed():
    assert EXAMPLE_PAGES <= set(EXECUTED_PAGES)


@pytest.mark.parametrize("page", EXECUTED_PAGES)
def test_page_examples_run(page, capsys, tmp_path, monkeypatch):
    if page in PAGE_REQUIRES:
        pytest.importorskip(PAGE_REQUIRES[page])
    monkeypatch.chdir(tmp_path)  # files an example writes land in a temporary folder
    namespace = {"__name__": f"docs.{page}"}
    for number, code in enumerate(python_blocks(page), start=1):
        exec(compile(code, f"{page} (python block {number})", "exec"), namespace)
    # The examples print (or write) what they show.
    assert capsys.readouterr().out or any(tmp_path.iterdir())
