"""The one error type of the package."""

from __future__ import annotations


class TrainerError(Exception):
    """A problem with the trainer's input, data or calls, with a message naming what was wrong and where.

    ``final`` says whether retrying the attempt could help: ``True`` (the default) for bad input, params or calls,
    which :func:`slipway_trainer.run` turns into exit code 2 (the run fails non-retryably); ``False`` for a split
    file whose bytes are not the pinned ones, which a retry materialises afresh (exit code 1).
    """

    def __init__(self, message: str, *, final: bool = True) -> None:
        super().__init__(message)
        self.final = final
