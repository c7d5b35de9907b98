#!/usr/bin/env bash
# Installs the MLflow tracking server the test suite runs the MLflow registry adapter against: a project-local
# virtualenv <repo>/.slipway/tools/mlflow with a pinned `mlflow` from PyPI (the full package: `mlflow-skinny`
# has no server, and the server imports numpy and pandas at start-up, so no smaller set of packages serves),
# plus pinned `onnx`, `onnxruntime` and `boto3`, so that the same environment loads an ONNX version from S3 with
# `mlflow.pyfunc.load_model("models:/<name>@<alias>")` and serves it with `mlflow models serve --env-manager local`.
# About 1.5 to 4 minutes (network-bound) and 990 MB the first time (the ONNX and S3 packages add about 10 s and
# 135 MB); returns at once when the pinned versions are already there, and adds only the extra packages to a
# virtualenv that has the pinned MLflow but not them.
# Needs Python >= 3.10 with the venv module. Override the version with MLFLOW_VERSION, the interpreter with
# PYTHON and the tools directory with SLIPWAY_TOOLS_DIR.
#
# Usage: scripts/install-mlflow.sh        (prints the `mlflow` executable's path on its last line)
set -euo pipefail

version="${MLFLOW_VERSION:-3.17.2}"
# Keep the onnx and onnxruntime pins equal to DEFAULT_MLFLOW_ONNX_ENVIRONMENT in
# packages/activities/src/registry/mlflow-model-files.ts: they are what an ONNX version's requirements.txt names.
extras=(onnx==1.23.2 onnxruntime==1.31.1 boto3==1.44.8)
python="${PYTHON:-python3}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="${SLIPWAY_TOOLS_DIR:-$repo_root/.slipway/tools}"
venv="$tools_dir/mlflow"
binary="$venv/bin/mlflow"
# Written last by a successful install: the virtualenv is ready when it names the pinned version and extras.
marker="$venv/slipway-mlflow-version"
wanted="$version ${extras[*]}"

if [[ -x "$binary" && -f "$marker" ]]; then
  installed="$(cat "$marker")"
  if [[ "$installed" == "$wanted" ]]; then
    echo "mlflow $version is already installed"
    echo "$binary"
    exit 0
  fi
  if [[ "$installed" == "$version" || "$installed" == "$version "* ]]; then
    echo "adding ${extras[*]} to mlflow $version in $venv"
    started=$(date +%s)
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet "${extras[@]}"
    echo "$wanted" >"$marker.tmp"
    mv -f "$marker.tmp" "$marker"
    echo "added them in $(($(date +%s) - started)) s"
    echo "$binary"
    exit 0
  fi
fi

if ! command -v "$python" >/dev/null 2>&1; then
  echo "error: $python not found; MLflow needs Python >= 3.10 (set PYTHON to an interpreter)" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  echo "error: MLflow $version needs Python >= 3.10; $python is $("$python" --version 2>&1)" >&2
  exit 1
fi

# A virtualenv cannot be moved once made, so it is built in place; the marker is written only when the
# install succeeded, so an interrupted install is rebuilt from scratch next time.
mkdir -p "$tools_dir"
rm -rf "$venv"
echo "installing mlflow $version into $venv (1.5 to 4 minutes the first time)"
started=$(date +%s)
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet "mlflow==$version" "${extras[@]}"
"$binary" --version >/dev/null
echo "$wanted" >"$marker.tmp"
mv -f "$marker.tmp" "$marker"
echo "installed mlflow $version in $(($(date +%s) - started)) s"
echo "$binary"
