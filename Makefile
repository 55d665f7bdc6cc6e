# Veritas: the everyday commands. `make test` is what CI runs (.ci/run).
SWIFT ?= swift
# make test TEST_FILTER=ZeroMQTests   (passed to `swift test --filter`)
TEST_FILTER ?=
# make bench BENCH_ARGS="..."         (passed to veritas-bench)
BENCH_ARGS ?=
# make demo DEMO_ARGS="--no-keep-running"   (passed to veritas demo)
DEMO_ARGS ?=

.PHONY: deps build test bench demo clean

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

clean:
	$(SWIFT) package clean
	rm -rf ./data
