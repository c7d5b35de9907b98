"""The house-prices trainer: XGBoost regression in a scikit-learn Pipeline (numeric columns passed through, one-hot
encoded categories), trained on the split the worker hands over, exported to ONNX through onnxmltools.

It reports each boosting round (the held-out RMSE), saves the booster every ``checkpoint_every`` rounds and after
the last one (a retry on any worker continues from the last one), saves a last one when the worker asks it to stop (SIGTERM), and ends with
the model checked against XGBoost and the held-out RMSE, MAE and R².

Params (the run input's ``params``): n_estimators (300), learning_rate (0.08), max_depth (4), checkpoint_every (50).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import slipway_trainer as st
from sklearn.compose import ColumnTransformer
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from slipway_trainer.onnx import export_sklearn, float32_cast
from xgboost import XGBRegressor
from xgboost.callback import TrainingCallback

DEFAULTS = {"n_estimators": 300, "learning_rate": 0.08, "max_depth": 4, "checkpoint_every": 50}


def params_of(t: st.TrainerRun) -> dict[str, Any]:
    """The params with their defaults; an unknown or out-of-range one is a final error (exit 2)."""
    params = {**DEFAULTS, **t.params}
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        st.fail(f"params.{unknown[0]}: unknown (this trainer takes {', '.join(DEFAULTS)})")
    for name in ("n_estimators", "max_depth", "checkpoint_every"):
        if not isinstance(params[name], int) or isinstance(params[name], bool) or params[name] < 1:
            st.fail(f"params.{name}: expected an integer >= 1, got {params[name]!r}")
    if not isinstance(params["learning_rate"], (int, float)) or not 0 < params["learning_rate"] <= 1:
        st.fail(f"params.learning_rate: expected a number in (0, 1], got {params['learning_rate']!r}")
    return params


class Progress(TrainingCallback):
    """Reports each round, checkpoints every few, and ends training when the worker asks the trainer to stop."""

    def __init__(self, t: st.TrainerRun, first_round: int, every: int, last_round: int) -> None:
        super().__init__()
        self.t, self.first_round, self.every, self.last_round = t, first_round, every, last_round
        self.rounds = first_round
        t.stopping  # noqa: B018 - from here on SIGTERM sets t.stopping instead of ending the process

    def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
        self.rounds = self.first_round + epoch + 1
        self.t.report(self.rounds, rmse=float(evals_log["validation_0"]["rmse"][-1]))
        if self.rounds % self.every == 0 or self.rounds == self.last_round or self.t.stopping:
            save_checkpoint(self.t, model, self.rounds)
        return self.t.stopping  # True ends the training after this round


def save_checkpoint(t: st.TrainerRun, booster: Any, rounds: int) -> None:
    """Saves the booster so far (atomically) and tells the worker."""
    os.makedirs(t.work_dir / "checkpoints", exist_ok=True)
    path = t.work_dir / "checkpoints" / f"round-{rounds}.ubj"
    booster.save_model(f"{path}.tmp.ubj")
    os.replace(f"{path}.tmp.ubj", path)
    t.checkpoint(path, rounds)


def main(t: st.TrainerRun) -> None:
    if t.task != "regression":
        st.fail(f"this trainer trains regressors; the run's task is {t.task}")
    params = params_of(t)
    f = t.features
    train, heldout = t.train_frame(), t.heldout_frame()
    # Trees split at training values: numbers pass through unscaled, so the ONNX model (float32) splits the same way.
    columns = ColumnTransformer(
        [
            ("numeric", "passthrough", list(f.numeric)),
            ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(f.categorical)),
        ]
    )
    x, x_heldout = float32_cast(train, f), float32_cast(heldout, f)
    columns.fit(x)
    resume, done = (str(t.resume_from.path), t.resume_from.step) if t.resume_from else (None, 0)
    if resume:
        t.log(f"resuming from the checkpoint at round {done}")
    progress = Progress(t, done, params["checkpoint_every"], params["n_estimators"])
    boosting = XGBRegressor(
        n_estimators=max(0, params["n_estimators"] - done),
        learning_rate=params["learning_rate"],
        max_depth=params["max_depth"],
        random_state=t.seed,
        n_jobs=1,
        callbacks=[progress],
    )
    if done < params["n_estimators"]:
        boosting.fit(
            columns.transform(x),
            train[f.target],
            eval_set=[(columns.transform(x_heldout), heldout[f.target])],
            xgb_model=resume,
            verbose=False,
        )
    if t.stopping:
        return  # the last checkpoint is written: the worker retries (or the run was cancelled)
    boosting.set_params(callbacks=None)  # the model is exported and pickled without the trainer's callback
    model = Pipeline([("columns", columns), ("boosting", boosting)])

    truth, predicted = heldout[f.target].to_numpy(), model.predict(x_heldout)
    metrics = {
        "rmse": root_mean_squared_error(truth, predicted),
        "mae": mean_absolute_error(truth, predicted),
        "r2": r2_score(truth, predicted),
        "rounds": float(progress.rounds),
    }
    t.log(f"held-out RMSE {metrics['rmse']:.2f}, R² {metrics['r2']:.4f} after {progress.rounds} rounds")
    signature = export_sklearn(model, train, f, t.output_dir)
    t.finish("model.onnx", "onnx", signature, {k: float(np.float64(v)) for k, v in metrics.items()})


if __name__ == "__main__":
    st.run(main)
