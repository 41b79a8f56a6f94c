"""MkDocs hook: render the Sphinx markup of numpydoc docstrings on the API page.

The docstrings follow scikit-learn's numpydoc conventions, written for Sphinx:
``:class:`~sklearn.pipeline.Pipeline``` roles, ```text <url>`_`` links and "See Also"
entries of the form ``name : description``. mkdocstrings renders docstrings as Markdown,
where all three would show up literally. This turns a role or a "See Also" name into a
cross-reference that mkdocs-autorefs resolves when the target is on the site (and plain
code otherwise, without a warning), a "See Also" section into a list, and an RST link into
an HTML link.
"""

import html
import re

# After Markdown: ":class:<code>~pkg.Name</code>".
ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|obj|exc):<code>(~?)([\w.]+)</code>")
# After Markdown: "<code>text\n&lt;https://...&gt;</code>_".
RST_LINK = re.compile(r"<code>([^<]*?)\s*&lt;(https?://[^&\s]+)&gt;</code>_")
SEE_ALSO = re.compile(r"(<summary>See Also</summary>\s*)<p>(.*?)</p>", re.DOTALL)
SEE_ALSO_ENTRY = re.compile(r"^([\w.]+)(?:\s*:\s*(.*))?$")
# The full name of every object documented on the page, and references by a bare name.
ANCHOR = re.compile(r'id="(skmultimlp(?:\.\w+)+)"')
BARE_XREF = re.compile(r'<autoref identifier="(\w+)"')


def _xref(target, title):
    return f'<autoref identifier="{target}" optional><code>{title}</code></autoref>'


def _role(match):
    short, target = match.groups()
    return _xref(target, target.rsplit(".", 1)[-1] if short else target)


def _see_also(match):
    entries = []  # [name, description]; a line that is not "name : ..." continues the last
    for line in match[2].splitlines():
        entry = SEE_ALSO_ENTRY.match(line.strip())
        if entry or not entries:
            entries.append(list(entry.groups("")) if entry else [line.strip(), ""])
        else:
            entries[-1][1] += " " + line.strip()
    items = "".join(
        f"<li>{_xref(name, name)}{': ' + text if text else ''}</li>" for name, text in entries
    )
    return f"{match[1]}<ul>{items}</ul>"


def _link(match):
    text, url = match.groups()
    return f'<a href="{html.escape(url)}">{" ".join(text.split())}</a>'


def _qualify(html_text):
    """Bare names (``SCORERS``, a sibling class) as the full names documented on the page."""
    full = {}
    for name in ANCHOR.findall(html_text):
        full.setdefault(name.rsplit(".", 1)[-1], set()).add(name)
    unique = {short: names.pop() for short, names in full.items() if len(names) == 1}
    return BARE_XREF.sub(lambda m: f'<autoref identifier="{unique.get(m[1], m[1])}"', html_text)


def on_page_content(html_text, page, config, files):
    html_text = SEE_ALSO.sub(_see_also, html_text)
    return _qualify(RST_LINK.sub(_link, ROLE.sub(_role, html_text)))
