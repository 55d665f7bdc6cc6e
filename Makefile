# Veritas: the everyday commands. `make test` is what CI runs (.ci/run).
SWIFT ?= swift
# make test TEST_FILTER=ZeroMQTests   (passed to `swift test --filter`)
TEST_FILTER ?=
# make bench BENCH_ARGS="..."         (passed to veritas-bench)
BENCH_ARGS ?=
# make demo DEMO_ARGS="--no-keep-running"   (passed to veritas demo)
DEMO_ARGS ?=
# make fuzz FUZZ_SECONDS=60            (seconds per fuzz target; see Fuzz/README.md)
FUZZ_SECONDS ?= 20

.PHONY: deps build test bench demo fuzz clean

deps:
	scripts/install-deps.sh

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test $(if $(TEST_FILTER),--filter '$(TEST_FILTER)')

bench: deps
	$(SWIFT) run -c release veritas-bench $(BENCH_ARGS)

# Builds every product (the demo starts veritas-writer and veritas-runner from the build folder),
# then runs the demo.
demo: deps
	$(SWIFT) build
	.build/debug/veritas demo $(DEMO_ARGS)

# Builds the libFuzzer targets (Fuzz/, a separate package in .build-fuzz) and runs each for
# FUZZ_SECONDS; fails on any crash, invariant violation, timeout or leak.
fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	$(SWIFT) package clean
	rm -rf ./data
