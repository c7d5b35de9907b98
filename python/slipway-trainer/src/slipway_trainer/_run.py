"""The trainer's side of one attempt: its input, its splits, its protocol lines and its result."""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Literal,
    Mapping,
    NoReturn,
    Sequence,
    SupportsFloat,
    SupportsIndex,
    TypedDict,
)

from ._errors import TrainerError
from ._input import PROTOCOL, Features, Resume, Task, TrainerInput, read_input
from ._lines import LEVELS, Level, count, emit, finite
from ._splits import read_split
from ._stop import StopState, exit_stopped
from ._watch import watch_stdin as _start_watcher

if TYPE_CHECKING:
    import pandas as pd

INPUT_ENV = "SLIPWAY_TRAINER_INPUT"
"""The environment variable that holds the absolute path of ``input.json``."""

ValueType = Literal["float", "double", "int", "string", "bool"]
ModelFormat = Literal["onnx", "slipway-json"]
_TYPES = ("float", "double", "int", "string", "bool")
_MODEL_FORMATS = ("onnx", "slipway-json")


class Port(TypedDict):
    """One named input or output of a model, and its value type."""

    name: str
    type: ValueType


class Signature(TypedDict):
    """A model's inputs and outputs, as ``result.json`` records them."""

    inputs: list[Port]
    outputs: list[Port]


