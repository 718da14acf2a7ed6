// swift-tools-version: 6.1
import PackageDescription

/// The property-based testing library, for the test targets that use it.
let propertyBased: Target.Dependency = .product(name: "PropertyBased", package: "swift-property-based")

let package = Package(
    name: "Persona",
    // Linux needs no minimum; on macOS, the Foundation the libraries use.
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PersonaKit", targets: ["PersonaKit"]),
        .library(name: "PersonaIO", targets: ["PersonaIO"]),
        .library(name: "PersonaStore", targets: ["PersonaStore"]),
        .executable(name: "persona", targets: ["persona"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // `swift package generate-documentation` (see Scripts/build-docs.sh); used by no target.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // Tests only: property-based checks in Swift Testing.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // LAPACK and BLAS from Debian's liblapack-dev (see Sources/CLAPACK/shim.h), on Linux;
        // Apple platforms use Accelerate's.
        .systemLibrary(
            name: "CLAPACK",
            pkgConfig: "lapack",
            providers: [.apt(["liblapack-dev"])]
        ),
        // The distance kernels in C, built for the baseline instruction set and, on x86-64, for
        // AVX, chosen at run time (see Sources/CPersonaKernels/DistanceKernels.c); arm64 uses
        // the portable path.
        .target(name: "CPersonaKernels"),
        // The pure core: no file I/O, no printing, no global state.
        .target(
            name: "PersonaKit",
            dependencies: [
                .target(name: "CLAPACK", condition: .when(platforms: [.linux, .android, .openbsd])),
                "CPersonaKernels",
            ],
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS, .iOS, .tvOS, .watchOS, .visionOS]))]
        ),
        // Synthetic customers with known personas: the sample data (`persona sample`) and tests.
        .target(name: "PersonaSynthetic", dependencies: ["PersonaKit"]),
        // Files: CSV reading and writing, model files, reports.
        .target(name: "PersonaIO", dependencies: ["PersonaKit"]),
        // Assignment history in SQLite (GRDB): runs, personas, every customer's persona per run.
        .target(
            name: "PersonaStore",
            dependencies: ["PersonaKit", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The `persona` commands, kept in a library so tests can run them in-process.
        .target(
            name: "PersonaCLI",
            dependencies: [
                "PersonaKit", "PersonaIO", "PersonaStore", "PersonaSynthetic",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "persona", dependencies: ["PersonaCLI", "PersonaIO"]),

        .target(name: "TestSupport", dependencies: ["PersonaKit", "PersonaSynthetic"], path: "Tests/TestSupport"),
        .testTarget(name: "PersonaKitTests", dependencies: ["PersonaSynthetic", "PersonaKit", "TestSupport", propertyBased]),
        .testTarget(name: "PersonaIOTests", dependencies: ["PersonaSynthetic", "PersonaIO", "PersonaKit", "TestSupport", propertyBased]),
        .testTarget(name: "PersonaStoreTests", dependencies: ["PersonaSynthetic", "PersonaStore", "PersonaKit", "TestSupport"]),
        .testTarget(name: "PersonaCLITests", dependencies: ["PersonaSynthetic", "PersonaCLI", "PersonaIO", "PersonaKit", "PersonaStore", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
