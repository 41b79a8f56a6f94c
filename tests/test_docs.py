"""The documentation tells the truth: its examples run and its figures are current.

Each page's fenced ``python`` blocks are executed in order in one namespace, as a reader
would paste them; a block that raises fails the test for that page. Every page of ``docs/``
with a ``python`` block is executed; shell commands are fenced as ``bash`` or ``text``.

The reference evaluation's figures live in one file, ``docs/reference-evaluation.txt``
(written by ``docs/generate_examples.py``); it is compared with a fresh run, and no page may
quote another exact-match figure for it. README.md's parameter table, dependency list and
install commands are compared with the estimator and ``pyproject.toml``, and every
``skmultimlp`` command the pages show must parse (or show the parser's own error).
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
    "multi-output.md",
    "text-classification.md",
    "grid-search.md",
    "saving-and-loading.md",
    "distributed.md",
    "incremental.md",
    "cli.md",
    "troubleshooting.md",
}
# Pages whose first printed line is the reference evaluation's exact-match accuracy.
PRINTS_REFERENCE_FIGURE = {"index.md"}
# Optional packages a page's examples import: the page is skipped where one is absent.
PAGE_REQUIRES = {
    "cli.md": "matplotlib",
    "distributed.md": "dask.distributed",
    "incremental.md": "dask_ml",
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
    out = capsys.readouterr().out
    assert out or any(tmp_path.iterdir())
    if page in PRINTS_REFERENCE_FIGURE and on_tensorflow():
        assert out.splitlines()[0] == reference_figure(), (
            f"{page} prints another exact-match figure than {REFERENCE_FILE.name}"
        )
    if page == "index.md" and on_tensorflow():
        # Its cross_validate is the command's reference evaluation (same pipeline, folds and
        # seeds): every score line of the file must be what it gives now.
        assert reference_score_lines(namespace["scores"]) == [
            line for line in REFERENCE_FILE.read_text().splitlines() if "±" in line
        ], f"{REFERENCE_FILE.name} is stale; {REGENERATE}"


# ------------------------------------------------------------------ the reference evaluation

ROOT = DOCS.parent
REFERENCE_FILE = DOCS / "reference-evaluation.txt"
# The first line ends with the time the fits took, which changes from run to run.
TIMING = re.compile(r" in \d+(?:\.\d+)? s$")
REGENERATE = "regenerate it: python docs/generate_examples.py reference"


def reference_lines(text):
    lines = text.splitlines()
    return [TIMING.sub(" in ... s", lines[0]), *lines[1:]] if lines else []


def reference_figure():
    """The exact-match accuracy of docs/reference-evaluation.txt, as printed (e.g. 0.817)."""
    for line in REFERENCE_FILE.read_text().splitlines():
        title, _, value = line.partition(":")
        if title.strip() == "exact-match accuracy":
            return value.split("±")[0].strip()
    raise AssertionError(f"{REFERENCE_FILE.name} has no exact-match line; {REGENERATE}")


def on_tensorflow():
    import keras

    return keras.backend.backend() == "tensorflow"


def reference_score_lines(scores):
    """The score lines ``python -m skmultimlp`` prints for ``cross_validate``'s ``scores``."""
    import io

    from skmultimlp.cli._report import print_scores
    from skmultimlp.metrics import SCORERS

    out = io.StringIO()
    print_scores({key: scores[f"test_{key}"] for key in SCORERS}, out)
    return out.getvalue().splitlines()


def test_reference_evaluation_file_is_included():
    # The pages that show the evaluation's output include the file rather than a copy.
    for page in ("index.md", "cli.md"):
        assert '--8<-- "reference-evaluation.txt"' in (DOCS / page).read_text(), page


def test_readme_reference_example_is_the_executed_one():
    """README.md's example is index.md's, which test_page_examples_run runs and checks."""
    readme = BLOCK.findall((ROOT / "README.md").read_text())
    assert readme[0] == python_blocks("index.md")[0]


# A figure for the reference workload: a number on a line that speaks of exact match, in a
# paragraph that speaks of the reference evaluation or data (a standard deviation after
# "±" is not one).
FIGURE = re.compile(r"(?<!± )\b0\.\d+\b")


def quoted_reference_figures(text):
    for paragraph in re.split(r"\n\s*\n", text):
        if "reference" not in paragraph.lower():
            continue
        for line in paragraph.splitlines():
            if "exact" in line.lower():
                yield from FIGURE.findall(line)


def stale_figures(text, figure):
    """The figures quoted in ``text`` that are not ``figure`` (rounded to their digits)."""
    value = float(figure)
    return [
        quoted
        for quoted in quoted_reference_figures(text)
        if float(quoted) != round(value, len(quoted) - 2)
    ]