class TrainerRun:
    """One attempt of a trainer: made by :func:`start`."""

    def __init__(self, spec: TrainerInput, work_dir: Path, stop: StopState | None = None) -> None:
        self._spec = spec
        self._stop = stop if stop is not None else StopState()
        self.work_dir = work_dir
        """The attempt's working directory (the cwd when the trainer started); checkpoints live inside it."""
        self._finished = False

    @property
    def task(self) -> Task:
        """``"binary"``, ``"multiclass"`` or ``"regression"``."""
        return self._spec.task

    @property
    def features(self) -> Features:
        """The numeric and categorical feature columns and the target column."""
        return self._spec.features

    @property
    def params(self) -> dict[str, Any]:
        """The run's training params (a copy: changing it changes nothing)."""
        return json.loads(json.dumps(self._spec.params))  # type: ignore[no-any-return]

    @property
    def seed(self) -> int:
        """The run's seed."""
        return self._spec.seed

    @property
    def resume_from(self) -> Resume | None:
        """The checkpoint a retry resumes from (its absolute path and step), or ``None`` on a first attempt."""
        return self._spec.resume_from

    @property
    def output_dir(self) -> Path:
        """Where the model file and ``result.json`` go."""
        return self._spec.output_dir

    @property
    def stopping(self) -> bool:
        """True once the worker has asked the trainer to stop (SIGTERM: cancellation or heartbeat timeout).

        Reading it tells the package that the trainer polls: SIGTERM then only sets it, and the trainer writes a
        last checkpoint and returns from ``main`` (which :func:`run` ends with exit code ``EXIT_STOPPED``) before the
        grace period ends. A trainer that never reads it (and registers no :meth:`on_stop` callback) is ended by
        SIGTERM at once.
        """
        self._stop.polled = True
        return self._stop.requested

    def on_stop(self, callback: Callable[[], object]) -> None:
        """Registers ``callback`` to run when the worker asks the trainer to stop (SIGTERM), e.g. to write a last
        checkpoint; after the callbacks (in registration order) the process exits with ``EXIT_STOPPED``.

        Callbacks run in the main thread, between two Python instructions of whatever it was doing; keep them short
        (the grace period is 30 s unless the worker configuration says otherwise). A callback that raises is
        reported on stderr and the next one still runs.
        """
        if not callable(callback):
            raise TrainerError(f"on_stop: expected a function, got {callback!r}")
        self._stop.add(callback)

    @property
    def finished(self) -> bool:
        """Whether :meth:`finish` has written ``result.json``."""
        return self._finished

    def train_frame(self) -> pd.DataFrame:
        """The training split (its digest checked first). :raises TrainerError: see :func:`read_split`."""
        return read_split("train", self._spec.train, self.features, self.task)

    def heldout_frame(self) -> pd.DataFrame:
        """The held-out split (its digest checked first). :raises TrainerError: see :func:`read_split`."""
        return read_split("heldout", self._spec.heldout, self.features, self.task)

    def report(self, step: SupportsIndex, epoch: SupportsIndex | None = None, **metrics: SupportsFloat) -> None:
        """Prints ``{"type":"progress","step":…,"epoch":…,"metrics":{…}}`` (epoch left out when ``None``)."""
        line: dict[str, Any] = {"type": "progress", "step": count(step, "report: step")}
        if epoch is not None:
            line["epoch"] = count(epoch, "report: epoch")
        line["metrics"] = finite(metrics, "report")
        emit(line)

    def checkpoint(self, path: str | os.PathLike[str], step: SupportsIndex) -> None:
        """Prints ``{"type":"checkpoint","path":…,"step":…}`` for a file the caller has finished writing.

        Write the file atomically (to a temporary name, then rename) before calling this. The path, relative to
        the working directory or absolute, must be a regular file inside the working directory; it is printed
        relative to the working directory.
        """
        number = count(step, "checkpoint: step")
        target = self.work_dir / Path(path)
        resolved = target.resolve()
        if not resolved.is_relative_to(self.work_dir):
            raise TrainerError(f"checkpoint: {target} is not inside the working directory {self.work_dir}")
        if not resolved.is_file():
            raise TrainerError(f"checkpoint: {target} does not exist or is not a regular file (write it first)")
        emit({"type": "checkpoint", "path": resolved.relative_to(self.work_dir).as_posix(), "step": number})

    def log(self, message: str, level: Level = "info") -> None:
        """Prints ``{"type":"log","level":…,"message":…}``."""
        if level not in LEVELS:
            raise TrainerError(f"log: level must be one of {', '.join(LEVELS)}, got {level!r}")
        emit({"type": "log", "level": level, "message": str(message)})

    def finish(
        self,
        model_path: str | os.PathLike[str],
        format: ModelFormat,  # noqa: A002 - the protocol's name
        signature: Signature,
        metrics: Mapping[str, SupportsFloat],
        classes: Sequence[str | int | bool] | None = None,
    ) -> Path:
        """Writes ``<outputDir>/result.json`` atomically and returns its path.

        ``model_path`` is relative to the output directory or absolute inside it, and must be an existing file.
        ``classes`` (classifiers): the classes in the order of the probability output's columns, as the target column
        holds them (scikit-learn's ``classes_``); left out, they are the training split's distinct values, sorted.
        """
        model = (self.output_dir / Path(model_path)).resolve()
        out = self.output_dir.resolve()
        if not model.is_relative_to(out) or model == out:
            raise TrainerError(f"finish: the model file {model} is not inside the output directory {out}")
        if not model.is_file():
            raise TrainerError(f"finish: the model file {model} does not exist")
        if format not in _MODEL_FORMATS:
            raise TrainerError(f"finish: format must be onnx or slipway-json, got {format!r}")
        result = {
            "protocol": PROTOCOL,
            "model": {"path": model.relative_to(out).as_posix(), "format": format},
            "signature": _check_signature(signature),
            "metrics": finite(metrics, "finish: metrics"),
        }
        if classes is not None:
            result["classes"] = _check_classes(classes)
        target = out / "result.json"
        out.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, json.dumps(result, indent=2, allow_nan=False) + "\n")
        self._finished = True
        return target


def start(*, watch_stdin: bool = True) -> TrainerRun:
    """Reads and validates the input named by ``SLIPWAY_TRAINER_INPUT`` and, unless ``watch_stdin`` is false (for
    running a trainer by hand), starts the thread that ends the process when stdin closes.

    :raises TrainerError: when the variable is unset or the input is invalid (naming the field).
    """
    location = os.environ.get(INPUT_ENV)
    if not location:
        raise TrainerError(f"{INPUT_ENV} is not set: a trainer is started by the Slipway worker, which sets it")
    spec = read_input(Path(location))
    if watch_stdin:
        _start_watcher()
    stop = StopState()
    stop.install()
    return TrainerRun(spec, Path.cwd().resolve(), stop)


