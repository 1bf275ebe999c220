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

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 $(PKGS)

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
