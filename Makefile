# Parley: `make run` starts the contact center, `make test` runs the whole suite.
# Both install missing Debian packages first (make deps). `make help` lists targets.

SHELL := /bin/bash
GO ?= go
BIN := bin/parley
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
STATICCHECK_VERSION := v0.8.2
FUZZTIME ?= 10s
TEST_TIMEOUT ?= 25m

# Debian packages Parley and its tests need (DESIGN.md, "Real peers for tests").
DEB_PACKAGES := gcc pkg-config git ca-certificates \
	sip-tester baresip-core \
	pocketsphinx pocketsphinx-en-us libpocketsphinx-dev \
	flite flite1-dev espeak-ng libespeak-ng-dev \
	libopus-dev libopusfile-dev opus-tools \
	redis-server sox libsox-fmt-all ffmpeg \
	chromium chromium-driver

.PHONY: help deps build run test bench fuzz lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

deps: ## install the Debian packages that are missing (apt-get, as root)
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	echo "deps: missing Debian packages:" $$missing; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "deps: these packages are missing and installing them needs root: run 'sudo make deps' or apt-get install -y" $$missing >&2; exit 1; \
	fi; \
	if ! command -v apt-get >/dev/null; then echo "deps: apt-get not found: Parley's set-up expects Debian (12 or later)" >&2; exit 1; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -q && apt-get install -y -q --no-install-recommends $$missing \
		|| { echo "deps: apt-get could not install:" $$missing >&2; exit 1; }
	@command -v $(GO) >/dev/null || { echo "deps: Go toolchain '$(GO)' not found in PATH (Go 1.26 or later is needed)" >&2; exit 1; }

build: ## build bin/parley
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/parley

run: deps build ## start the contact center on embedded defaults
	./$(BIN) serve

test: deps ## run the whole test suite (race detector on)
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

LOAD_CALLS ?= 1000
LOAD_DURATION ?= 30s

bench: deps ## run the benchmarks and load measurements (see docs/BENCHMARKS.md)
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 -timeout 60m ./...
	@echo "bench: one core, $(LOAD_CALLS) G.711 calls with recording, $(LOAD_DURATION)"
	PARLEY_LOAD_CALLS=$(LOAD_CALLS) PARLEY_LOAD_DURATION=$(LOAD_DURATION) \
		taskset -c 0 $(GO) test -count=1 -run='^TestLoadOneCore$$' -v -timeout 10m ./media
	@echo "bench: speech recognition accuracy per codec, engine alone and through MRCPv2; 100 concurrent speech sessions"
	PARLEY_ACCURACY=1 $(GO) test -count=1 -run='^(TestAccuracyThroughMRCP|TestConcurrentSessions)$$' -v -timeout 30m ./mrcp/server
	@echo "bench: SIPp load (20 calls/s, up to 300 at once, RTP and recording, 2 minutes) and 10,000 calls back to idle"
	PARLEY_SIP_LOAD=1 $(GO) test -count=1 -run='^TestLoadSIPp$$' -v -timeout 30m ./telephony
	PARLEY_NLU_BENCH=1 $(GO) test -count=1 -run='^TestCLINC150$$' -v -timeout 20m ./nlu/intent
	PARLEY_SIP_LEAK=1 $(GO) test -count=1 -run='^TestLeak10000$$' -v -timeout 30m ./telephony

fuzz: ## run every fuzz target for FUZZTIME (default 10s) each
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz: $$pkg $$f"; \
			$(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg; \
		done; \
	done

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

clean: ## remove build output
	rm -rf bin
