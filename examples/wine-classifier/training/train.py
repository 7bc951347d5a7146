#!/usr/bin/env python3
"""Trains the wine classifier: a random forest on scikit-learn's wine data set.

The data set ships with scikit-learn (nothing is downloaded). A directory of CSV files (a header
row, the label in a column named ``target``) can replace it.

Two ways to run it:

* on a workstation or in CI: ``python3 training/train.py --output model [--data DIR]
  [--params params.yaml] [--param k=v]`` writes ``model/model.joblib``, ``model/model.json``,
  ``model/metrics.json`` and ``metrics.json`` (beside the model directory, as DVC pipelines expect); ``dvc repro`` runs it so
  (see dvc.yaml), with the hyperparameters of params.yaml;
* as a SageMaker training container: ``train`` (the executable next to this file) follows the
  container contract, see ``sagemaker_main``.
"""
import argparse
import csv
import json
import os
import sys
import time
import traceback
from pathlib import Path

import joblib
import numpy as np
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

# Hyperparameters and their types: SageMaker passes every value as a string.
DEFAULTS = {
    "n_estimators": 100,
    "max_depth": 0,  # 0: grow until the leaves are pure
    "min_samples_leaf": 1,
    "test_size": 0.25,
    "random_state": 42,
}


class TrainingError(Exception):
    """A problem with the inputs: the message is what the user reads."""


def parse_hyperparameters(raw):
    """Strings (or numbers) by name -> typed values; unknown names and bad values are errors."""
    params = dict(DEFAULTS)
    for name, value in raw.items():
        if name.startswith("sagemaker_") or name.startswith("_"):
            continue  # set by SageMaker tooling, not ours
        if name not in DEFAULTS:
            raise TrainingError(
                f"unknown hyperparameter {name!r}; known: {', '.join(sorted(DEFAULTS))}"
            )
        kind = type(DEFAULTS[name])
        text = value if isinstance(value, str) else json.dumps(value)
        try:
            # "5", "0.3" and the SageMaker SDK's JSON-encoded '"5"' all read as numbers.
            decoded = json.loads(text)
            if isinstance(decoded, str):
                decoded = json.loads(decoded)
            if isinstance(decoded, bool) or not isinstance(decoded, (int, float)):
                raise ValueError(text)
            if kind is int and decoded != int(decoded):
                raise ValueError(text)
            params[name] = kind(decoded)
        except (TypeError, ValueError):
            raise TrainingError(
                f"hyperparameter {name!r} must be {'an integer' if kind is int else 'a number'}, got {text!r}"
            ) from None
    if params["n_estimators"] < 1:
        raise TrainingError("hyperparameter 'n_estimators' must be at least 1")
    if not 0 < params["test_size"] < 1:
        raise TrainingError("hyperparameter 'test_size' must be between 0 and 1")
    return params


def read_params_file(path, section="train"):
    """The hyperparameters in a DVC params file: the ``train:`` section of params.yaml.

    Only the YAML this file needs is read (``section:`` then indented ``name: value`` lines,
    comments), so no YAML library is required; a ``.json`` file is read as JSON. Values stay text,
    as SageMaker passes them, and go through ``parse_hyperparameters``.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise TrainingError(f"cannot read the params file {path}: {e.strerror}") from None
    if path.suffix == ".json":
        doc = json.loads(text)
        values = doc.get(section, {}) if isinstance(doc, dict) else None
        if not isinstance(values, dict):
            raise TrainingError(f"{path}: {section!r} must be an object of hyperparameters")
        return {k: json.dumps(v) for k, v in values.items()}
    values, current = {}, None
    for number, line in enumerate(text.splitlines(), 1):
        content = line.split(" #", 1)[0].rstrip()
        if not content.strip() or content.lstrip().startswith("#"):
            continue
        name, colon, value = content.strip().partition(":")
        if not colon:
            raise TrainingError(f"{path} line {number}: expected 'name: value'")
        if not line[0].isspace():
            current = name if not value.strip() else None
        elif current == section:
            values[name.strip()] = value.strip().strip("'\"")
    return values


def load_csv_dir(directory):
    """All *.csv files of a directory: features and the `target` column."""
    files = sorted(Path(directory).glob("*.csv"))
    if not files:
        raise TrainingError(f"no .csv file in the data channel {directory}")
    rows, names = [], None
    for path in files:
        with open(path, newline="") as handle:
            reader = csv.DictReader(handle)
            if "target" not in (reader.fieldnames or []):
                raise TrainingError(f"{path.name} has no 'target' column")
            columns = [c for c in reader.fieldnames if c != "target"]
            if names is not None and columns != names:
                raise TrainingError(f"{path.name} has other columns than {files[0].name}")
            names = columns
            for row in reader:
                try:
                    rows.append([float(row[c]) for c in columns] + [int(float(row["target"]))])
                except ValueError as e:
                    raise TrainingError(f"{path.name} line {reader.line_num}: {e}") from None
    data = np.array(rows)
    return data[:, :-1], data[:, -1].astype(int), names


def load_data(data_dir=None):
    """(X, y, feature names, class names, source): a CSV directory, else the bundled data set."""
    if data_dir:
        features, labels, names = load_csv_dir(data_dir)
        classes = [f"class_{c}" for c in sorted(set(labels.tolist()))]
        return features, labels, names, classes, str(data_dir)
    wine = load_wine()
    classes = [str(c) for c in wine.target_names]
    return wine.data, wine.target, list(wine.feature_names), classes, "sklearn.datasets.load_wine"


def train(params, data_dir=None):
    """Fits the model; returns (model, metadata, metrics)."""
    features, labels, names, classes, source = load_data(data_dir)
    x_train, x_test, y_train, y_test = train_test_split(
        features,
        labels,
        test_size=params["test_size"],
        random_state=params["random_state"],
        stratify=labels,
    )
    started = time.time()
    model = RandomForestClassifier(
        n_estimators=params["n_estimators"],
        max_depth=params["max_depth"] or None,
        min_samples_leaf=params["min_samples_leaf"],
        random_state=params["random_state"],
    )
    model.fit(x_train, y_train)
    predicted = model.predict(x_test)
    metrics = {
        "accuracy": round(float(accuracy_score(y_test, predicted)), 4),
        "f1_macro": round(float(f1_score(y_test, predicted, average="macro")), 4),
        "train_samples": int(len(y_train)),
        "test_samples": int(len(y_test)),
    }
    # Not a metric: the model directory stays the same from one run to the next.
    print(f"fitted {params['n_estimators']} trees in {time.time() - started:.2f}s", flush=True)
    metadata = {
        "feature_names": names,
        "class_names": classes,
        "hyperparameters": params,
        "data": source,
        "metrics": metrics,
    }
    return model, metadata, metrics


def save(model, metadata, model_dir):
    """model.joblib and model.json (what the serving container reads), written atomically."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, model_dir / "model.joblib.tmp")
    os.replace(model_dir / "model.joblib.tmp", model_dir / "model.joblib")
    write_json(model_dir / "model.json", metadata)


