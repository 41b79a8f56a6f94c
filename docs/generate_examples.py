"""Regenerate the outputs the documentation shows, by running the code that prints them.

Run from the repository root, with the environment the docs describe (``make demo``'s)::

    .venv/bin/python docs/generate_examples.py             # both of the following
    .venv/bin/python docs/generate_examples.py reference   # docs/reference-evaluation.txt
    .venv/bin/python docs/generate_examples.py sessions    # the terminal sessions of the pages
    .venv/bin/python docs/generate_examples.py cli.md      # those of one page

``reference``: ``docs/reference-evaluation.txt`` is the standard output of
``python -m skmultimlp`` (the reference evaluation), the one source of its figures: pages
include it with ``--8<-- "reference-evaluation.txt"`` (pymdownx.snippets) and
``tests/test_docs.py`` re-runs the evaluation and fails when the file's scores are stale.

``sessions``: in the pages of ``SESSION_PAGES``, a fenced ``text`` block whose first line
starts with ``$ `` is a terminal session. Each ``$ `` line is run by bash in one temporary
folder per page, where ``skmultimlp`` is ``python -m skmultimlp`` of this checkout; what it
writes (stdout and stderr, as a terminal shows them) replaces the lines after it. The page's
``python`` blocks that come before a session are run first, in that folder, as a reader
would (they write the example files). A block that includes a snippet (``--8<--``) is left
as it is. Timings ("in 5.8 s") change from run to run; everything else is deterministic.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
REFERENCE_FILE = DOCS / "reference-evaluation.txt"
SESSION_PAGES = ["cli.md", "troubleshooting.md"]
BLOCK = re.compile(r"^```(python|text)\n(.*?)^```\n", re.DOTALL | re.MULTILINE)


def _environment():
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="100")
    # What a user gets by default: the command hides TensorFlow's logs by itself.
    for name in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND", "PYTHONWARNINGS"):
        env.pop(name, None)
    return env


def reference():
    """Write the output of ``python -m skmultimlp`` to docs/reference-evaluation.txt."""
    result = subprocess.run(
        [sys.executable, "-m", "skmultimlp"],
        capture_output=True,
        text=True,
        env=_environment(),
        cwd=ROOT,
        check=True,
    )
    if result.stderr.strip():
        raise SystemExit(f"the reference evaluation wrote to stderr:\n{result.stderr}")
    REFERENCE_FILE.write_text(result.stdout)
    print(result.stdout, end="")


def _run_command(command, folder):
    script = f'skmultimlp() {{ "{sys.executable}" -m skmultimlp "$@"; }}\n{command}\n'
    result = subprocess.run(
        ["bash", "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_environment(),
        cwd=folder,
    )
    return result.stdout


def _session(text, folder):
    lines = []
    for line in text.splitlines():
        if line.startswith("$ "):
            print(line, flush=True)
            output = _run_command(line[2:], folder)
            print(output, end="", flush=True)
            lines.append(line)
            lines.extend(output.splitlines())
    return "\n".join(lines) + "\n"


def sessions(page):
    """Re-run the terminal sessions of ``page`` and write their output into it."""
    path = DOCS / page
    source = path.read_text()
    namespace = {"__name__": f"docs.{page}"}
    pending = []  # python blocks not run yet: run before the next session only
    with tempfile.TemporaryDirectory() as folder:
        cwd = os.getcwd()

        def replace(match):
            kind, body = match.groups()
            if kind == "python":
                pending.append(body)
                return match[0]
            if not body.startswith("$ ") or "--8<--" in body:
                return match[0]
            os.chdir(folder)
            try:
                while pending:
                    exec(compile(pending.pop(0), page, "exec"), namespace)
            finally:
                os.chdir(cwd)
            return f"```text\n{_session(body, folder)}```\n"

        path.write_text(BLOCK.sub(replace, source))


def main(argv):
    what = argv or ["reference", "sessions"]
    if "reference" in what:
        reference()
    pages = [name for name in what if name.endswith(".md")]
    for page in SESSION_PAGES if "sessions" in what else pages:
        sessions(page)


if __name__ == "__main__":
    main(sys.argv[1:])
