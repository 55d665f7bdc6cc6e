# Veritas: the everyday commands. `make test` is what CI runs (.ci/run).
SWIFT ?= swift
# make test TEST_FILTER=ZeroMQTests   (passed to `swift test --filter`)
TEST_FILTER ?=
# make bench BENCH_ARGS="..."         (passed to veritas-bench)
BENCH_ARGS ?=
# make demo DEMO_ARGS="--no-keep-running"   (passed to veritas demo)
DEMO_ARGS ?=
# make chaos: the crash tests (Tests/VeritasChaosTests) as a soak, far beyond the `make test`
# defaults (10 writer kills, 6 runner kills, 24 audits). Override any of these, e.g.
# make chaos CHAOS_SEED=1234 (replays a fault schedule printed by an earlier run).
CHAOS_WRITER_KILLS ?= 60
CHAOS_RUNNER_KILLS ?= 30
CHAOS_AUDITS ?= 150
CHAOS_TIME_LIMIT_MINUTES ?= 20
CHAOS_SEED ?=
# Seconds each fuzz target runs inside `make test` (make fuzz runs them longer).
FUZZ_TEST_SECONDS ?= 10

# make fuzz FUZZ_SECONDS=60            (seconds per fuzz target; see Fuzz/README.md)
FUZZ_SECONDS ?= 20

.PHONY: deps build test chaos bench demo fuzz clean model eval pictures

deps:
	scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The suites that run whole fleets of real processes (writer, runners, Chromium, PostgreSQL servers
# and several writers on them), and the few that
# hold a core for seconds (parsing 2 MB in a debug build), run after the rest, on their own and one
# at a time, so their load does not starve the timing of other tests.
PROCESS_SUITES = VeritasChaosTests|VeritasPostgresTests|SlowStorageTests|MultiHostTests|BarrageTests|CorpusEvaluationTests|VeritasBrowserTests|JavaScriptPageTests|DeepTierTests|PerformanceTests|AnalyzeRenderingTests|EgressGuardBrowserTests|ReportInBrowserTests|ConsoleBrowserTests

# Tests of the parallel phase running at once. Unbounded, all ~500 start together on 2 cores, and
# a loopback connect or an 8 s wait for a real audit was now and then missed in the first seconds
# (CI flakes); 8 at a time took 64 s against 42 s unbounded (measured 2026-12-03).
TEST_PARALLEL_WIDTH ?= 8

# make test: build, the parallel suite, the process suites, then every fuzz target for
# FUZZ_TEST_SECONDS each. With TEST_FILTER, only the matching tests.
test: deps
	$(SWIFT) build --build-tests
ifeq ($(TEST_FILTER),)
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_PARALLEL_WIDTH) $(SWIFT) test --skip-build --skip '$(PROCESS_SUITES)'
	$(SWIFT) test --skip-build --no-parallel --filter '$(PROCESS_SUITES)'
	scripts/fuzz.sh $(FUZZ_TEST_SECONDS)
else
	$(SWIFT) test --skip-build --filter '$(TEST_FILTER)'
endif

# Each test's summary (JSON) is copied to .build/chaos/; a test's folder (logs, database,
# outboxes) is kept in $TMPDIR when a check fails, and its path printed.
chaos: deps
	$(SWIFT) build --build-tests
	VERITAS_CHAOS_WRITER_KILLS=$(CHAOS_WRITER_KILLS) VERITAS_CHAOS_RUNNER_KILLS=$(CHAOS_RUNNER_KILLS) \
	VERITAS_CHAOS_AUDITS=$(CHAOS_AUDITS) VERITAS_CHAOS_TIME_LIMIT_MINUTES=$(CHAOS_TIME_LIMIT_MINUTES) \
	VERITAS_CHAOS_SEED=$(CHAOS_SEED) VERITAS_CHAOS_SUMMARY_DIR=$(CURDIR)/.build/chaos VERITAS_CHAOS_VERBOSE=1 \
	$(SWIFT) test --skip-build --filter VeritasChaosTests

# make model: trains the wording model (Sources/VeritasAudit/Resources/wording-model.json) from
# Models/wording/dark-pattern-texts.tsv; deterministic, so an unchanged file means an unchanged model.
model: deps
	$(SWIFT) build -c release --product veritas-model
	.build/release/veritas-model train

# make eval: the wording model's grouped 5-fold cross-validation on the development texts (release
# build: it trains 30 models), then the real engine on the labelled page corpus, the part seen while
# tuning and the learnt-from parts reported apart (docs/AUDIT.md §8); a held-back batch only with
# VERITAS_CORPUS_SPLIT=unseen (its one measurement). Each page is read with a wording model trained
# without the texts it quotes (5 models, one per fold of the corpus); CORPUS_MODEL=bundled reads
# them with the bundled model instead, as make test does for its bar (fitted figures).
CORPUS_MODEL ?= held-out
eval: deps
	$(SWIFT) build -c release --product veritas-model
	.build/release/veritas-model evaluate
	$(SWIFT) build --build-tests
	VERITAS_CORPUS_MODEL=$(CORPUS_MODEL) $(SWIFT) test --skip-build --filter CorpusEvaluationTests > .build/corpus-eval.log 2>&1; status=$$?; \
	  sed -n '/^wording model:/p;/CORPUS EVALUATION/,/CORPUS SUMMARY/p' .build/corpus-eval.log; grep -E '^(✔|✘) Test run' .build/corpus-eval.log; exit $$status

# make pictures: README's pictures, taken by the tests that open them in headless Chromium
# (docs/pictures/).
pictures: deps
	$(SWIFT) build --build-tests
	VERITAS_PICTURES_DIR=$(CURDIR)/docs/pictures $(SWIFT) test --skip-build --filter 'pressureShopReport|ConsoleBrowserTests'

bench: deps
	scripts/with-postgres.sh $(SWIFT) run -c release veritas-bench $(BENCH_ARGS)

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
