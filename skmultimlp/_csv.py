"""A labelled CSV file read for the command-line tool, with one-line errors for bad data.

A file holds one row per sample. Its labels are either 0/1 columns (``--labels``), where
an empty cell means "unknown" (the estimator leaves it out of the loss), or one column
of label names joined by a separator (``--label-column`` and ``--sep``), where an empty
cell means "no label". Every other column, except those to ignore, is a numeric feature.
"""

import csv
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.preprocessing import MultiLabelBinarizer

_SHOWN = 8  # names listed in one error message before "..."


class DataError(ValueError):
    """The input data cannot be used; the message is one line addressed to the user."""


def _listing(names, limit=_SHOWN):
    names = [str(name) for name in names]
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def read_csv(path):
    """The CSV file at ``path`` as a DataFrame; a :class:`DataError` if it cannot be read
    or two columns share a name (pandas would rename one silently)."""
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise DataError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a directory, not a CSV file") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        detail = " ".join(str(exc).split())
        raise DataError(f"cannot read {path} as a CSV file: {detail}") from None
    with open(path, newline="", encoding="utf-8", errors="replace") as file:
        header = next(csv.reader(file), [])
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise DataError(
            f"{path} has more than one column named {_listing(repr(n) for n in twice)}; "
            "give each column its own name"
        )
    if frame.empty:
        raise DataError(f"{path} has a header but no data rows")
    return frame


def read_text_columns(path, columns):
    """``columns`` of the CSV file at ``path`` exactly as written: strings, no NA guessing."""
    return pd.read_csv(path, usecols=list(columns), dtype=str, keep_default_na=False)[list(columns)]


@dataclass
class LabelledData:
    """Features and labels read from one file.

    ``X`` holds the feature columns as floats, in file order. ``y`` has one column per
    label, named after it: 0/1 with NaN for an unknown entry (label columns) or 0/1
    built from the label names (a label-name column, whose label columns are sorted).
    """

    X: pd.DataFrame
    y: pd.DataFrame
    n_unknown: int


def check_columns(frame, source, *, labels=(), label_column=None, ignore=()):
    """Raise a :class:`DataError` naming any requested column that ``frame`` lacks."""
    wanted = [*labels, *([label_column] if label_column is not None else []), *ignore]
    absent = [name for name in wanted if name not in frame.columns]
    if absent:
        kind = "column" if len(absent) == 1 else "columns"
        raise DataError(
            f"{source} has no {kind} {_listing(repr(a) for a in absent)}; "
            f"its columns are: {_listing(frame.columns, limit=30)}"
        )


def feature_frame(frame, source, columns):
    """``frame[columns]`` as floats; a :class:`DataError` for text, missing or infinite values."""
    if not columns:
        raise DataError(f"{source} has no feature column left besides the labels")
    X = {}
    text = []
    for name in columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            X[name] = column.astype(np.float64)
            continue
        numbers = pd.to_numeric(column, errors="coerce")
        words = column[column.notna() & numbers.isna()]
        if len(words):
            text.append(f"{name} (e.g. {words.iloc[0]!r})")
        X[name] = numbers.astype(np.float64)
    if text:
        raise DataError(
            f"feature columns of {source} are not numeric: {_listing(text)}; one-hot encode "
            "them (e.g. pandas.get_dummies) or leave them out with --ignore"
        )
    X = pd.DataFrame(X, index=frame.index)
    bad = ~np.isfinite(X.to_numpy())
    if bad.any():
        counts = bad.sum(axis=0)
        named = [
            f"{name} ({n} row{'s' if n > 1 else ''})"
            for name, n in zip(X.columns, counts, strict=True)
            if n
        ]
        raise DataError(
            f"feature columns of {source} have missing or infinite values: {_listing(named)}; "
            "fill them in or drop those rows"
        )
    return X


