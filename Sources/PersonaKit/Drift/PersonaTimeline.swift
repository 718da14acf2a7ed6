/// One run of a periodic job, as a timeline follows it: its model (the personas, their names
/// and parents) and every customer's persona in that run.
public struct TimelineRun: Sendable {
    /// The run's number; runs are followed in the order given.
    public var id: Int64
    /// When the run happened (as recorded, for example ISO 8601).
    public var time: String
    /// The run's model: its personas are the run's personas.
    public var model: PersonaModel
    /// Customer identifier → persona identifier.
    public var members: [String: Int]

    /// Describes a run.
    public init(id: Int64, time: String, model: PersonaModel, members: [String: Int]) {
        self.id = id
        self.time = time
        self.model = model
        self.members = members
    }
}

/// Personas followed through a series of runs: each persona's size per run, the customer
/// flows between consecutive runs, each persona's lineage (parents, MONIC events, lifetime)
/// and how often customers changed persona.
///
/// Consecutive runs are compared with ``PeriodComparison`` (its ``PersonaTransitions`` and
/// ``PersonaEvents``), so a timeline of two runs says what `persona drift` says of them.
/// Persona identifiers are compared as they are: follow runs whose personas share identities
/// (a training followed by retrainings and assignments with those models).
///
/// ```swift
/// let timeline = try PersonaTimeline(runs: [
///     TimelineRun(id: 1, time: "2026-03-31", model: m1, members: q1Members),
///     TimelineRun(id: 2, time: "2026-06-30", model: m2, members: q2Members),
/// ])
/// timeline.entries            // persona sizes per run, with new / continuing / retired
/// timeline.steps[0].flows     // who went where, new customers and leavers included
/// timeline.lineages           // parents, events and lifetime of every persona
/// timeline.changeCounts       // customers who changed persona 0, 1, 2, … times
/// ```
public struct PersonaTimeline: Sendable {
    /// A persona's state in a run.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Not a persona of the previous run (in the first run: its model does not say it
        /// continues an earlier persona).
        case new
        /// A persona of the previous run as well.
        case continuing
        /// A persona of the previous run that the run's model no longer has; it has no
        /// customers. Listed once, in the first run without it.
        case retired
    }

    /// A run followed: its number, time and customers.
    public struct Run: Sendable, Hashable {
        /// The run's number.
        public var id: Int64
        /// When it happened.
        public var time: String
        /// Its customers.
        public var customers: Int
        /// Its personas, in its model's order.
        public var personas: [Int]
    }

    /// One persona in one run.
    public struct Entry: Sendable, Hashable {
        /// The run.
        public var run: Int64
        /// The persona's identifier.
        public var persona: Int
        /// Its name in the run (for a retired persona, its name in the run before).
        public var name: String
        /// The run's customers assigned to it (0 for a retired persona).
        public var customers: Int
        /// `customers` over all the run's customers.
        public var share: Double
        /// New, continuing or retired.
        public var status: Status

        /// Creates an entry.
        public init(run: Int64, persona: Int, name: String, customers: Int, share: Double, status: Status) {
            self.run = run
            self.persona = persona
            self.name = name
            self.customers = customers
            self.share = share
            self.status = status
        }
    }

    /// Customers who went from one persona to another between two consecutive runs; `nil`
    /// stands for no persona: as `fromPersona`, customers new in the later run, as
    /// `toPersona`, customers who left.
    public struct Flow: Sendable, Hashable {
        /// The earlier run.
        public var fromRun: Int64
        /// The later run.
        public var toRun: Int64
        /// The persona in the earlier run, or `nil` for new customers.
        public var fromPersona: Int?
        /// The persona in the later run, or `nil` for customers who left.
        public var toPersona: Int?
        /// How many customers.
        public var customers: Int

        /// Creates a flow.
        public init(fromRun: Int64, toRun: Int64, fromPersona: Int?, toPersona: Int?, customers: Int) {
            self.fromRun = fromRun
            self.toRun = toRun
            self.fromPersona = fromPersona
            self.toPersona = toPersona
            self.customers = customers
        }
    }

    /// Two consecutive runs compared.
    public struct Step: Sendable {
        /// The earlier run.
        public var from: Int64
        /// The later run.
        public var to: Int64
        /// The transition matrix, with new customers and leavers.
        public var transitions: PersonaTransitions
        /// The MONIC events, as ``PersonaEvents/detect(previous:current:previousMembers:currentMembers:thresholds:)``
        /// reports them.
        public var events: [PersonaEvent]

        /// Every non-empty cell of the transition matrix, earlier persona by increasing
        /// identifier (new customers last), then later persona likewise (leavers last). The
        /// flows out of a persona add up to its customers in the earlier run, those into a
        /// persona to its customers in the later run.
        public var flows: [Flow] {
            let rows = transitions.previousPersonas.sorted().map { PersonaTransitions.State.persona($0) } + [.absent]
            let columns = transitions.currentPersonas.sorted().map { PersonaTransitions.State.persona($0) } + [.absent]
            var flows = [Flow]()
            for row in rows {
                for column in columns where !(row == .absent && column == .absent) {
                    let count = transitions.count(from: row, to: column)
                    guard count > 0 else { continue }
                    flows.append(Flow(fromRun: from, toRun: to, fromPersona: Self.persona(row), toPersona: Self.persona(column),
                                      customers: count))
                }
            }
            return flows
        }

        private static func persona(_ state: PersonaTransitions.State) -> Int? {
            if case .persona(let id) = state { return id }
            return nil
        }
    }

    /// An event a persona took part in, with the later run of the two compared.
    public struct LineageEvent: Sendable, Hashable {
        /// The later run of the step the event happened in.
        public var run: Int64
        /// The event.
        public var event: PersonaEvent

        /// Creates a lineage event.
        public init(run: Int64, event: PersonaEvent) {
            self.run = run
            self.event = event
        }
    }

    /// One persona's life through the runs.
    public struct Lineage: Sendable, Hashable {
        /// The persona's identifier.
        public var persona: Int
        /// Its name in the last run that has it.
        public var name: String
        /// The first run that has it.
        public var firstRun: Int64
        /// The last run that has it.
        public var lastRun: Int64
        /// The run it retired in (the first run without it after `lastRun`), or `nil` when
        /// the last run still has it.
        public var retiredRun: Int64?
        /// The number of runs that have it.
        public var lifetime: Int
        /// Its parents as the model of `firstRun` records them (``Persona/parents``).
        public var parents: [Int]
        /// Every MONIC event it took part in (as a previous or a current persona), step by
        /// step, in each step's event order.
        public var events: [LineageEvent]
    }

    /// A sequence of personas, one per run (`nil`: not a customer in that run), with the
    /// customers who followed it.
    public struct Path: Sendable, Hashable {
        /// The persona in each run, `nil` where the customer is absent.
        public var personas: [Int?]
        /// Customers with exactly this path.
        public var customers: Int
        /// How many times the path changes persona (absences skipped).
        public var changes: Int
    }

    /// The runs, in order.
    public let runs: [Run]
    /// Every persona of every run, run by run, by increasing identifier within a run; a
    /// retired persona once, in the first run without it.
    public let entries: [Entry]
    /// Each pair of consecutive runs compared (one fewer than the runs).
    public let steps: [Step]
    /// Every persona of any run, by increasing identifier.
    public let lineages: [Lineage]
    /// `changeCounts[c]`: customers (of any run) who changed persona `c` times between the
    /// runs that saw them; from 0 to the largest number of changes.
    public let changeCounts: [Int]
    /// The most common paths, most customers first (ties: by ``Path/personas``, absence
    /// before a persona, smaller identifiers first).
    public let commonPaths: [Path]
    /// The number of different paths.
    public let distinctPaths: Int
    /// Customers present in at least one run.
    public let customers: Int

    /// Follows `runs` in the order given.
    ///
    /// - Parameters:
    ///   - runs: the runs; identifiers must be unique.
    ///   - thresholds: the MONIC thresholds of the events.
    ///   - commonPaths: how many of the most common paths to keep.
    /// - Throws: ``TimelineError`` when there are no runs, a run has no customers, a customer
    ///   is assigned to a persona its run's model lacks, the thresholds are out of range, or
    ///   two consecutive models share no attribute.
    /// - Complexity: O(r · (n log n + k² · d) + P log P) for r runs of n customers, k
    ///   personas, d encoded columns and P distinct paths.
    public init(runs: [TimelineRun], thresholds: TransitionThresholds = TransitionThresholds(),
                commonPaths: Int = 20) throws(TimelineError) {
        precondition(commonPaths >= 0, "commonPaths must not be negative")
        precondition(Set(runs.map(\.id)).count == runs.count, "run identifiers must be unique")
        guard !runs.isEmpty else { throw .noRuns }
        do { try thresholds.validate() } catch { throw .invalidThresholds(error) }
        for run in runs {
            guard !run.members.isEmpty else { throw .noCustomers(run: run.id) }
            let known = Set(run.model.personas.map(\.id))
            // The smallest offending customer, so that the message does not depend on hashing.
            if let (customer, persona) = run.members.filter({ !known.contains($0.value) }).min(by: { $0.key < $1.key }) {
                throw .unknownPersona(run: run.id, customer: customer, persona: persona, known: known.sorted())
            }
        }

        var steps = [Step]()
        for (earlier, later) in zip(runs, runs.dropFirst()) {
            let comparison: PeriodComparison
            do {
                comparison = try PeriodComparison(previous: PeriodSnapshot(model: earlier.model, members: earlier.members),
                                                  current: PeriodSnapshot(model: later.model, members: later.members),
                                                  thresholds: thresholds)
            } catch {
                throw .incomparable(from: earlier.id, to: later.id, reason: error)
            }
            steps.append(Step(from: earlier.id, to: later.id, transitions: comparison.transitions!, events: comparison.events!))
        }
        self.steps = steps
        self.runs = runs.map { run in
            Run(id: run.id, time: run.time, customers: run.members.count, personas: run.model.personas.map(\.id))
        }
        entries = Self.entries(runs)
        lineages = Self.lineages(runs, steps: steps)
        let paths = Self.paths(runs)
        changeCounts = paths.changeCounts
        distinctPaths = paths.all.count
        customers = paths.customers
        self.commonPaths = Array(paths.all.prefix(commonPaths))
    }

    /// The flows of every step, step by step.
    public var flows: [Flow] { steps.flatMap(\.flows) }

    // MARK: - Parts

    private static func entries(_ runs: [TimelineRun]) -> [Entry] {
        var entries = [Entry]()
        var previous: [Int: Persona]? = nil
        for run in runs {
            var sizes = [Int: Int]()
            for persona in run.members.values { sizes[persona, default: 0] += 1 }
            let total = Double(run.members.count)
            var rows = run.model.personas.map { persona -> Entry in
                let status: Status
                if let previous {
                    status = previous[persona.id] == nil ? .new : .continuing
                } else {
                    status = persona.parents.first == persona.id ? .continuing : .new
                }
                let customers = sizes[persona.id] ?? 0
                return Entry(run: run.id, persona: persona.id, name: persona.name, customers: customers,
                             share: Double(customers) / total, status: status)
            }
            let current = Set(run.model.personas.map(\.id))
            for persona in (previous?.values).map(Array.init) ?? [] where !current.contains(persona.id) {
                rows.append(Entry(run: run.id, persona: persona.id, name: persona.name, customers: 0, share: 0,
                                  status: .retired))
            }
            entries += rows.sorted { $0.persona < $1.persona }
            previous = Dictionary(uniqueKeysWithValues: run.model.personas.map { ($0.id, $0) })
        }
        return entries
    }

    private static func lineages(_ runs: [TimelineRun], steps: [Step]) -> [Lineage] {
        var lineages = [Int: Lineage]()
        var previous = Set<Int>()
        for run in runs {
            let current = Set(run.model.personas.map(\.id))
            for persona in run.model.personas {
                if var lineage = lineages[persona.id] {
                    lineage.name = persona.name
                    lineage.lastRun = run.id
                    lineage.retiredRun = nil
                    lineage.lifetime += 1
                    lineages[persona.id] = lineage
                } else {
                    lineages[persona.id] = Lineage(persona: persona.id, name: persona.name, firstRun: run.id, lastRun: run.id,
                                                   retiredRun: nil, lifetime: 1, parents: persona.parents, events: [])
                }
            }
            for id in previous.subtracting(current) { lineages[id]!.retiredRun = run.id }
            previous = current
        }
        for step in steps {
            for event in step.events {
                var involved = [Int]()
                for id in event.previousPersonas + event.currentPersonas where !involved.contains(id) { involved.append(id) }
                for id in involved { lineages[id]?.events.append(LineageEvent(run: step.to, event: event)) }
            }
        }
        return lineages.values.sorted { $0.persona < $1.persona }
    }

    private static func paths(_ runs: [TimelineRun]) -> (all: [Path], changeCounts: [Int], customers: Int) {
        let width = runs.count
        let absent = Int.min
        var column = [String: Int]()
        var cells = [Int]()
        for (r, run) in runs.enumerated() {
            for (customer, persona) in run.members {
                let c: Int
                if let known = column[customer] {
                    c = known
                } else {
                    c = column.count
                    column[customer] = c
                    cells += repeatElement(absent, count: width)
                }
                cells[c * width + r] = persona
            }
        }
        var counts = [ArraySlice<Int>: Int]()
        for c in 0..<column.count { counts[cells[c * width ..< (c + 1) * width], default: 0] += 1 }
        var changeCounts = [Int]()
        var paths = [Path]()
        paths.reserveCapacity(counts.count)
        for (path, customers) in counts {
            var changes = 0
            var last: Int? = nil
            for persona in path where persona != absent {
                if let last, last != persona { changes += 1 }
                last = persona
            }
            if changeCounts.count <= changes { changeCounts += repeatElement(0, count: changes + 1 - changeCounts.count) }
            changeCounts[changes] += customers
            paths.append(Path(personas: path.map { $0 == absent ? nil : $0 }, customers: customers, changes: changes))
        }
        paths.sort { a, b in
            if a.customers != b.customers { return a.customers > b.customers }
            for (x, y) in zip(a.personas, b.personas) where x != y {
                guard let x else { return true }
                guard let y else { return false }
                return x < y
            }
            return false
        }
        return (paths, changeCounts, column.count)
    }
}
