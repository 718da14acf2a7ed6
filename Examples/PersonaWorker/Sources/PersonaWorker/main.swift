import Foundation
import PersonaIO
import PersonaKit

// persona-worker: load a model, then assign customers arriving as JSON lines on standard input,
// one JSON line out per customer, in input order. See README.md beside Package.swift.

let options: WorkerOptions
do {
    options = try WorkerOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("persona-worker: \(error)\n\(WorkerOptions.usage)\n".utf8))
    exit(2)
}
if options.showHelp {
    print(WorkerOptions.usage)
    exit(0)
}

let model: PersonaModel
do {
    model = try ModelFile.read(from: URL(fileURLWithPath: options.modelPath))
} catch {
    FileHandle.standardError.write(Data("persona-worker: \(error.description)\n".utf8))
    exit(1)
}

let worker = Worker(model: model, idField: options.idField,
                    unknownCategories: options.strictCategories ? .reject : .treatAsMissing)
let input = LineReader(fileDescriptor: 0)
let output = FileHandle.standardOutput
// Every batch is one write: the lines of a batch reach the reader together, as soon as they are
// assigned, whether the input is a file piped in whole or customers arriving one at a time.
while let lines = input.nextBatch(maxLines: options.batchSize) {
    output.write(Data(worker.process(lines)))
}
