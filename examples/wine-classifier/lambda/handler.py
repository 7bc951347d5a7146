"""The wine classifier as an AWS Lambda function behind API Gateway's Lambda proxy integration.

* ``handler(event, context)``: ``event`` is API Gateway's proxy event, ``{"body": "<JSON text>",
  "headers": {...}, "isBase64Encoded": false, ...}``; the body is what ``/invocations`` of the
  SageMaker flavour takes (``{"instances": [[13 numbers], ...]}``, objects by feature name, or a bare
  list of rows). Answers ``{"statusCode": 200, "headers": {"Content-Type": "application/json"},
  "body": "{\\"predictions\\": [...], \\"model_version\\": ...}"}``; a bad request is a 400 (415 for a
  Content-Type other than JSON) whose body is ``{"error": "..."}``.
* The model and the prediction are serving/server.py's (``Model``): one model, two ways to serve it.
  It is loaded once, when the runtime imports this module (Lambda's init phase), from ``MODEL_DIR`` or
  ``/opt/ml/model``; a model that cannot be loaded fails the init (``/runtime/init/error``).
* ``BROKEN_INVOCATIONS=1`` (the Dockerfile's build argument): a deliberately broken build that raises
  on every invocation while the init succeeds: a function error Lambda counts in ``Errors``.
"""
import base64
import json
import os
import sys
from pathlib import Path

try:  # in the image, server.py sits beside this file (LAMBDA_TASK_ROOT)
    from server import BadRequest, Model, UnsupportedMediaType
except ImportError:  # in a checkout, serving/ sits beside lambda/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "serving"))
    from server import BadRequest, Model, UnsupportedMediaType

MODEL_DIR = os.environ.get("MODEL_DIR") or "/opt/ml/model"
MODEL = Model(MODEL_DIR)
print(f"loaded the model of {MODEL_DIR} (version {MODEL.version})", flush=True)


def respond(status, value):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "X-Model-Version": MODEL.version},
        "body": json.dumps(value),
    }


def header(event, name):
    headers = event.get("headers") or {}
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def payload_of(event):
    """The JSON the request carries, checked the way the SageMaker flavour checks it."""
    if not isinstance(event, dict) or not isinstance(event.get("body"), str):
        raise BadRequest('expected an API Gateway proxy event whose "body" is the request as a string')
    kind = (header(event, "content-type") or "application/json").split(";")[0].strip().lower()
    if kind != "application/json":
        raise UnsupportedMediaType(f"Content-Type must be application/json, not {kind}")
    body = event["body"]
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(body, validate=True).decode("utf-8")
        except ValueError:
            raise BadRequest("the body is not valid base64 UTF-8") from None
    try:
        return json.loads(body)
    except ValueError:
        raise BadRequest("the body is not valid JSON") from None


def handler(event, context=None):
    if os.environ.get("BROKEN_INVOCATIONS"):
        raise RuntimeError("this build is deliberately broken")
    try:
        return respond(200, MODEL.predict(payload_of(event)))
    except BadRequest as e:
        return respond(e.status, {"error": str(e)})
