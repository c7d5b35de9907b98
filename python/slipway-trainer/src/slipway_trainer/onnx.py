"""Exporting fitted scikit-learn pipelines to ONNX, with the signature ``result.json`` records.

Needs the ``onnx`` extra (``pip install "slipway-trainer[onnx]"``: scikit-learn, skl2onnx, onnx, onnxruntime).
A Pipeline may end in an XGBoost model (``XGBClassifier``, ``XGBRegressor``) or a LightGBM model
(``LGBMClassifier``, ``LGBMRegressor``): their converters come from onnxmltools, registered with skl2onnx as
onnxmltools documents (the ``xgboost`` extra adds onnxmltools, the ``lightgbm`` extra onnxmltools and lightgbm).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import TrainerError
from ._input import Features
from ._run import Port, Signature, ValueType
from ._trees import tree_opset

if TYPE_CHECKING:
    import pandas as pd

MODEL_FILE = "model.onnx"
"""The file :func:`export_sklearn` writes into the output directory."""

VERIFY_ROWS = 1000
"""How many rows of the frame :func:`export_sklearn` predicts with both runtimes to check the export."""

# ONNX TensorProto element types -> protocol value types.
_ELEMENT_TYPES: dict[int, ValueType] = {1: "float", 11: "double", 6: "int", 7: "int", 8: "string", 9: "bool"}


def export_sklearn(
    model: Any,
    frame: pd.DataFrame,
    features: Features,
    output_dir: str | os.PathLike[str],
    *,
    tolerance: float = 1e-4,
) -> Signature:
    """Converts a fitted scikit-learn estimator or Pipeline over the feature columns to ONNX, writes
    ``<output_dir>/model.onnx`` and returns its signature.

    The model gets one input per feature, named after it, of shape ``[None, 1]``: float (float32) for numeric
    features, string for categorical ones, so a ColumnTransformer that selects columns by name converts as is.
    The final step may be an XGBoost ``XGBClassifier`` or ``XGBRegressor`` or a LightGBM ``LGBMClassifier`` or
    ``LGBMRegressor`` (converted by onnxmltools; pass the numeric columns through unscaled: tree split points are
    training values, so a float32 rounding of a scaled value can flip a split, which the check below then
    refuses). Classifiers output ``label`` and ``probabilities`` (no ZipMap), regressors ``variable``. Before
    returning, up to :data:`VERIFY_ROWS` rows of ``frame`` are predicted by onnxruntime and by scikit-learn on the
    same float32-cast inputs; a difference above ``tolerance`` is refused (the file is then removed).
    Probabilities are compared absolutely, a regressor's values relative to their size where it is above 1 (a
    float32 sum of many trees rounds in proportion to the value).

    :raises TrainerError: when a feature column is missing from ``frame``, the conversion fails (or an XGBoost
        or LightGBM model is given without onnxmltools installed), or the exported model's predictions differ
        from the model's.
    """
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    missing = [c for c in features.inputs if c not in frame.columns]
    if missing:
        raise TrainerError(f"export_sklearn: the frame has no column {missing[0]!r}")
    initial_types = [(c, FloatTensorType([None, 1])) for c in features.numeric]
    initial_types += [(c, StringTensorType([None, 1])) for c in features.categorical]
    classifier = hasattr(model, "predict_proba")
    options = {id(_final_step(model)): {"zipmap": False}} if classifier else None
    target_opset = tree_opset(_final_step(model))
    try:
        onnx_model = convert_sklearn(model, initial_types=initial_types, options=options, target_opset=target_opset)
    except Exception as err:  # skl2onnx raises many types; all mean "cannot convert this model"
        problem = str(err).splitlines()[0][:300] if str(err) else type(err).__name__
        raise TrainerError(f"export_sklearn: skl2onnx cannot convert {type(model).__name__}: {problem}") from err
    signature: Signature = {
        "inputs": [_port(v) for v in onnx_model.graph.input],
        "outputs": [_port(v) for v in onnx_model.graph.output],
    }
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / MODEL_FILE
    temporary = out / f".{MODEL_FILE}.{os.getpid()}.tmp"
    temporary.write_bytes(onnx_model.SerializeToString())
    try:
        _verify(model, temporary, frame.head(VERIFY_ROWS), features, classifier, tolerance)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, target)
    return signature


def onnx_feeds(frame: pd.DataFrame, features: Features) -> dict[str, Any]:
    """The onnxruntime inputs for rows of ``frame``: a ``[n, 1]`` float32 array per numeric feature, a ``[n, 1]``
    string (object) array per categorical feature."""
    import numpy as np

    feeds: dict[str, Any] = {c: frame[c].to_numpy(dtype=np.float32).reshape(-1, 1) for c in features.numeric}
    for c in features.categorical:
        feeds[c] = frame[c].astype(object).to_numpy().reshape(-1, 1)
    return feeds


def float32_cast(frame: pd.DataFrame, features: Features) -> pd.DataFrame:
    """The feature columns with numeric ones rounded to float32 (and back to float64): what the ONNX model sees."""
    import numpy as np

    cast = frame[list(features.inputs)].copy()
    for c in features.numeric:
        cast[c] = cast[c].to_numpy(dtype=np.float32).astype(np.float64)
    return cast


def _verify(
    model: Any, path: Path, frame: pd.DataFrame, features: Features, classifier: bool, tolerance: float
) -> None:
    import numpy as np
    import onnxruntime as ort

    if len(frame) == 0:
        raise TrainerError("export_sklearn: the frame has no rows to check the exported model with")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    expected = float32_cast(frame, features)
    if classifier:
        want = np.asarray(model.predict_proba(expected), dtype=np.float64)
        got = np.asarray(session.run(["probabilities"], onnx_feeds(frame, features))[0], dtype=np.float64)
    else:
        want = np.asarray(model.predict(expected), dtype=np.float64).reshape(-1)
        got = np.asarray(session.run(["variable"], onnx_feeds(frame, features))[0], dtype=np.float64).reshape(-1)
    if want.shape != got.shape:
        raise TrainerError(f"export_sklearn: the ONNX model answers shape {got.shape}, scikit-learn {want.shape}")
    # A value is compared relative to its size (a float32 sum of many trees rounds in proportion to it).
    scale = 1.0 if classifier else np.maximum(1.0, np.abs(want))
    worst = float(np.max(np.abs(want - got) / scale))
    if not worst <= tolerance:
        what = "" if classifier else " (relative to values above 1)"
        raise TrainerError(
            f"export_sklearn: the ONNX model differs from scikit-learn by {worst:.3g}{what} (tolerance "
            f"{tolerance:g}) on {len(frame)} rows"
        )


def _final_step(model: Any) -> Any:
    steps = getattr(model, "steps", None)
    return _final_step(steps[-1][1]) if steps else model


def _port(value: Any) -> Port:
    element = value.type.tensor_type.elem_type
    kind = _ELEMENT_TYPES.get(element)
    if kind is None:
        raise TrainerError(f"export_sklearn: ONNX value {value.name!r} has element type {element}, not in the protocol")
    return {"name": value.name, "type": kind}
