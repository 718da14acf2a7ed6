// swift-tools-version: 6.1
import PackageDescription

// Persona's benchmarks, a package of their own so that the main package and its tests never
// depend on the benchmark framework.
//
// `persona` (the dependency below) is a symbolic link to `..`, the Persona checkout this
// folder lives in. A path dependency's identity is the last component of its path, so the
// link gives the package the identity `persona` whatever the checkout's folder is called.
let persona: [Target.Dependency] = [
    .product(name: "PersonaKit", package: "persona"),
    .product(name: "PersonaIO", package: "persona"),
]

let package = Package(
    name: "PersonaBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(path: "persona"),
    ],
    targets: [
        // Synthetic data, timing and machine bounds shared by the targets below.
        .target(name: "BenchmarkSupport", dependencies: persona),

        // `swift package benchmark` suites (the framework looks for them in Benchmarks/).
        .executableTarget(
            name: "KMeansBenchmarks",
            dependencies: persona + ["BenchmarkSupport", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/KMeansBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CSVBenchmarks",
            dependencies: persona + ["BenchmarkSupport", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/CSVBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // Single measurements as JSON, for compare.py.
        .executableTarget(
            name: "persona-bench",
            dependencies: persona + [
                "BenchmarkSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
