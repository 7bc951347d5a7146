"""The training container contract, checked inside the image: `train` under a temporary /opt/ml."""
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.datasets import load_wine

HERE = Path(__file__).resolve().parent
TRAIN = shutil.which("train") or str(HERE.parent / "train")


def run_train(root, hyperparameters=None, channel_rows=None):
    config = root / "input" / "config"
    config.mkdir(parents=True)
    (config / "hyperparameters.json").write_text(json.dumps(hyperparameters or {}))
    if channel_rows is not None:
        data = root / "input" / "data" / "train"
        data.mkdir(parents=True)
        with open(data / "wine.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerows(channel_rows)
    env = {**os.environ, "OPT_ML": str(root)}
    return subprocess.run([sys.executable, TRAIN], env=env, capture_output=True, text=True, timeout=120)


def metric_lines(stdout):
    return dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line and " " not in line)


def test_trains_on_the_bundled_data_set_and_writes_the_model(tmp_path):
    result = run_train(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "model" / "model.joblib").exists()
    metrics = json.loads((tmp_path / "model" / "metrics.json").read_text())
    assert metrics["accuracy"] >= 0.9
    assert json.loads((tmp_path / "output" / "data" / "metrics.json").read_text()) == metrics
    assert float(metric_lines(result.stdout)["accuracy"]) == metrics["accuracy"]
    assert not (tmp_path / "output" / "failure").exists()


def test_hyperparameters_arrive_as_strings(tmp_path):
    result = run_train(tmp_path, {"n_estimators": "7", "max_depth": '"3"', "test_size": "0.3"})
    assert result.returncode == 0, result.stderr
    metadata = json.loads((tmp_path / "model" / "model.json").read_text())
    assert metadata["hyperparameters"]["n_estimators"] == 7
    assert metadata["hyperparameters"]["max_depth"] == 3
    assert metadata["metrics"]["test_samples"] == 54


def test_reads_a_csv_channel_instead_of_the_bundled_data(tmp_path):
    wine = load_wine()
    rows = [list(wine.feature_names) + ["target"]]
    rows += [list(x) + [int(y)] for x, y in zip(wine.data[:120].tolist(), wine.target[:120])]
    result = run_train(tmp_path, {"test_size": "0.25"}, channel_rows=rows)
    assert result.returncode == 0, result.stderr
    metadata = json.loads((tmp_path / "model" / "model.json").read_text())
    assert metadata["metrics"]["train_samples"] + metadata["metrics"]["test_samples"] == 120
    assert metadata["data"].endswith("input/data/train")


@pytest.mark.parametrize(
    "hyperparameters, reason",
    [
        ({"trees": "5"}, "unknown hyperparameter 'trees'"),
        ({"n_estimators": "many"}, "'n_estimators' must be an integer"),
        ({"test_size": "2"}, "'test_size' must be between 0 and 1"),
    ],
)
def test_a_bad_hyperparameter_fails_with_the_reason_in_output_failure(tmp_path, hyperparameters, reason):
    result = run_train(tmp_path, hyperparameters)
    assert result.returncode == 1
    assert reason in (tmp_path / "output" / "failure").read_text()
    assert not (tmp_path / "model" / "model.joblib").exists()


def test_a_channel_without_a_target_column_fails_clearly(tmp_path):
    result = run_train(tmp_path, channel_rows=[["a", "b"], [1, 2]])
    assert result.returncode == 1
    assert "no 'target' column" in (tmp_path / "output" / "failure").read_text()


def test_export_data_writes_the_file_data_train_dvc_tracks(tmp_path):
    # data/train.dvc's .dir manifest lists wine.csv with this md5: the export must not drift.
    first = subprocess.run(
        [sys.executable, str(HERE.parent / "train.py"), "--export-data", str(tmp_path / "a")],
        capture_output=True, text=True, timeout=120,
    )
    assert first.returncode == 0, first.stderr
    data = (tmp_path / "a" / "wine.csv").read_bytes()
    assert hashlib.md5(data).hexdigest() == "2925c4a8cd201c79d97d3d283429ef23"
    assert len(data.splitlines()) == len(load_wine().target) + 1


def test_the_train_stage_reads_its_hyperparameters_from_params_yaml(tmp_path):
    # dvc.yaml's cmd: train.py --params params.yaml; --param still wins over the file.
    params = tmp_path / "params.yaml"
    params.write_text(
        (HERE.parent.parent / "params.yaml").read_text().replace("n_estimators: 100", "n_estimators: 7")
    )
    result = subprocess.run(
        [sys.executable, str(HERE.parent / "train.py"), "--params", str(params),
         "--param", "max_depth=3", "--output", str(tmp_path / "model")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    recorded = json.loads((tmp_path / "model" / "model.json").read_text())["hyperparameters"]
    assert recorded == {"n_estimators": 7, "max_depth": 3, "min_samples_leaf": 1,
                        "test_size": 0.25, "random_state": 42}
    assert json.loads((tmp_path / "metrics.json").read_text())["accuracy"] > 0.8