def fail(message: str) -> NoReturn:
    """Ends the trainer with a final error: prints ``message`` on stderr and exits with code 2 (no retry)."""
    _exit(2, message)


def run(main: Callable[[TrainerRun], object], *, watch_stdin: bool = True) -> None:
    """Starts the trainer and calls ``main(trainer)``, mapping the outcome to the protocol's exit codes.

    - ``main`` returns after :meth:`TrainerRun.finish`: the process goes on to exit 0;
    - ``main`` returns without ``finish``, or a final :class:`TrainerError` (bad input or call): exit 2 with the
      message on stderr;
    - any other exception (or a retryable ``TrainerError``): exit 1 with the traceback on stderr (retryable);
    - ``main`` returns without ``finish`` after the worker asked it to stop (SIGTERM, see
      :attr:`TrainerRun.stopping`): exit ``EXIT_STOPPED`` (143).
    """
    try:
        trainer = start(watch_stdin=watch_stdin)
        main(trainer)
    except TrainerError as err:
        if err.final:
            _exit(2, f"slipway-trainer: {err}")
        _exit(1, traceback.format_exc())
    except Exception:  # noqa: BLE001 - every other failure is retryable by protocol
        _exit(1, traceback.format_exc())
    if not trainer.finished and trainer._stop.requested:
        exit_stopped()
    if not trainer.finished:
        _exit(2, "slipway-trainer: the trainer returned without calling finish() (no result.json was written)")


def _exit(code: int, message: str) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.stderr.flush()
    os._exit(code)


def _check_signature(signature: object) -> dict[str, list[dict[str, str]]]:
    if not isinstance(signature, dict) or set(signature) != {"inputs", "outputs"}:
        raise TrainerError("finish: signature must be an object with exactly inputs and outputs")
    out: dict[str, list[dict[str, str]]] = {}
    for side in ("inputs", "outputs"):
        ports = signature[side]
        if not isinstance(ports, list) or not ports:
            raise TrainerError(f"finish: signature.{side} must be a non-empty list")
        names: set[str] = set()
        out[side] = []
        for i, port in enumerate(ports):
            where = f"finish: signature.{side}[{i}]"
            if not isinstance(port, dict) or set(port) != {"name", "type"}:
                raise TrainerError(f"{where} must be an object with exactly name and type")
            name, kind = port["name"], port["type"]
            if not isinstance(name, str) or not name or name in names:
                raise TrainerError(f"{where}.name must be a non-empty, unique string, got {name!r}")
            if kind not in _TYPES:
                raise TrainerError(f"{where}.type must be one of {', '.join(_TYPES)}, got {kind!r}")
            names.add(name)
            out[side].append({"name": name, "type": kind})
    return out


def _check_classes(classes: object) -> list[str | int | bool]:
    """The classes as JSON values: at least two, unique, each a string, an integer or a boolean (numpy scalars too)."""
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__iter__"):
        raise TrainerError(f"finish: classes must be a list, got {classes!r}")
    out: list[str | int | bool] = []
    for i, value in enumerate(classes):  # type: ignore[call-overload]
        plain = value.item() if hasattr(value, "item") else value  # numpy scalars
        if isinstance(plain, float) and plain.is_integer():
            plain = int(plain)
        if not isinstance(plain, (str, int, bool)) or plain in out or plain == "":
            raise TrainerError(f"finish: classes[{i}] must be a unique, non-empty string, integer or boolean, got {value!r}")
        out.append(plain)
    if len(out) < 2:
        raise TrainerError(f"finish: classes must name at least two classes, got {len(out)}")
    return out


def _write_atomically(target: Path, text: str) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
