"""The churn trainer: a scikit-learn Pipeline (scaling and one-hot encoding in a ColumnTransformer, then gradient
boosting) trained on the split the worker hands over, exported to ONNX.

It reports each boosting stage (the training loss), writes a checkpoint every ``checkpoint_every`` stages (a retry
on any worker resumes from the last one instead of starting again), writes a last one when the worker asks it to
stop (SIGTERM), and ends with the model checked against scikit-learn and the held-out metrics.

Params (the run input's ``params``): n_estimators (150), learning_rate (0.1), max_depth (3), checkpoint_every (25).
"""

from __future__ import annotations

import os
import pickle
from typing import Any

import numpy as np
import slipway_trainer as st
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from slipway_trainer.onnx import export_sklearn, float32_cast

DEFAULTS = {"n_estimators": 150, "learning_rate": 0.1, "max_depth": 3, "checkpoint_every": 25}


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


def new_pipeline(t: st.TrainerRun, params: dict[str, Any]) -> Pipeline:
    f = t.features
    columns = ColumnTransformer(
        [
            ("numeric", StandardScaler(), list(f.numeric)),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(f.categorical)),
        ]
    )
    boosting = GradientBoostingClassifier(
        n_estimators=1,
        learning_rate=params["learning_rate"],
        max_depth=params["max_depth"],
        random_state=t.seed,
        warm_start=True,  # each fit adds stages to the ones already there
    )
    return Pipeline([("columns", columns), ("boosting", boosting)])


def save_checkpoint(t: st.TrainerRun, model: Pipeline, stages: int) -> None:
    """Pickles the model with its stages so far (atomically) and tells the worker."""
    os.makedirs(t.work_dir / "checkpoints", exist_ok=True)
    path = t.work_dir / "checkpoints" / f"stage-{stages}.pkl"
    with open(f"{path}.tmp", "wb") as handle:
        pickle.dump(model, handle)
    os.replace(f"{path}.tmp", path)
    t.checkpoint(path, stages)


def main(t: st.TrainerRun) -> None:
    if t.task != "binary":
        st.fail(f"this trainer trains binary classifiers; the run's task is {t.task}")
    params = params_of(t)
    f = t.features
    train, heldout = t.train_frame(), t.heldout_frame()
    x, y = float32_cast(train, f), train[f.target]  # float32, as the ONNX model sees the numbers

    if t.resume_from is not None:
        with open(t.resume_from.path, "rb") as handle:
            model: Pipeline = pickle.load(handle)  # noqa: S301 - our own checkpoint, from the worker's artifact store
        done = t.resume_from.step
        t.log(f"resuming from the checkpoint at stage {done}")
    else:
        model, done = new_pipeline(t, params), 0

    t.stopping  # noqa: B018 - from here on SIGTERM sets t.stopping instead of ending the process

    def each_stage(i: int, boosting: GradientBoostingClassifier, _locals: dict[str, Any]) -> bool:
        t.report(i + 1, loss=float(boosting.train_score_[i]))
        return t.stopping  # True ends the fit after this stage

    while done < params["n_estimators"] and not t.stopping:
        target = min(done + params["checkpoint_every"], params["n_estimators"])
        model.set_params(boosting__n_estimators=target)
        model.fit(x, y, boosting__monitor=each_stage)
        done = len(model.named_steps["boosting"].estimators_)
        save_checkpoint(t, model, done)
    if t.stopping:
        return  # the last checkpoint is written: the worker retries (or the run was cancelled)

    probabilities = model.predict_proba(float32_cast(heldout, f))
    truth = heldout[f.target].to_numpy()
    positive = probabilities[:, list(model.classes_).index(1)] if 1 in model.classes_ else probabilities[:, 1]
    metrics = {
        "auc": roc_auc_score(truth, positive),
        "logLoss": log_loss(truth, probabilities, labels=model.classes_),
        "accuracy": accuracy_score(truth, model.classes_[np.argmax(probabilities, axis=1)]),
        "stages": float(done),
    }
    t.log(f"held-out AUC {metrics['auc']:.4f} after {done} stages")
    signature = export_sklearn(model, train, f, t.output_dir, tolerance=1e-5)
    t.finish("model.onnx", "onnx", signature, metrics, classes=model.classes_)


if __name__ == "__main__":
    st.run(main)
