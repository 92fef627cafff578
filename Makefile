# goha: build, run the demo, test. See README.md.
GO        ?= go
BIN       ?= bin/goha
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/goha/goha/internal/version.Version=$(VERSION)
export CGO_ENABLED := 0

.PHONY: all build run test test-short vet bench fuzz clean soak

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/goha

# A working load balancer on the built-in demo config: 127.0.0.1:8080,
# stats page on 127.0.0.1:8404/stats, master CLI on ./goha-master.sock.
run: build
	$(BIN) -W -db -S $(CURDIR)/goha-master.sock -f deploy/examples/quickstart.cfg

# Every test: formatting, vet, unit tests (race detector on the packages
# with concurrency; they run each fuzz target's corpus as seeds), a fuzz
# smoke of 300 inputs per target (a count, not a duration: a timed run
# can end in "context deadline exceeded" mid-input), then the end-to-end
# tests against the real binary.
test: build
	@fmt=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$fmt" ]; then echo "gofmt needed:"; echo "$$fmt"; exit 1; fi
	$(GO) vet ./...
	CGO_ENABLED=1 $(GO) test -race -count=1 ./config/... ./cli/... ./proxy/... ./master/... ./worker/... ./internal/... ./cmd/...
	FUZZTIME=300x FUZZJOBS=2 FUZZPARALLEL=1 ./test/fuzz.sh
	GOHA_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 15m ./test/...

# Not part of `make test`: a minute of random SIGUSR2, SIGHUP, CLI reload
# and CLI traffic on a master under load (GOHA_SOAK_DURATION changes it),
# then 1000 SIGUSR2 reloads under HTTP and TCP load, changing the config
# every time and failing one in ten, with the master's descriptors, RSS,
# threads and children compared (GOHA_SOAK_RELOADS changes the count).
soak: build
	GOHA_BIN=$(CURDIR)/$(BIN) GOHA_SOAK=1 $(GO) test -count=1 -timeout 60m -run '^TestSoak(Reloads)?$$' -v ./test/mworker

bench: build
	GOHA_BIN=$(CURDIR)/$(BIN) ./test/bench/run.sh

# Every fuzz target for FUZZTIME each (default 20s); their corpora live in
# each package's testdata/fuzz. make test runs the corpora as seeds.
fuzz:
	FUZZTIME=$${FUZZTIME:-20s} ./test/fuzz.sh

clean:
	rm -rf bin goha-master.sock
