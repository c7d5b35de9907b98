"""Reading and validating ``input.json`` (trainer protocol 1)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping, cast

from ._errors import TrainerError

PROTOCOL = 1
"""The protocol version this package speaks."""

Task = Literal["binary", "multiclass", "regression"]
SplitFormat = Literal["csv", "parquet"]

_TASKS = ("binary", "multiclass", "regression")
_FORMATS = ("csv", "parquet")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_TOP_LEVEL = ("protocol", "task", "features", "params", "seed", "splits", "outputDir", "resumeFrom")


@dataclass(frozen=True)
class Features:
    """The feature columns by kind, and the target column."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    target: str

    @property
    def inputs(self) -> tuple[str, ...]:
        """The model's input columns: numeric, then categorical."""
        return self.numeric + self.categorical

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of a split file, in order: numeric, categorical, target."""
        return self.inputs + (self.target,)


@dataclass(frozen=True)
class Split:
    """One materialised split file and what it must be."""

    path: Path
    format: SplitFormat
    digest: str
    rows: int


@dataclass(frozen=True)
class Resume:
    """The checkpoint to resume from."""

    path: Path
    step: int


@dataclass(frozen=True)
class TrainerInput:
    """A validated ``input.json``."""

    source: Path
    task: Task
    features: Features
    params: dict[str, Any]
    seed: int
    train: Split
    heldout: Split
    output_dir: Path
    resume_from: Resume | None


def read_input(path: Path) -> TrainerInput:
    """Reads and validates ``input.json``.

    :raises TrainerError: naming the file and the field when the file is missing, not JSON, or not protocol 1.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise TrainerError(f"cannot read the trainer input {path}: {err.strerror or err}") from err
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise TrainerError(f"{path}: not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}") from err
    return _Reader(path).document(raw)


class _Reader:
    """Validates one document; every error names the file and the field's dotted path."""

    def __init__(self, source: Path) -> None:
        self.source = source

    def fail(self, field: str, problem: str) -> TrainerError:
        return TrainerError(f'{self.source}: field "{field}": {problem}')

    def obj(self, value: object, field: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, f"expected an object, got {_kind(value)}")
        return cast(Mapping[str, Any], value)

    def text(self, value: object, field: str) -> str:
        if not isinstance(value, str) or value == "":
            raise self.fail(field, f"expected a non-empty string, got {_kind(value)}")
        return value

    def integer(self, value: object, field: str, minimum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(field, f"expected an integer, got {_kind(value)}")
        if minimum is not None and value < minimum:
            raise self.fail(field, f"expected an integer >= {minimum}, got {value}")
        return value

    def absolute(self, value: object, field: str) -> Path:
        path = Path(self.text(value, field))
        if not path.is_absolute():
            raise self.fail(field, f"expected an absolute path, got {str(path)!r}")
        return path

    def names(self, value: object, field: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(field, f"expected an array of column names, got {_kind(value)}")
        return tuple(self.text(item, f"{field}[{i}]") for i, item in enumerate(cast(list[object], value)))

    def document(self, raw: object) -> TrainerInput:
        doc = self.obj(raw, "(top level)")
        unknown = sorted(set(doc) - set(_TOP_LEVEL))
        if unknown:
            raise self.fail(unknown[0], "unknown field (protocol 1 has: " + ", ".join(_TOP_LEVEL) + ")")
        for name in _TOP_LEVEL:
            if name not in doc:
                raise self.fail(name, "missing")
        if type(doc["protocol"]) is not int or doc["protocol"] != PROTOCOL:
            raise self.fail("protocol", f"expected {PROTOCOL}, got {json.dumps(doc['protocol'])}")
        task = doc["task"]
        if task not in _TASKS:
            raise self.fail("task", f"expected one of {', '.join(_TASKS)}, got {json.dumps(task)}")
        splits = self.obj(doc["splits"], "splits")
        for name in splits:
            if name not in ("train", "heldout"):
                raise self.fail(f"splits.{name}", "unknown split (expected train and heldout)")
        return TrainerInput(
            source=self.source,
            task=cast(Task, task),
            features=self.features(doc["features"]),
            params=dict(self.obj(doc["params"], "params")),
            seed=self.integer(doc["seed"], "seed"),
            train=self.split(splits.get("train"), "splits.train"),
            heldout=self.split(splits.get("heldout"), "splits.heldout"),
            output_dir=self.absolute(doc["outputDir"], "outputDir"),
            resume_from=self.resume(doc["resumeFrom"]),
        )

    def features(self, value: object) -> Features:
        raw = self.obj(value, "features")
        for name in raw:
            if name not in ("numeric", "categorical", "target"):
                raise self.fail(f"features.{name}", "unknown field (expected numeric, categorical, target)")
        features = Features(
            numeric=self.names(raw.get("numeric"), "features.numeric"),
            categorical=self.names(raw.get("categorical"), "features.categorical"),
            target=self.text(raw.get("target"), "features.target"),
        )
        if not features.inputs:
            raise self.fail("features", "no feature columns (numeric and categorical are both empty)")
        seen: set[str] = set()
        for column in features.columns:
            if column in seen:
                raise self.fail("features", f"column {column!r} is named twice")
            seen.add(column)
        return features

    def split(self, value: object, field: str) -> Split:
        if value is None:
            raise self.fail(field, "missing")
        raw = self.obj(value, field)
        fmt = raw.get("format")
        if fmt not in _FORMATS:
            raise self.fail(f"{field}.format", f"expected csv or parquet, got {json.dumps(fmt)}")
        digest = raw.get("digest")
        if not isinstance(digest, str) or not _DIGEST.match(digest):
            raise self.fail(f"{field}.digest", f'expected "sha256:" and 64 lowercase hex digits, got {json.dumps(digest)}')
        return Split(
            path=self.absolute(raw.get("path"), f"{field}.path"),
            format=cast(SplitFormat, fmt),
            digest=digest,
            rows=self.integer(raw.get("rows"), f"{field}.rows", minimum=0),
        )

    def resume(self, value: object) -> Resume | None:
        if value is None:
            return None
        raw = self.obj(value, "resumeFrom")
        return Resume(
            path=self.absolute(raw.get("path"), "resumeFrom.path"),
            step=self.integer(raw.get("step"), "resumeFrom.step", minimum=0),
        )


def _kind(value: object) -> str:
    """A short description of a JSON value for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {json.dumps(value)}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {json.dumps(value)[:60]}"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else type(value).__name__
