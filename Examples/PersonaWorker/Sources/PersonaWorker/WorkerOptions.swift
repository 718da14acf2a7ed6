/// The command line of `persona-worker`.
struct WorkerOptions {
    /// The model file written by `persona train`.
    var modelPath = ""
    /// The field holding the customer identifier, when it differs from the model's.
    var idField: String?
    /// Reject categories the model was not trained on instead of treating them as missing.
    var strictCategories = false
    /// The largest number of lines assigned together.
    var batchSize = 512
    /// Print the usage and stop.
    var showHelp = false

    static let usage = """
        usage: persona-worker --model MODEL.json [--id-field NAME] [--strict-categories] [--batch-size N]

        Reads customers as JSON lines on standard input (one object per line: the identifier
        and the model's attributes, as numbers, strings, booleans or null) and writes one JSON
        line per customer: its persona, distance, runner-up, margin and outlier flag, or an
        error naming the line. Stops at the end of the input.
        """

    /// A command-line mistake, described in one line.
    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads the arguments (without the program name).
    static func parse(_ arguments: [String]) throws(UsageError) -> WorkerOptions {
        var options = WorkerOptions()
        var rest = arguments[...]
        func value(of flag: String) throws(UsageError) -> String {
            guard let value = rest.popFirst() else { throw UsageError(description: "\(flag) needs a value") }
            return value
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--model": options.modelPath = try value(of: argument)
            case "--id-field": options.idField = try value(of: argument)
            case "--strict-categories": options.strictCategories = true
            case "--batch-size":
                let text = try value(of: argument)
                guard let size = Int(text), size >= 1 else {
                    throw UsageError(description: "--batch-size \(text): must be a whole number of at least 1")
                }
                options.batchSize = size
            case "-h", "--help": options.showHelp = true
            default: throw UsageError(description: "unknown argument '\(argument)'")
            }
        }
        if options.modelPath.isEmpty && !options.showHelp { throw UsageError(description: "--model is required") }
        return options
    }
}
