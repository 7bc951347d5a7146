"""The Lambda handler, checked inside the image: API Gateway proxy events in, proxy results out."""
import base64
import json

import pytest
from sklearn.datasets import load_wine

import handler

WINE = load_wine()


def event(body, content_type="application/json", **extra):
    """An API Gateway REST proxy event (payload format 1.0) for POST / with this body."""
    text = body if isinstance(body, str) else json.dumps(body)
    return {
        "resource": "/",
        "path": "/",
        "httpMethod": "POST",
        "headers": {"Content-Type": content_type} if content_type else {},
        "queryStringParameters": None,
        "requestContext": {"stage": "prod", "requestId": "r-1", "identity": {"sourceIp": "127.0.0.1"}},
        "body": text,
        "isBase64Encoded": False,
        **extra,
    }


def answer(result):
    assert set(result) == {"statusCode", "headers", "body"}
    assert result["headers"]["Content-Type"] == "application/json"
    assert isinstance(result["body"], str)
    return result["statusCode"], json.loads(result["body"])


def test_predicts_the_wine_data_set_well():
    status, body = answer(handler.handler(event({"instances": WINE.data.tolist()})))
    assert status == 200
    predicted = [p["class"] for p in body["predictions"]]
    correct = sum(int(p == t) for p, t in zip(predicted, WINE.target))
    assert correct / len(predicted) >= 0.95
    assert body["model_version"] == handler.MODEL.version


def test_answers_what_the_sagemaker_flavour_answers():
    """One model, two ways to serve it: the prediction is serving/server.py's, not a copy."""
    from server import Model

    rows = WINE.data[:3].tolist()
    _, body = answer(handler.handler(event({"instances": rows})))
    assert body == Model(handler.MODEL_DIR).predict({"instances": rows})


def test_accepts_features_by_name_a_bare_list_and_a_base64_body():
    named = [dict(zip(WINE.feature_names, row)) for row in WINE.data[:2].tolist()]
    _, by_name = answer(handler.handler(event({"instances": named})))
    _, bare = answer(handler.handler(event(WINE.data[:2].tolist())))
    encoded = base64.b64encode(json.dumps({"instances": WINE.data[:2].tolist()}).encode()).decode()
    status, decoded = answer(handler.handler(event(encoded, isBase64Encoded=True)))
    assert status == 200
    assert by_name["predictions"] == bare["predictions"] == decoded["predictions"]


def test_a_missing_content_type_is_taken_as_json():
    status, _ = answer(handler.handler(event({"instances": WINE.data[:1].tolist()}, content_type=None)))
    assert status == 200


@pytest.mark.parametrize(
    "request_event, status, message",
    [
        (event("{not json"), 400, "the body is not valid JSON"),
        (event({"instances": []}), 400, "at least one instance"),
        (event({"instances": [[1, 2, 3]]}), 400, "instance 0 must have 13 features"),
        (event({"instances": [["x"] * 13]}), 400, "not a number"),
        (event("a,b", content_type="text/csv"), 415, "Content-Type must be application/json, not text/csv"),
        ({"instances": [[1] * 13]}, 400, "expected an API Gateway proxy event"),
        (event("!!", isBase64Encoded=True), 400, "not valid base64"),
    ],
)
def test_a_bad_request_is_a_4xx_with_a_message(request_event, status, message):
    got, body = answer(handler.handler(request_event))
    assert got == status
    assert message in body["error"]


def test_the_broken_build_raises_on_every_invocation(monkeypatch):
    monkeypatch.setenv("BROKEN_INVOCATIONS", "1")
    with pytest.raises(RuntimeError, match="deliberately broken"):
        handler.handler(event({"instances": WINE.data[:1].tolist()}))
