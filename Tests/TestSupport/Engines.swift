import Foundation

/// A program some tests run their output through: a browser or a SQL engine.
///
/// Outside continuous integration a test whose engine is missing is skipped, with the way to
/// get it as the reason (`.enabled(if: Engine.chromium.runnable, Comment(rawValue: Engine.chromium.howToGet))`);
/// with `CI=true` in the environment it runs and fails, so that a CI machine cannot pass
/// without checking.
public enum Engine: String, Sendable, CaseIterable {
    /// Headless Chromium or Chrome, for report.html (`PERSONA_CHROMIUM` names another binary).
    case chromium
    /// The `sqlite3` shell, for the SQLite export.
    case sqlite3
    /// DuckDB's Python module, for the DuckDB export.
    case duckDB

    /// Whether this run is continuous integration (`CI=true`), where nothing is skipped.
    public static var isContinuousIntegration: Bool {
        ProcessInfo.processInfo.environment["CI"]?.lowercased() == "true"
    }

    /// The test should run: the engine is here, or this is CI (where its absence fails the test).
    public var runnable: Bool { Self.isContinuousIntegration || isAvailable }

    /// The engine can be used on this machine.
    public var isAvailable: Bool {
        switch self {
        case .chromium:
            return chromiumPath != nil
        case .sqlite3:
            return Self.executable(named: "sqlite3") != nil
        case .duckDB:
            guard let python = Self.executable(named: "python3") else { return false }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = ["-c", "import duckdb"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
    }

    /// How to get the engine: the reason a skipped test gives.
    public var howToGet: String {
        switch self {
        case .chromium:
            return "headless Chromium is missing: run Scripts/setup.sh test, or sudo apt-get install -y chromium, or set PERSONA_CHROMIUM to a Chromium or Chrome binary"
        case .sqlite3:
            return "the sqlite3 shell is missing: run Scripts/setup.sh test, or sudo apt-get install -y sqlite3"
        case .duckDB:
            return "DuckDB for Python is missing: run Scripts/setup.sh test, or python3 -m pip install --user --break-system-packages duckdb"
        }
    }

    /// The Chromium binary: `PERSONA_CHROMIUM`, else the first of the usual names on `PATH`.
    public var chromiumPath: String? {
        let environment = ProcessInfo.processInfo.environment
        if let chosen = environment["PERSONA_CHROMIUM"], FileManager.default.isExecutableFile(atPath: chosen) {
            return chosen
        }
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            if let found = Self.executable(named: name) { return found }
        }
        return nil
    }

    /// The first executable called `name` on `PATH`.
    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