def write_json(path, value):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".tmp").write_text(json.dumps(value, indent=2) + "\n")
    os.replace(path.with_suffix(".tmp"), path)


def print_metrics(metrics):
    """One `name=value` line per metric: what a SageMaker MetricDefinitions regex reads."""
    for name, value in metrics.items():
        print(f"{name}={value}", flush=True)


def export_data(directory):
    """Writes the bundled data set as directory/wine.csv, byte for byte the same on every run.

    This is the file data/train.dvc tracks: a header row, the features as Python's shortest
    round-trip floats, the label in `target`, LF line endings.
    """
    wine = load_wine()
    lines = [",".join(list(wine.feature_names) + ["target"])]
    for row, label in zip(wine.data, wine.target):
        lines.append(",".join([repr(float(v)) for v in row] + [str(int(label))]))
    path = Path(directory) / "wine.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".tmp").write_text("\n".join(lines) + "\n")
    os.replace(path.with_suffix(".tmp"), path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train the wine classifier.")
    parser.add_argument("--output", default="model", help="model directory (default: model)")
    parser.add_argument("--metrics", help="metrics file (default: metrics.json beside the model directory)")
    parser.add_argument("--data", help="a directory of CSV files instead of the bundled data set")
    parser.add_argument(
        "--params", metavar="FILE", help="hyperparameters from the train: section of a DVC params file"
    )
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument(
        "--export-data", metavar="DIR", help="write the bundled data set as DIR/wine.csv and stop"
    )
    args = parser.parse_args(argv)
    if args.export_data:
        print(f"data written to {export_data(args.export_data)}")
        return 0
    try:
        given = dict(p.split("=", 1) for p in args.param if "=" in p)
        if len(given) != len(args.param):
            raise TrainingError("--param takes NAME=VALUE")
        # DEFAULTS, then the params file, then --param.
        raw = {**(read_params_file(args.params) if args.params else {}), **given}
        params = parse_hyperparameters(raw)
        model, metadata, metrics = train(params, args.data)
    except TrainingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    save(model, metadata, args.output)
    # The model carries its metrics (as the SageMaker model does); the DVC metric sits beside it.
    write_json(Path(args.output) / "metrics.json", metrics)
    metrics_file = args.metrics or Path(args.output).resolve().parent / "metrics.json"
    write_json(metrics_file, metrics)
    print_metrics(metrics)
    print(f"model written to {args.output}, metrics to {metrics_file}")
    return 0


def sagemaker_main():
    """SageMaker's training container contract, under /opt/ml (or $OPT_ML, for tests).

    Hyperparameters come from input/config/hyperparameters.json (all strings); data from the
    channel `train` or `training` under input/data/ when one is given, else the bundled data set;
    the model goes to model/ (SageMaker packs it as model.tar.gz), metrics to the log as
    `name=value` lines and to output/data/metrics.json; on error the reason goes to output/failure.
    """
    root = Path(os.environ.get("OPT_ML", "/opt/ml"))
    try:
        config = root / "input" / "config" / "hyperparameters.json"
        raw = json.loads(config.read_text()) if config.exists() else {}
        if not isinstance(raw, dict):
            raise TrainingError("hyperparameters.json is not a JSON object")
        params = parse_hyperparameters(raw)
        channels = root / "input" / "data"
        data_dir = next(
            (channels / c for c in ("train", "training") if (channels / c).is_dir()), None
        )
        print(f"training with {params} on {data_dir or 'the bundled wine data set'}", flush=True)
        model, metadata, metrics = train(params, data_dir)
        save(model, metadata, root / "model")
        write_json(root / "model" / "metrics.json", metrics)
        write_json(root / "output" / "data" / "metrics.json", metrics)
        print_metrics(metrics)
        return 0
    except Exception as e:  # noqa: BLE001 - every failure must reach output/failure
        reason = str(e) if isinstance(e, TrainingError) else f"{type(e).__name__}: {e}"
        failure = root / "output" / "failure"
        failure.parent.mkdir(parents=True, exist_ok=True)
        failure.write_text(reason + "\n")
        print(f"training failed: {reason}", file=sys.stderr)
        if not isinstance(e, TrainingError):
            traceback.print_exc()
        return 1


if __name__ == "__main__":
    sys.exit(main())
