"""The numpy/scipy side of the drift benchmark, in its own process.

Argument: a JSON input {"file": ..., "features": [...]} where each feature carries the buckets Slipway's profile
chose (numeric cut points, categorical categories), so both sides compare the same buckets. Reads the data file
(the layout bench/drift/generate.mjs writes) and turns category codes into string arrays before the clock starts;
then times, per feature over the training half (reference) and the serving half:
  numeric: bucket counts on the cut points (np.searchsorted + np.bincount, buckets (c_i, c_i+1] as Slipway's),
           PSI in numpy, scipy.stats.ks_2samp (statistic and p-value) on the raw values;
  categorical: np.unique counts, PSI, scipy.stats.chi2_contingency(correction=False) and
           scipy.spatial.distance.jensenshannon(base=2) on the counts over the categories plus "other".
Prints one JSON object on stdout.
"""

import json
import resource
import sys
import time

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp

PSI_EPSILON = 1e-6


def psi(expected_counts, actual_counts):
    e = np.maximum(expected_counts / expected_counts.sum(), PSI_EPSILON)
    a = np.maximum(actual_counts / actual_counts.sum(), PSI_EPSILON)
    return float(max(0.0, np.sum((a - e) * np.log(a / e))))


def numeric(ref, srv, cut_points):
    cuts = np.asarray(cut_points, dtype=np.float64)
    ref_counts = np.bincount(np.searchsorted(cuts, ref, side="left"), minlength=len(cuts) + 1)
    srv_counts = np.bincount(np.searchsorted(cuts, srv, side="left"), minlength=len(cuts) + 1)
    ks = ks_2samp(ref, srv)
    return {
        "psi": psi(ref_counts, srv_counts),
        "ks": {"statistic": float(ks.statistic), "pValue": float(ks.pvalue)},
    }


def counts_over(values, categories):
    uniques, counts = np.unique(values, return_counts=True)
    position = {c: i for i, c in enumerate(categories)}
    out = np.zeros(len(categories) + 1, dtype=np.float64)
    for value, count in zip(uniques.tolist(), counts.tolist()):
        out[position.get(value, len(categories))] += count
    return out


def categorical(ref, srv, categories):
    ref_counts = counts_over(ref, categories)
    srv_counts = counts_over(srv, categories)
    table = np.array([ref_counts, srv_counts])
    table = table[:, table.sum(axis=0) > 0]  # scipy refuses empty categories; Slipway drops them too
    chi2 = chi2_contingency(table, correction=False)
    return {
        "psi": psi(ref_counts, srv_counts),
        "chiSquare": {"statistic": float(chi2.statistic), "dof": int(chi2.dof), "pValue": float(chi2.pvalue)},
        "jsDistance": float(jensenshannon(ref_counts, srv_counts, base=2)),
    }


def main():
    spec = json.loads(sys.argv[1])
    meta = json.load(open(spec["file"] + ".json"))
    rows = meta["rows"]
    half = rows // 2
    columns = []
    offset = 0
    for column in meta["columns"]:
        if column["kind"] == "numeric":
            values = np.fromfile(spec["file"], dtype="<f8", count=rows, offset=offset)
            offset += 8 * rows
        else:
            codes = np.fromfile(spec["file"], dtype=np.uint8, count=rows, offset=offset)
            offset += rows
            values = np.array(column["levels"])[codes]
        columns.append((values[:half], values[half:]))

    started = time.perf_counter()
    features = []
    for feature, (ref, srv) in zip(spec["features"], columns):
        if feature["kind"] == "numeric":
            result = numeric(ref, srv, feature["cutPoints"])
        else:
            result = categorical(ref, srv, feature["categories"])
        features.append({"name": feature["name"], "kind": feature["kind"], **result})
    seconds = time.perf_counter() - started

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_kb / 1024, "features": features}))


if __name__ == "__main__":
    main()
