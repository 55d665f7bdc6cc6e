// swift-tools-version: 6.1
//
// libFuzzer targets for every decoder of the wire contract (see README.md). A separate package so
// that the root package's `swift build` never sees the fuzzer flags. Build (from the repository root):
//
//   swift build --package-path Fuzz -c release --scratch-path .build-fuzz \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -g
//
// or just `make fuzz` / scripts/fuzz.sh, which also run every target.
import PackageDescription

/// One executable per decoder; each depends on FuzzSupport plus the modules it fuzzes.
let fuzzTargets: [(name: String, modules: [String])] = [
    ("FuzzJSONValue", ["VeritasProtocol"]),
    ("FuzzQueryEnvelope", ["VeritasProtocol"]),
    ("FuzzQueryReply", ["VeritasProtocol"]),
    ("FuzzRunnerMessage", ["VeritasProtocol"]),
    ("FuzzWriterMessage", ["VeritasProtocol"]),
    ("FuzzFeedMessage", ["VeritasProtocol"]),
    ("FuzzIdentifiers", ["VeritasProtocol"]),
    ("FuzzZ85", ["ZeroMQ"]),
    ("FuzzImageFormat", ["VeritasProtocol"]),
]

let package = Package(
    name: "VeritasFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named explicitly: a path dependency's identity is otherwise its folder name, which
        // differs between clones and worktrees.
        .package(name: "Veritas", path: ".."),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(
            name: "FuzzSupport",
            dependencies: ["CLibFuzzer", .product(name: "VeritasProtocol", package: "Veritas")]
        ),
    ] + fuzzTargets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: ["FuzzSupport"] + target.modules.map { .product(name: $0, package: "Veritas") }
        )
    },
    swiftLanguageModes: [.v6]
)
