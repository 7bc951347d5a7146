"""Fixtures: the `serve` command of the image under test, started as SageMaker starts it."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# Inside the image `serve` is on PATH; from a checkout, the file beside these tests.
SERVE = shutil.which("serve") or str(HERE.parent / "serve")
MODEL_DIR = os.environ.get("MODEL_DIR", "/opt/ml/model")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    def __init__(self, process, port):
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def request(self, method, path, body=None, content_type="application/json"):
        data = None
        headers = {}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def invoke(self, body, **kwargs):
        return self.request("POST", "/invocations", body, **kwargs)


def start(env_overrides=None):
    port = free_port()
    env = {**os.environ, "SAGEMAKER_BIND_TO_PORT": str(port), **(env_overrides or {})}
    process = subprocess.Popen(
        [sys.executable, SERVE], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    service = Service(process, port)
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}: {process.stdout.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return service
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("serve did not listen within 30 s")


def stop(service):
    if service.process.poll() is None:
        service.process.send_signal(signal.SIGTERM)
        try:
            service.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait()
    service.process.stdout.close()


@pytest.fixture(scope="session")
def service():
    running = start()
    yield running
    stop(running)


@pytest.fixture
def start_service():
    started = []

    def _start(**env):
        started.append(start(env))
        return started[-1]

    yield _start
    for running in started:
        stop(running)
