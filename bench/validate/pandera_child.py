"""Child process of the validate benchmark: pandas + pandera running the same checks as Slipway.

Reads the checks (built by spec.mjs) as JSON on stdin, loads the CSV with pandas.read_csv, validates it with a
pandera DataFrameSchema (lazy=True, so every failure is collected), and prints one JSON line: rows, failing
rows, failing rows per column, duplicates, seconds (read + validate) and peak RSS.

Usage: python pandera_child.py <file.csv> < checks.json
"""

import json
import resource
import sys
import time

import pandas as pd
import pandera
import pandera.pandas as pa

# Slipway reads these spellings as booleans (any case, surrounding spaces ignored).
BOOLEAN_WORDS = ["true", "false", "1", "0", "yes", "no"]


def number_column(rule, unique):
    # Numbers are coerced to float64 (which has a missing value), and integers checked by value: coercing
    # 3.5 to int64 would silently truncate it, where Slipway reports "expected an integer".
    checks = [pa.Check(lambda s: s % 1 == 0, name="integer")] if rule.get("integer") else []
    if "min" in rule and "max" in rule:
        checks.append(pa.Check.in_range(rule["min"], rule["max"]))
    elif "min" in rule:
        checks.append(pa.Check.ge(rule["min"]))
    elif "max" in rule:
        checks.append(pa.Check.le(rule["max"]))
    return pa.Column(
        "float64",
        checks=checks,
        nullable=rule.get("nullable", False),
        coerce=True,
        unique=unique,
        report_duplicates="exclude_first",
    )


def string_column(rule, unique):
    checks = []
    if "values" in rule:
        checks.append(pa.Check.isin(rule["values"]))
    if "pattern" in rule:
        checks.append(pa.Check.str_matches(rule["pattern"]))
    return pa.Column(
        "str", checks=checks, nullable=rule.get("nullable", False), unique=unique, report_duplicates="exclude_first"
    )


def boolean_column(rule):
    # Read as text: pandas turns a column into bools only when every cell is one, and coercing text to a
    # boolean dtype does not parse it, so the spellings are checked on the text.
    words = pa.Check(lambda s: s.str.strip().str.lower().isin(BOOLEAN_WORDS), name="boolean_words")
    return pa.Column("str", checks=[words], nullable=rule.get("nullable", False))


def build_schema(spec):
    columns = {}
    for name, rule in spec["columns"]:
        unique = name == spec["unique"]
        if rule["type"] == "number":
            columns[name] = number_column(rule, unique)
        elif rule["type"] == "string":
            columns[name] = string_column(rule, unique)
        else:
            columns[name] = boolean_column(rule)
    low, high = spec["rowCount"]["min"], spec["rowCount"]["max"]
    row_count = pa.Check(lambda df: low <= len(df) <= high, name="row_count")
    return pa.DataFrameSchema(columns, checks=[row_count], strict=True)


def text_dtypes(spec):
    """Text and boolean columns are read as text; number columns are left to pandas (a stray word in one
    would make a forced numeric dtype fail the whole read)."""
    return {name: "str" for name, rule in spec["columns"] if rule["type"] != "number"}


def count(failure_cases, unique_column):
    cases = failure_cases
    duplicates = int(((cases["check"] == "field_uniqueness") & (cases["column"] == unique_column)).sum())
    row_count_failed = bool((cases["check"] == "row_count").any())
    cells = cases[(cases["check"] != "field_uniqueness") & (cases["check"] != "row_count")]
    # A failure without a row index is about a whole column (e.g. a check that raised): it cannot be counted
    # per row, so it is reported for the benchmark to refuse.
    unindexed = cells[cells["index"].isna()]
    indexed = cells[cells["index"].notna()]
    per_column = indexed.groupby("column")["index"].nunique()
    return {
        "badRows": int(indexed["index"].nunique()),
        "failingCells": {str(k): int(v) for k, v in per_column.items()},
        "duplicates": duplicates,
        "rowCountPassed": not row_count_failed,
        "unindexedFailures": [f"{r.column}: {r.check}: {r.failure_case}" for r in unindexed.itertuples()],
    }


def main():
    path = sys.argv[1]
    spec = json.load(sys.stdin)
    schema = build_schema(spec)
    started = time.perf_counter()
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=text_dtypes(spec))
    read_seconds = time.perf_counter() - started
    try:
        schema.validate(frame, lazy=True)
        failure_cases = None
    except pa.errors.SchemaErrors as errors:
        failure_cases = errors.failure_cases
    seconds = time.perf_counter() - started
    counts = (
        count(failure_cases, spec["unique"])
        if failure_cases is not None
        else {"badRows": 0, "failingCells": {}, "duplicates": 0, "rowCountPassed": True, "unindexedFailures": []}
    )
    result = {
        "rows": len(frame),
        **counts,
        "seconds": seconds,
        "readSeconds": read_seconds,
        "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "versions": {"pandas": pd.__version__, "pandera": pandera.__version__},
    }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
