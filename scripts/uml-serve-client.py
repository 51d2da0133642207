"""The client side of scripts/uml-cgroup-v2.sh's serve check, run inside user-mode-linux: waits for the BEXY
service on 127.0.0.1:8000, runs a hello job and a job over its memory limit over HTTP, and prints one JSON line
with what each returned (status, stdout or limit_hit, and whether its sandbox was warm)."""
import json
import time
import urllib.request

BASE = "http://127.0.0.1:8000"
TOKEN = "uml-check-token"


def call(path, body=None):
    request = urllib.request.Request(BASE + path, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + TOKEN,
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


deadline = time.time() + 120
while True:
    try:
        call("/health")
        break
    except Exception as error:  # not listening yet
        if time.time() > deadline:
            print(json.dumps({"error": "no /health after 120 s: %s" % error}))
            raise SystemExit(1)
        time.sleep(0.5)
hello = call("/execute", {"code": "print(2)"})
# 16 MiB at a time, as the guest's direct memory check: with 1 MiB steps the kernel can keep reclaiming the
# interpreter's file pages over hostfs until the profile's CPU limit fires instead (seen once in CI).
memory = call("/execute", {"code": "chunks = [bytearray(16 << 20) for _ in range(32)]",
                           "options": {"memory_limit": 32}})
print(json.dumps({"hello": [hello.get("status"), hello.get("stdout"), hello.get("sandbox")],
                  "memory": [memory.get("status"), memory.get("limit_hit"), memory.get("sandbox")]}))
