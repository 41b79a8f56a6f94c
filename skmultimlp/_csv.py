"""A labelled CSV file read for the command-line tool, with one-line errors for bad data.

A file holds one row per sample. Its labels are either 0/1 columns (``--labels``), where
an empty cell means "unknown" (the estimator leaves it out of the loss), or one column
of label names joined by a separator (``--label-column`` and ``--sep``), where an empty
cell means "no label". Every other column, except those to ignore, is a numeric feature.

When a ``--labels`` column holds anything but 0 and 1 (names, or other integers), the
columns are class columns instead: each is an output of a multi-class target, whose
classes are its values (an empty cell is still unknown). One such column is a binary or
multiclass target; several are a multiclass-multioutput target, in which a 0/1 column
is an output of the two classes 0 and 1.
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
    With ``outputs``, ``y``'s columns are class columns instead (integers, or names as
    written), NA for an unknown entry, and ``classes`` holds the sorted classes of each.
    """

    X: pd.DataFrame
    y: pd.DataFrame
    n_unknown: int
    outputs: bool = False
    classes: list = None

    @property
    def target(self):
        """What the estimator is fitted on: ``y``, or its one column (a Series, a binary
        or multiclass target) when a single class column is given."""
        if self.outputs and self.y.shape[1] == 1:
            return self.y.iloc[:, 0]
        return self.y

    def stratification(self):
        """A 0/1 matrix to stratify folds on: ``y`` itself (labels), or one column per
        class of each output (class columns; an unknown entry is in none)."""
        if not self.outputs:
            return self.y.to_numpy()
        return np.hstack(
            [pd.get_dummies(self.y[name], dtype=np.uint8).to_numpy() for name in self.y]
        )


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


def _zero_one(column):
    """``column`` as 0/1 floats (NaN for an empty cell), or None if it holds other values."""
    values = (
        column.astype(np.float64)
        if pd.api.types.is_bool_dtype(column)
        else pd.to_numeric(column, errors="coerce")
    )
    if (column.notna() & ~values.isin([0, 1])).any():
        return None
    return values.astype(np.float64)


def _label_columns(frame, source, names):
    """0/1 label columns, or class columns if any column holds other values: the
    columns and whether they are class columns."""
    y = {}
    for name in names:
        values = _zero_one(frame[name])
        if values is not None and values.isna().all():
            raise DataError(f"label column {name!r} of {source} has no known value")
        y[name] = values
    if all(values is not None for values in y.values()):
        return pd.DataFrame(y, index=frame.index), False
    columns = {
        name: (
            _class_column(frame[name], source, name)
            if values is None
            else values.astype("Int64")  # a 0/1 column: an output of the classes 0 and 1
        )
        for name, values in y.items()
    }
    classes = pd.DataFrame(columns, index=frame.index)
    one = [name for name in names if classes[name].nunique() < 2]
    if one:
        shown = _listing(f"{name!r} ({classes[name].dropna().tolist()[0]!r})" for name in one)
        raise DataError(
            f"label columns of {source} are outputs of a multi-class target (a column holds "
            f"values other than 0 and 1), and each needs two classes or more; one class "
            f"only: {shown}"
        )
    _check_not_indicator(classes, source)
    return classes, True


def _class_column(column, source, name):
    """A column of classes: integers (numbers that are whole) or names as written."""
    if not pd.api.types.is_numeric_dtype(column):
        return column.astype(object).where(column.notna(), None)
    known = column.dropna()
    fractional = known[~np.isfinite(known) | (known != np.round(known))]
    if len(fractional):
        examples = _listing(repr(v) for v in pd.unique(fractional).tolist())
        raise DataError(
            f"label column {name!r} of {source} holds numbers that are not whole ({examples}); "
            "a label column holds 0/1, integer classes or class names"
        )
    return column.astype("Int64")


def _check_not_indicator(classes, source):
    """Refuse class columns that the estimator would read as 0/1 labels whose -1 marks an
    unknown entry: several columns whose values are all -1, 0 or 1 (KerasMultiLabelClassifier
    reads such a 2-D target as multi-label, even written as text)."""
    from ._outputs import _is_indicator

    if classes.shape[1] < 2 or not _is_indicator(classes):  # one column: a 1-D target
        return
    raise DataError(
        f"label columns {_listing(repr(name) for name in classes.columns)} of {source} hold "
        "only -1, 0 and 1, which the estimator reads as 0/1 labels with -1 for an unknown "
        "entry, not as classes; name the classes (such as neg, neutral, pos for -1, 0, 1), "
        "or give a column of -1, 0 and 1 as the only --labels column"
    )


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


def _rows(n):
    return f"{int(n)} row{'s' if n != 1 else ''}"


def label_warnings(y, *, sep=None, outputs=False):
    """What looks wrong about the labels of ``y`` (one column per label), one line each.

    A label with fewer than :data:`MIN_LABEL_ROWS` positive rows, names that differ only
    in case, and, for a label-name column split by ``sep``, names that hold another
    common separator (``,`` ``;`` ``|``: the wrong ``--sep``, most likely). With
    ``outputs`` (class columns), a class seen in fewer rows, and class names of one
    column that differ only in case.
    """
    if outputs:
        return _class_warnings(y)
    found = []
    counts = (y == 1).sum(axis=0)
    rare = [f"{name!r} ({_rows(n)})" for name, n in counts.items() if n < MIN_LABEL_ROWS]
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


def _class_warnings(y):
    """:func:`label_warnings` of class columns: rare classes (a typo, most often), and
    classes of one column, or column names, that differ only in case."""
    found, rare, same = [], [], []
    for name in y.columns:
        counts = y[name].value_counts(sort=False)
        rare += [
            f"{name}={value!r} ({_rows(n)})"
            for value, n in sorted(counts.items(), key=lambda item: str(item[0]))
            if n < MIN_LABEL_ROWS
        ]
        same += _same_but_case([value for value in counts.index if isinstance(value, str)])
    if rare:
        found.append(f"classes seen in fewer than {MIN_LABEL_ROWS} rows: {_listing(rare)}")
    same = _same_but_case([str(name) for name in y.columns]) + same
    if same:
        found.append(f"labels or classes that differ only in case: {_listing(same)}")
    return found


def _same_but_case(names):
    by_case = {}
    for name in names:
        by_case.setdefault(name.lower(), []).append(name)
    return [" / ".join(sorted(group)) for group in by_case.values() if len(group) > 1]


def labelled_data(frame, source, *, labels=(), label_column=None, sep=";", ignore=(), classes=None):
    """Split ``frame`` into numeric features and labels (see the module docstring).

    ``classes`` fixes the label names of a ``label_column`` (in that order).
    """
    check_columns(frame, source, labels=labels, label_column=label_column, ignore=ignore)
    outputs = False
    if label_column is not None:
        y = _label_name_column(frame, source, label_column, sep, classes)
        used = {label_column, *ignore}
    else:
        y, outputs = _label_columns(frame, source, labels)
        used = {*labels, *ignore}
    X = feature_frame(frame, source, [c for c in frame.columns if c not in used])
    n_unknown = int(y.isna().to_numpy().sum())
    if not outputs:
        return LabelledData(X=X, y=y, n_unknown=n_unknown)
    classes = [sorted(y[name].dropna().unique().tolist()) for name in y]
    return LabelledData(X=X, y=y, n_unknown=n_unknown, outputs=True, classes=classes)
