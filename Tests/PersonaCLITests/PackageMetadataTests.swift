import Foundation
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import Testing

// What a team that depends on the package, or a new user on a fresh clone, relies on: one
// version everywhere it is shown, a licence, and a README whose first two commands are the
// ones CI runs.

@Suite("Package metadata")
struct PackageMetadataTests {
    static let root = ExampleWorker.packageRoot

    static func text(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("the version is semantic, and the newest CHANGELOG entry, persona --version and models agree on it")
    func oneVersion() throws {
        let version = personaKitVersion
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }, "\(version)")
        #expect(PersonaCommand.configuration.version == version)

        let changelog = try Self.text("CHANGELOG.md")
        // An "Unreleased" section above the newest release collects changes not yet released.
        let entries = changelog.split(separator: "\n").filter { $0.hasPrefix("## ") && $0 != "## Unreleased" }
        let newest = try #require(entries.first, "CHANGELOG.md has no '## <version>' entry")
        #expect(newest.dropFirst(3).split(separator: " ").first.map(String.init) == version, "\(newest)")

        let readme = try Self.text("README.md")
        #expect(readme.contains("from: \"\(version)\""), "README's dependency line names another version")

        let table = RawTable(columnNames: Fixture.header, rows: Fixture.rows)
        let customers = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        let trained = try PersonaModel.train(customers, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 2, seed: 1)))
        #expect(trained.model.training.libraryVersion == version)
    }

    @Test("the licence is the Apache License 2.0")
    func licence() throws {
        let licence = try Self.text("LICENSE")
        #expect(licence.contains("Apache License") && licence.contains("Version 2.0, January 2004"))
        #expect(licence.contains("END OF TERMS AND CONDITIONS"))
    }

    @Test("the README's first code block holds two commands, and CI runs the second")
    func twoCommands() throws {
        let readme = try Self.text("README.md")
        let start = try #require(readme.range(of: "```sh\n"))
        let end = try #require(readme.range(of: "\n```", range: start.upperBound..<readme.endIndex))
        let commands = readme[start.upperBound..<end.lowerBound].split(separator: "\n").map(String.init)
        #expect(commands.count == 2, "\(commands)")
        #expect(commands.first?.contains("persona train") == true)
        #expect(commands.first?.contains("SampleData/") == true)
        let test = try #require(commands.last)
        #expect(test.hasSuffix("swift test"))
        let ci = try Self.text(".ci/run")
        #expect(ci.split(separator: "\n").contains { $0 == test }, ".ci/run does not run `\(test)`")
        // Each command sets up its own needs first, with a script that is really there.
        for command in commands {
            let script = try #require(command.split(separator: " ").first.map(String.init))
            #expect(FileManager.default.isExecutableFile(atPath: Self.root.appendingPathComponent(script).path), "\(script)")
        }
    }
}
