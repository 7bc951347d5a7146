"""The serving contract, checked inside the image: /ping, /invocations, port, model, shutdown."""
import json
import signal
from pathlib import Path

from sklearn.datasets import load_wine

from conftest import MODEL_DIR

WINE = load_wine()


def test_ping_is_healthy_when_the_model_is_loaded(service):
    status, body = service.request("GET", "/ping")
    assert status == 200
    assert body["status"] == "healthy"


def test_the_image_holds_a_trained_model_and_its_metrics():
    model_dir = Path(MODEL_DIR)
    assert (model_dir / "model.joblib").stat().st_size > 0
    metadata = json.loads((model_dir / "model.json").read_text())
    assert metadata["feature_names"] == list(WINE.feature_names)
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert metrics["accuracy"] >= 0.9


def test_predicts_the_wine_data_set_well(service):
    status, body = service.invoke({"instances": WINE.data.tolist()})
    assert status == 200
    predicted = [p["class"] for p in body["predictions"]]
    correct = sum(int(p == t) for p, t in zip(predicted, WINE.target))
    assert correct / len(predicted) >= 0.95


def test_each_prediction_has_a_label_and_probabilities_that_sum_to_one(service):
    status, body = service.invoke({"instances": WINE.data[:3].tolist()})
    assert status == 200
    for prediction in body["predictions"]:
        assert prediction["label"] in WINE.target_names
        assert abs(sum(prediction["probabilities"].values()) - 1) < 1e-3


def test_accepts_instances_by_feature_name_and_a_bare_list(service):
    named = [dict(zip(WINE.feature_names, row)) for row in WINE.data[:2].tolist()]
    status, by_name = service.invoke({"instances": named})
    assert status == 200
    status, bare = service.invoke(WINE.data[:2].tolist())
    assert status == 200
    assert by_name["predictions"] == bare["predictions"]


def test_reports_the_model_version_the_image_was_built_with(service):
    status, body = service.invoke({"instances": WINE.data[:1].tolist()})
    assert status == 200
    assert body["model_version"]


def test_rejects_a_wrong_number_of_features(service):
    status, body = service.invoke({"instances": [[1.0, 2.0]]})
    assert status == 400
    assert "13 features" in body["error"]


def test_rejects_values_that_are_not_numbers(service):
    row = WINE.data[0].tolist()
    row[3] = "lots"
    status, body = service.invoke({"instances": [row]})
    assert status == 400
    assert "not a number" in body["error"]


def test_rejects_a_body_that_is_not_json(service):
    status, body = service.invoke(b"{not json", content_type="application/json")
    assert status == 400
    status, body = service.invoke(b"1,2,3", content_type="text/csv")
    assert status == 415


def test_unknown_routes_are_404(service):
    assert service.request("GET", "/nothing")[0] == 404
    assert service.request("POST", "/nothing", {})[0] == 404


def test_an_unloadable_model_makes_ping_unhealthy(start_service, tmp_path):
    broken = start_service(MODEL_DIR=str(tmp_path))
    status, body = broken.request("GET", "/ping")
    assert status == 503
    assert "model.joblib" in body["error"]


def test_sigterm_stops_the_server_cleanly(start_service):
    running = start_service()
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(timeout=10) == 0


def test_the_deliberately_broken_build_fails_invocations_but_not_ping(start_service):
    broken = start_service(BROKEN_INVOCATIONS="1")
    assert broken.request("GET", "/ping")[0] == 200
    status, body = broken.invoke({"instances": [[13.0] * 13]})
    assert status == 500
    assert "deliberately broken" in body["error"]
