import ArgumentParser
@testable import PersonaCLI
import Testing

/// Options every command shares, so that a job script can pass them to any command.
@Suite("common options")
struct CommandOptionsTests {
    /// The smallest valid arguments of every subcommand.
    static let minimal: [String: [String]] = [
        "train": ["--data", "d.csv", "--k", "2", "--out", "m.json"],
        "choose-k": ["--data", "d.csv", "--k-range", "2...4"],
        "assign": ["--model", "m.json", "--data", "d.csv", "--out", "a.csv"],
        "retrain": ["--previous", "m.json", "--data", "d.csv", "--out", "m2.json"],
        "drift": ["--history", "h.sqlite"],
        "report": ["--model", "m.json", "--data", "d.csv", "--out-dir", "r"],
        "explain": ["--model", "m.json", "--data", "d.csv", "--customer", "C1"],
        "history": ["--history", "h.sqlite"],
        "timeline": ["--history", "h.sqlite", "--out-dir", "t"],
        "update": ["--model", "m.json", "--data", "d.csv", "--out", "m2.json", "--decay", "0.9"],
        "map": ["--model", "m.json", "--data", "d.csv", "--out", "map.svg"],
        "export-sql": ["--model", "m.json", "--dialect", "duckdb"],
        "sample": ["--out-dir", "s"],
        "schema": ["--data", "d.csv"],
        "features": ["--orders", "o.csv", "--customer-column", "c", "--date-column", "d", "--amount-column", "a",
                     "--period", "month", "--out-dir", "f"],
    ]

    @Test("every command takes --quiet and -q")
    func quietEverywhere() throws {
        let names = PersonaCommand.configuration.subcommands.map { $0.configuration.commandName ?? "" }
        #expect(Set(names) == Set(Self.minimal.keys), "a command without minimal arguments here: \(names)")
        for name in names {
            for flag in ["--quiet", "-q"] {
                let arguments = [name] + Self.minimal[name, default: []] + [flag]
                #expect(throws: Never.self, "\(arguments.joined(separator: " "))") {
                    _ = try PersonaCommand.parseAsRoot(arguments)
                }
            }
        }
    }

    @Test("the account column cannot also be a cross-tab column")
    func accountIsNotACrossTab() throws {
        let w = try ReportWorkspace()
        let failure = expectFailure(["report", "--model", w.model, "--data", w.data, "--out-dir", w.scratch.path("r"),
                                     "--account-column", "profile_account_id", "--crosstab-column", "profile_account_id"])
        #expect(failure?.description.contains("--account-column and --crosstab-column both name 'profile_account_id'") == true)
    }
}
