// swift-tools-version: 6.1
import PackageDescription

// An example of embedding Persona in a service: `persona-worker` loads a model and assigns
// customers arriving as JSON lines on standard input. It depends on the Persona package two
// folders up, by path; a service of your own would name a release or a local checkout.
let package = Package(
    name: "PersonaWorker",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "persona-worker", targets: ["PersonaWorker"]),
    ],
    dependencies: [
        // `name:` fixes the package's name whatever the checkout's folder is called.
        .package(name: "Persona", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "PersonaWorker",
            dependencies: [
                .product(name: "PersonaKit", package: "Persona"),
                .product(name: "PersonaIO", package: "Persona"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
