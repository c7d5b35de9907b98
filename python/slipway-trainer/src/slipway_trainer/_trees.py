"""Gradient-boosted tree libraries in a scikit-learn Pipeline: XGBoost and LightGBM models, whose converters come
from onnxmltools, registered with skl2onnx as onnxmltools documents (once each).

LightGBM splits a numeric feature at a threshold kept in double precision, often halfway between two float32
values; the ONNX tree ensemble compares the float32 input with a float32 threshold, so a threshold rounded to the
nearest float32 can flip a split for the input on the far side of it. The LightGBM converter here rounds each
threshold towards the side that keeps every float32 input's branch (down for ``x <= t``), so the ONNX model answers
as LightGBM does on float32 inputs.
"""

from __future__ import annotations

from typing import Any, Callable

from ._errors import TrainerError

TREE_OPSET = {"": 18, "ai.onnx.ml": 3}
"""The opsets of a model ending in XGBoost or LightGBM: onnxmltools' tree ensembles are ``ai.onnx.ml`` 3."""

_registered: set[str] = set()


def tree_opset(final: Any) -> dict[str, int] | None:
    """For an XGBoost or LightGBM model: registers onnxmltools' converters of its library with skl2onnx (once) and
    returns the opsets to convert with; for anything else ``None`` (skl2onnx's defaults).

    :raises TrainerError: when onnxmltools is not installed.
    """
    library = type(final).__module__.split(".")[0]
    register = _LIBRARIES.get(library)
    if register is None:
        return None
    if library not in _registered:
        register()
        _registered.add(library)
    return dict(TREE_OPSET)


def float32_thresholds(values: list[float], modes: list[str]) -> list[float]:
    """Tree thresholds rounded to float32 so that each split answers for every float32 input as it does with the
    double threshold: ``x <= t`` and ``x > t`` take the largest float32 not above ``t``, ``x < t`` and ``x >= t``
    the smallest float32 not below it; other nodes (leaves, category tests) keep their value."""
    import numpy as np

    down, up = np.float32(-np.inf), np.float32(np.inf)
    rounded = []
    for value, mode in zip(values, modes):
        single = np.float32(value)
        if mode in ("BRANCH_LEQ", "BRANCH_GT") and float(single) > value:
            single = np.nextafter(single, down)
        elif mode in ("BRANCH_LT", "BRANCH_GTE") and float(single) < value:
            single = np.nextafter(single, up)
        rounded.append(float(single))
    return rounded


class _Float32Thresholds:
    """A skl2onnx container whose tree ensemble nodes get :func:`float32_thresholds`; everything else passes."""

    def __init__(self, container: Any) -> None:
        self._container = container

    def __getattr__(self, name: str) -> Any:
        return getattr(self._container, name)

    def add_node(self, op_type: str, *args: Any, **attrs: Any) -> Any:
        if op_type.startswith("TreeEnsemble") and "nodes_values" in attrs and "nodes_modes" in attrs:
            attrs["nodes_values"] = float32_thresholds(list(attrs["nodes_values"]), list(attrs["nodes_modes"]))
        return self._container.add_node(op_type, *args, **attrs)


def _onnxmltools_converter(library: str, module: str, name: str) -> Callable[..., None]:
    article = "an" if library[0] in "AEIOUX" else "a"
    try:
        imported = __import__(module, fromlist=[name])
    except ImportError as err:
        raise TrainerError(
            f"export_sklearn: the model ends in {article} {library} estimator, which needs onnxmltools "
            f'(pip install "slipway-trainer[{library.lower()}]")'
        ) from err
    converter: Callable[..., None] = getattr(imported, name)
    return converter


def _register_xgboost() -> None:
    convert = _onnxmltools_converter(
        "XGBoost", "onnxmltools.convert.xgboost.operator_converters.XGBoost", "convert_xgboost"
    )
    from xgboost import XGBClassifier, XGBRegressor

    _register(XGBClassifier, XGBRegressor, "XGBoost", convert)


def _register_lightgbm() -> None:
    convert = _onnxmltools_converter(
        "LightGBM", "onnxmltools.convert.lightgbm.operator_converters.LightGbm", "convert_lightgbm"
    )
    from lightgbm import LGBMClassifier, LGBMRegressor

    def convert_float32(scope: Any, operator: Any, container: Any) -> None:
        convert(scope, operator, _Float32Thresholds(container))

    _register(LGBMClassifier, LGBMRegressor, "LightGbm", convert_float32)


def _register(classifier: type, regressor: type, prefix: str, convert: Callable[..., None]) -> None:
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )

    update_registered_converter(
        classifier,
        f"{prefix}{classifier.__name__}",
        calculate_linear_classifier_output_shapes,
        convert,
        options={"nocl": [True, False], "zipmap": [True, False, "columns"]},
    )
    update_registered_converter(
        regressor, f"{prefix}{regressor.__name__}", calculate_linear_regressor_output_shapes, convert
    )


_LIBRARIES: dict[str, Callable[[], None]] = {"xgboost": _register_xgboost, "lightgbm": _register_lightgbm}
