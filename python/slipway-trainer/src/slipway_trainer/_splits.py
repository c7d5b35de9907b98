"""Reading a split file into a pandas DataFrame, after checking its bytes against the pinned digest."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from ._errors import TrainerError
from ._input import Features, Split, Task

if TYPE_CHECKING:
    import pandas as pd


def file_digest(path: Path) -> str:
    """``sha256:<hex>`` of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def read_split(name: str, split: Split, features: Features, task: Task) -> pd.DataFrame:
    """The split as a DataFrame with exactly the protocol's columns, in order.

    Numeric features are float64 (an empty CSV cell is NaN), categorical features are strings (an empty cell is
    missing), the target is float64 for regression and as read otherwise.

    :raises TrainerError: when the file is missing, its digest is not the pinned one (retryable), a column is
        missing or the row count is not the declared one.
    """
    import pandas as pd

    try:
        actual = file_digest(split.path)
    except OSError as err:
        raise TrainerError(f"split {name}: cannot read {split.path}: {err.strerror or err}", final=False) from err
    if actual != split.digest:
        raise TrainerError(
            f"split {name}: {split.path} has digest {actual}, but the input pins {split.digest}; "
            "the file is not the pinned split",
            final=False,
        )
    columns = list(features.columns)
    if split.format == "csv":
        header = pd.read_csv(split.path, nrows=0).columns.tolist()
        _check_columns(name, split.path, header, columns)
        dtypes: dict[str, object] = {c: "float64" for c in features.numeric}
        dtypes.update({c: "str" for c in features.categorical})
        if task == "regression":
            dtypes[features.target] = "float64"
        try:
            frame = pd.read_csv(split.path, usecols=columns, dtype=dtypes)
        except ValueError as err:
            raise TrainerError(f"split {name}: {split.path}: {err}") from err
    else:
        import pyarrow.parquet as pq

        _check_columns(name, split.path, pq.read_schema(split.path).names, columns)
        frame = pd.read_parquet(split.path, engine="pyarrow", columns=columns)
        try:
            frame = frame.astype({c: "float64" for c in features.numeric})
            if task == "regression":
                frame = frame.astype({features.target: "float64"})
        except (ValueError, TypeError) as err:
            raise TrainerError(f"split {name}: {split.path}: {err}") from err
    frame = frame[columns]
    if len(frame) != split.rows:
        raise TrainerError(f"split {name}: {split.path} has {len(frame)} rows, but the input declares {split.rows}")
    return frame


def _check_columns(name: str, path: Path, present: list[str], wanted: list[str]) -> None:
    missing = [c for c in wanted if c not in present]
    if missing:
        raise TrainerError(f"split {name}: {path} has no column {missing[0]!r} (columns: {', '.join(present)})")