def test_stale_figure_check_finds_stale_figures():
    text = (
        "The reference evaluation:\nprint(exact_match)  # about 0.81\n"
        "exact-match accuracy: 0.801 ± 0.036\n\nexact match 0.5 elsewhere\n"
    )
    assert list(quoted_reference_figures(text)) == ["0.81", "0.801"]
    assert stale_figures(text, "0.806") == ["0.801"]
    assert stale_figures(text, "0.817") == ["0.81", "0.801"]
    assert stale_figures("reference, exact match: about 0.8", "0.817") == []


@pytest.mark.parametrize("page", ["README.md", *sorted(p.name for p in DOCS.glob("*.md"))])
def test_no_page_quotes_another_reference_figure(page):
    path = ROOT / page if page == "README.md" else DOCS / page
    assert stale_figures(path.read_text(), reference_figure()) == [], (
        f"{page} quotes an exact-match figure for the reference evaluation that is not "
        f"{reference_figure()} ({REFERENCE_FILE.name}); include or link the file instead"
    )


# ------------------------------------------------------------------------------- README.md


def readme_section(title):
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_readme_parameter_table_is_complete():
    """One row per parameter of KerasMultiLabelClassifier, with its default."""
    import ast

    from skmultimlp import KerasMultiLabelClassifier

    rows = re.findall(r"^\| `(\w+)` \| `([^`]*)` \|", readme_section("Parameters"), re.MULTILINE)
    names = [name for name, _ in rows]
    defaults = KerasMultiLabelClassifier().get_params()
    assert sorted(names) == sorted(defaults), "rows missing or extra"
    assert len(set(names)) == len(names), "a parameter has two rows"
    for name, shown in rows:
        assert ast.literal_eval(shown) == defaults[name], f"default of {name}"


def pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize("page", ["README.md", "docs/index.md"])
def test_dependency_list_is_pyproject_s(page):
    text = (ROOT / page).read_text()
    listed = re.search(r"The dependencies, from `pyproject.toml`: (.*?)\.(?:\s|$)", text, re.S)
    assert listed, f"{page} has no dependency list"
    assert re.findall(r"`([^`]+)`", listed[1]) == pyproject()["dependencies"]


def test_install_instructions_are_from_a_clone():
    """skmultimlp is not on PyPI: no page installs it by name; every extra is listed."""
    pages = [ROOT / "README.md", *DOCS.glob("*.md")]
    for path in pages:
        assert not re.search(r"pip install [\"']?skmultimlp", path.read_text()), path.name
    install = readme_section("Install")
    for extra in pyproject()["optional-dependencies"]:
        assert f'pip install -e ".[{extra}]"' in install, extra


# ------------------------------------------------------------------------ command sessions


def fenced_blocks(text):
    """(language, body) of each fenced code block of a Markdown text."""
    blocks, language, body = [], None, []
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            if language is None:
                language, body = line[3:].strip(), []
            else:
                blocks.append((language, "".join(body)))
                language = None
        elif language is not None:
            body.append(line)
    return blocks


SESSION = re.compile(r"^```text\n(\$ .*?)^```", re.DOTALL | re.MULTILINE)


def shown_commands():
    """(page, argv, shown output) of each ``skmultimlp`` command the pages show."""
    found = []
    for page in ("cli.md", "troubleshooting.md"):
        for block in SESSION.findall((DOCS / page).read_text()):
            for command, output in re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n)*)", block, re.M):
                if command.startswith("skmultimlp"):
                    found.append((page, command, output))
    for language, block in fenced_blocks((ROOT / "README.md").read_text()):
        if language == "python":
            continue
        for command in block.replace("\\\n", " ").splitlines():
            if command.startswith("skmultimlp "):
                found.append(("README.md", command.split("  #")[0], None))
    return found


def test_shown_commands_are_found():
    pages = {page for page, _, _ in SHOWN_COMMANDS}
    assert pages == {"cli.md", "troubleshooting.md", "README.md"}


SHOWN_COMMANDS = shown_commands()


@pytest.mark.parametrize(
    ("page", "command", "output"),
    SHOWN_COMMANDS,
    ids=[f"{page}-{number}" for number, (page, _, _) in enumerate(SHOWN_COMMANDS, start=1)],
)
def test_shown_command_parses(page, command, output, capsys):
    """Every command shown is one the parser accepts, unless its output is a usage error."""
    import shlex

    from skmultimlp.cli._parser import build_parser, check_arguments

    argv = []
    for word in shlex.split(command)[1:]:
        if word in ("|", ">"):
            break
        argv.append(word)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "evaluate")
    try:
        check_arguments(build_parser().parse_args(argv))
    except SystemExit:
        error = capsys.readouterr().err
        assert output is not None and output.startswith("skmultimlp: error:"), error
        assert output.strip() == error.strip(), "the shown usage error is not the parser's"
    else:
        assert output is None or not output.startswith("skmultimlp: error: argument")
