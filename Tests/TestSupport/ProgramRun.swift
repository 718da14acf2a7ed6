import Foundation

/// What a program run by a test did: its exit status and its two output streams.
public struct ProgramRun: Sendable {
    /// The exit status.
    public var status: Int32
    /// Standard output, as UTF-8.
    public var output: String
    /// Standard error, as UTF-8.
    public var error: String

    /// Runs `executable arguments` (looked up on `PATH`), feeding `input` on standard input.
    /// Throws only when the program cannot start; a non-zero exit is in ``status``.
    public static func run(_ executable: String, _ arguments: [String], input: String = "") throws -> ProgramRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read both pipes while the program runs, so that neither fills up.
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { outData = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = stderr.fileHandleForReading.readDataToEndOfFile() }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return ProgramRun(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                          error: String(decoding: errData, as: UTF8.self))
    }
}