def _label_columns(frame, source, names):
    y = {}
    for name in names:
        column = frame[name]
        values = (
            column.astype(np.float64)
            if pd.api.types.is_bool_dtype(column)
            else pd.to_numeric(column, errors="coerce")
        )
        wrong = column.notna() & ~values.isin([0, 1])
        if wrong.any():
            examples = _listing(repr(v) for v in pd.unique(column[wrong]).tolist())
            raise DataError(
                f"label column {name!r} of {source} holds {int(wrong.sum())} value(s) other "
                f"than 0 and 1 ({examples}); leave a cell empty for an unknown label, or "
                "use --label-column for a column of label names"
            )
        if values.isna().all():
            raise DataError(f"label column {name!r} of {source} has no known value")
        y[name] = values.astype(np.float64)
    return pd.DataFrame(y, index=frame.index)


def label_sets(column, sep):
    """Each cell of ``column`` as a tuple of label names; an empty cell has none."""
    return [
        ()
        if pd.isna(cell)
        else tuple(part for part in (p.strip() for p in str(cell).split(sep)) if part)
        for cell in column
    ]


def _label_name_column(frame, source, name, sep, classes=None):
    sets = label_sets(frame[name], sep)
    if classes is not None:
        unknown = sorted({label for row in sets for label in row} - set(classes))
        if unknown:
            raise DataError(
                f"label column {name!r} of {source} holds names outside --classes: "
                f"{_listing(repr(u) for u in unknown)}"
            )
    binarizer = MultiLabelBinarizer(classes=classes)  # else sorted names, one 0/1 column each
    y = binarizer.fit_transform(sets)
    if not len(binarizer.classes_):
        raise DataError(f"label column {name!r} of {source} holds no label name")
    return pd.DataFrame(y, columns=binarizer.classes_, index=frame.index)


MIN_LABEL_ROWS = 2
"""A label seen in fewer rows than this is most likely a typo (or cannot be learned)."""


def label_warnings(y, *, sep=None):
    """What looks wrong about the labels of ``y`` (one column per label), one line each.

    A label with fewer than :data:`MIN_LABEL_ROWS` positive rows, names that differ only
    in case, and, for a label-name column split by ``sep``, names that hold another
    common separator (``,`` ``;`` ``|``: the wrong ``--sep``, most likely).
    """
    found = []
    counts = (y == 1).sum(axis=0)
    rare = [
        f"{name!r} ({int(n)} row{'s' if n != 1 else ''})"
        for name, n in counts.items()
        if n < MIN_LABEL_ROWS
    ]
    if rare:
        found.append(f"labels seen in fewer than {MIN_LABEL_ROWS} rows: {_listing(rare)}")
    by_case = {}
    for name in y.columns:
        by_case.setdefault(str(name).lower(), []).append(str(name))
    same = [" / ".join(names) for names in by_case.values() if len(names) > 1]
    if same:
        found.append(f"labels that differ only in case: {_listing(same)}")
    if sep is not None:
        others = [c for c in ",;|" if c != sep]
        mixed = [repr(str(name)) for name in y.columns if any(c in str(name) for c in others)]
        if mixed:
            found.append(
                f"label names hold {' or '.join(repr(c) for c in others)} although --sep is "
                f"{sep!r}: {_listing(mixed)}; is --sep right?"
            )
    return found


def labelled_data(frame, source, *, labels=(), label_column=None, sep=";", ignore=(), classes=None):
    """Split ``frame`` into numeric features and labels (see the module docstring).

    ``classes`` fixes the label names of a ``label_column`` (in that order).
    """
    check_columns(frame, source, labels=labels, label_column=label_column, ignore=ignore)
    if label_column is not None:
        y = _label_name_column(frame, source, label_column, sep, classes)
        used = {label_column, *ignore}
    else:
        y = _label_columns(frame, source, labels)
        used = {*labels, *ignore}
    X = feature_frame(frame, source, [c for c in frame.columns if c not in used])
    return LabelledData(X=X, y=y, n_unknown=int(y.isna().to_numpy().sum()))
