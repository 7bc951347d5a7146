#!/usr/bin/env python3
"""The wine classifier behind SageMaker's serving contract, on the standard library only.

* ``serve`` starts it: HTTP on port 8080, or ``SAGEMAKER_BIND_TO_PORT``.
* ``GET /ping``: 200 when the model is loaded (SageMaker's health check), 503 otherwise.
* ``POST /invocations`` with ``Content-Type: application/json``:
  ``{"instances": [[13 numbers], ...]}``, or objects by feature name, or a bare list of rows.
  Answers ``{"predictions": [{"label": ..., "class": ..., "probabilities": {...}}], ...}``.
* The model is read from ``/opt/ml/model`` (SageMaker extracts model.tar.gz there), or
  ``MODEL_DIR``: ``model.joblib`` and ``model.json`` as ``training/train.py`` writes them.
* ``BROKEN_INVOCATIONS=1`` (the Dockerfile's build argument of the same name): a deliberately broken
  build whose ``/invocations`` answers 500 while ``/ping`` stays healthy, for the demo's canary.
* SIGTERM stops it cleanly (SageMaker sends it, then SIGKILL after 30 s).
"""
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import joblib
import numpy as np

MAX_BODY = 5 * 1024 * 1024  # SageMaker's own limit for a real-time request is 6 MB
MAX_ROWS = 10_000


class BadRequest(Exception):
    status = 400


class UnsupportedMediaType(BadRequest):
    status = 415


class Model:
    """The fitted classifier and what it was trained with."""

    def __init__(self, directory):
        directory = Path(directory)
        self.estimator = joblib.load(directory / "model.joblib")
        self.metadata = json.loads((directory / "model.json").read_text())
        self.features = self.metadata["feature_names"]
        self.classes = self.metadata["class_names"]
        self.version = os.environ.get("MODEL_VERSION", "unknown")

    def rows(self, payload):
        """The request's instances as a 2-D float array, checked against the model's features."""
        instances = payload.get("instances") if isinstance(payload, dict) else payload
        if not isinstance(instances, list) or not instances:
            raise BadRequest('send {"instances": [...]} with at least one instance')
        if len(instances) > MAX_ROWS:
            raise BadRequest(f"at most {MAX_ROWS} instances per request")
        rows = []
        for i, instance in enumerate(instances):
            if isinstance(instance, dict):
                missing = [f for f in self.features if f not in instance]
                if missing:
                    raise BadRequest(f"instance {i} lacks {', '.join(missing)}")
                instance = [instance[f] for f in self.features]
            if not isinstance(instance, list) or len(instance) != len(self.features):
                raise BadRequest(f"instance {i} must have {len(self.features)} features")
            try:
                rows.append([float(v) for v in instance])
            except (TypeError, ValueError):
                raise BadRequest(f"instance {i} has a value that is not a number") from None
        data = np.array(rows, dtype=float)
        if not np.all(np.isfinite(data)):
            raise BadRequest("every feature must be a finite number")
        return data

    def predict(self, payload):
        data = self.rows(payload)
        # class_names follows the order of the estimator's classes_ (sorted class codes).
        codes = self.estimator.classes_
        probabilities = self.estimator.predict_proba(data)
        predictions = []
        for row in probabilities:
            best = int(np.argmax(row))
            predictions.append(
                {
                    "class": int(codes[best]),
                    "label": self.classes[best],
                    "probabilities": {
                        name: round(float(p), 4) for name, p in zip(self.classes, row)
                    },
                }
            )
        return {"predictions": predictions, "model_version": self.version}


def load_model(directory):
    try:
        return Model(directory), None
    except Exception as e:  # noqa: BLE001 - a broken model is reported by /ping, not a crash
        return None, f"{type(e).__name__}: {e}"


def make_handler(model, error):
    class Handler(BaseHTTPRequestHandler):
        server_version = "wine-classifier/1"
        protocol_version = "HTTP/1.1"
        # Headers and body leave in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every answer on a kept-alive connection.
        disable_nagle_algorithm = True

        def log_message(self, fmt, *args):
            sys.stderr.write(f"{self.address_string()} {fmt % args}\n")

        def send_json(self, status, value):
            body = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path != "/ping":
                return self.send_json(404, {"error": f"no route GET {self.path}"})
            if model is None:
                return self.send_json(503, {"status": "unhealthy", "error": error})
            self.send_json(200, {"status": "healthy", "model_version": model.version})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.close_connection = True
                return self.send_json(413, {"error": f"the body is over {MAX_BODY} bytes"})
            body = self.rfile.read(length)
            if self.path != "/invocations":
                return self.send_json(404, {"error": f"no route POST {self.path}"})
            if model is None:
                return self.send_json(503, {"error": error})
            if os.environ.get("BROKEN_INVOCATIONS"):
                return self.send_json(500, {"error": "this build is deliberately broken"})
            try:
                kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                if kind != "application/json":
                    raise UnsupportedMediaType(
                        f"Content-Type must be application/json, not {kind or 'missing'}"
                    )
                try:
                    payload = json.loads(body)
                except ValueError:
                    raise BadRequest("the body is not valid JSON") from None
                self.send_json(200, model.predict(payload))
            except BadRequest as e:
                self.send_json(e.status, {"error": str(e)})

    return Handler


def serve(port=None, model_dir=None):
    port = int(port or os.environ.get("SAGEMAKER_BIND_TO_PORT") or 8080)
    model_dir = model_dir or os.environ.get("MODEL_DIR") or "/opt/ml/model"
    model, error = load_model(model_dir)
    if error:
        print(f"the model in {model_dir} could not be loaded: {error}", file=sys.stderr, flush=True)
    server = ThreadingHTTPServer(("0.0.0.0", port), make_handler(model, error))
    server.daemon_threads = True

    def stop(signum, _frame):
        print(f"received signal {signum}, stopping", flush=True)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"serving {model_dir} on port {port}", flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(serve())
