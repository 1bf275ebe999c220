GO      ?= go
PKGS    ?= ./...
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: build test bench lint fmt fuzz

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/runbook ./cmd/runbook
	$(GO) build -o bin/smsim ./cmd/smsim

test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 15m $(PKGS)

# bench: Go benchmarks (load, plan, order search, dry-run at small, large and
# adversarial sizes, and the rest), then apply against the SSH limit over
# real sshd (cmd/benchssh; needs /usr/sbin/sshd). A few minutes on 2 cores;
# BENCHMARKS.md holds the figures. BENCH_SSH_N=5,20,50 adds the 50-node fleet.
BENCH_COUNT ?= 5
BENCH_SSH_N ?= 5,20
BENCH_SSH_RUNS ?= 5

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) ./engine/... ./modules/...
	$(GO) test -run '^$$' -bench 'Load' -benchmem -count $(BENCH_COUNT) ./cmd/runbook
	$(GO) test -run '^$$' -bench 'DryRun' -benchmem -benchtime 1x ./cmd/runbook
	$(GO) run ./cmd/benchssh -n $(BENCH_SSH_N) -runs $(BENCH_SSH_RUNS)

# lint fails on unformatted code, vet findings, and a go.mod/go.sum that
# `go mod tidy` would change (-diff prints the change and changes nothing).
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)
	$(GO) mod tidy -diff

fmt:
	gofmt -w $$(git ls-files '*.go')

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime 60s ./engine/manifest
