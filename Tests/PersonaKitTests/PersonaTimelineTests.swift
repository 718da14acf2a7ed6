import PersonaKit
import TestSupport
import Testing

private typealias Entry = PersonaTimeline.Entry
private typealias Flow = PersonaTimeline.Flow

@Suite("drift: persona timeline")
struct PersonaTimelineTests {
    @Test("hand-worked: sizes, shares and statuses per run; a retired persona once, with no customers")
    func entries() throws {
        let timeline = try PersonaTimeline(runs: try TimelineFixture.runs())
        #expect(timeline.runs.map(\.customers) == [14, 12, 13])
        let expected: [(Int64, Int, Int, Double, PersonaTimeline.Status)] = [
            (1, 1, 6, 6.0 / 14, .new), (1, 2, 6, 6.0 / 14, .new), (1, 3, 2, 2.0 / 14, .new),
            (2, 1, 8, 8.0 / 12, .continuing), (2, 2, 0, 0, .retired), (2, 3, 0, 0, .retired),
            (2, 4, 2, 2.0 / 12, .new), (2, 5, 2, 2.0 / 12, .new),
            (3, 1, 6, 6.0 / 13, .continuing), (3, 4, 4, 4.0 / 13, .continuing), (3, 5, 0, 0, .retired),
            (3, 6, 3, 3.0 / 13, .new),
        ]
        #expect(timeline.entries.map { Entry(run: $0.run, persona: $0.persona, name: "P\($0.persona)",
                                             customers: $0.customers, share: $0.share, status: $0.status) }
                == expected.map { Entry(run: $0.0, persona: $0.1, name: "P\($0.1)", customers: $0.2, share: $0.3, status: $0.4) })
        #expect(timeline.entries.map(\.name) == timeline.entries.map { "P\($0.persona)" })
        #expect(timeline.customers == 17)
    }

    @Test("hand-worked: flows between consecutive runs, with new customers and leavers; they add up")
    func flows() throws {
        let timeline = try PersonaTimeline(runs: try TimelineFixture.runs())
        #expect(timeline.flows == [
            Flow(fromRun: 1, toRun: 2, fromPersona: 1, toPersona: 1, customers: 6),
            Flow(fromRun: 1, toRun: 2, fromPersona: 2, toPersona: 1, customers: 1),
            Flow(fromRun: 1, toRun: 2, fromPersona: 2, toPersona: 4, customers: 2),
            Flow(fromRun: 1, toRun: 2, fromPersona: 2, toPersona: 5, customers: 2),
            Flow(fromRun: 1, toRun: 2, fromPersona: 2, toPersona: nil, customers: 1),
            Flow(fromRun: 1, toRun: 2, fromPersona: 3, toPersona: nil, customers: 2),
            Flow(fromRun: 1, toRun: 2, fromPersona: nil, toPersona: 1, customers: 1),
            Flow(fromRun: 2, toRun: 3, fromPersona: 1, toPersona: 1, customers: 6),
            Flow(fromRun: 2, toRun: 3, fromPersona: 1, toPersona: 6, customers: 1),
            Flow(fromRun: 2, toRun: 3, fromPersona: 1, toPersona: nil, customers: 1),
            Flow(fromRun: 2, toRun: 3, fromPersona: 4, toPersona: 4, customers: 2),
            Flow(fromRun: 2, toRun: 3, fromPersona: 5, toPersona: 4, customers: 2),
            Flow(fromRun: 2, toRun: 3, fromPersona: nil, toPersona: 6, customers: 2),
        ])
        for step in timeline.steps {
            let out = step.flows.filter { $0.fromPersona != nil }.map(\.customers).reduce(0, +)
            let into = step.flows.filter { $0.toPersona != nil }.map(\.customers).reduce(0, +)
            #expect(out == timeline.runs.first { $0.id == step.from }!.customers)
            #expect(into == timeline.runs.first { $0.id == step.to }!.customers)
        }
    }

    @Test("hand-worked: MONIC events, parents, lifetimes and retirements per persona")
    func lineage() throws {
        let timeline = try PersonaTimeline(runs: try TimelineFixture.runs())
        // Run 1 → 2: 1 keeps all six of a (survival); 2's five continuing customers go 2 / 2 / 1
        // to 4, 5, 1 (0.4, 0.4, 0.2: none reaches τ, all reach τ_split): a split; 3's customers
        // all left: a disappearance.
        let split = PersonaEvent.split(source: 2, into: [1, 4, 5], overlaps: [0.2, 0.4, 0.4])
        #expect(timeline.steps[0].events.map(\.kind) == [.survival, .split, .disappearance])
        #expect(timeline.steps[0].events[1] == split)
        #expect(timeline.steps[0].events[2] == .disappearance(persona: 3, largestOverlap: 0))
        // Run 2 → 3: 1 keeps 6 of its 7 continuing customers (survival); 4 and 5 both go whole
        // to 4 (absorption); 6 holds a5 and two new customers (emergence).
        let absorption = PersonaEvent.absorption(sources: [4, 5], into: 4, overlaps: [1, 1])
        let emergence = PersonaEvent.emergence(persona: 6, size: 3, newCustomerShare: 2.0 / 3)
        #expect(timeline.steps[1].events.map(\.kind) == [.survival, .absorption, .emergence])
        #expect(timeline.steps[1].events[1] == absorption)
        #expect(timeline.steps[1].events[2] == emergence)

        let lineages = Dictionary(uniqueKeysWithValues: timeline.lineages.map { ($0.persona, $0) })
        #expect(timeline.lineages.map(\.persona) == [1, 2, 3, 4, 5, 6])
        func spans(_ id: Int) -> (Int64, Int64, Int64?, Int) {
            let l = lineages[id]!
            return (l.firstRun, l.lastRun, l.retiredRun, l.lifetime)
        }
        #expect(spans(1) == (1, 3, nil, 3))
        #expect(spans(2) == (1, 1, 2, 1))
        #expect(spans(3) == (1, 1, 2, 1))
        #expect(spans(4) == (2, 3, nil, 2))
        #expect(spans(5) == (2, 2, 3, 1))
        #expect(spans(6) == (3, 3, nil, 1))
        #expect(lineages[1]!.parents == [] && lineages[4]!.parents == [2] && lineages[5]!.parents == [2])
        #expect(lineages[6]!.parents == [])
        // Events by the later run; 1 takes part in 2's split as one of its parts.
        #expect(lineages[1]!.events.map(\.run) == [2, 2, 3])
        #expect(lineages[1]!.events[1].event == split)
        #expect(lineages[2]!.events == [.init(run: 2, event: split)])
        #expect(lineages[3]!.events.map(\.event.kind) == [.disappearance])
        #expect(lineages[4]!.events == [.init(run: 2, event: split), .init(run: 3, event: absorption)])
        #expect(lineages[5]!.events == [.init(run: 2, event: split), .init(run: 3, event: absorption)])
        #expect(lineages[6]!.events == [.init(run: 3, event: emergence)])
    }

    @Test("hand-worked: changes of persona per customer and the most common paths")
    func paths() throws {
        let timeline = try PersonaTimeline(runs: try TimelineFixture.runs())
        // 0 changes: a0…a4 (1 1 1), b5, c0, c1 (one run each), n0, m0, m1 — 11.
        // 1 change: a5 (1 1 6), b0, b1 (2 4 4), b4 (2 1 1) — 4. 2 changes: b2, b3 (2 5 4).
        #expect(timeline.changeCounts == [11, 4, 2])
        #expect(timeline.distinctPaths == 9)
        let paths = timeline.commonPaths.map { ($0.personas, $0.customers, $0.changes) }
        let expected: [([Int?], Int, Int)] = [
            ([1, 1, 1], 5, 0),
            ([nil, nil, 6], 2, 0), ([2, 4, 4], 2, 1), ([2, 5, 4], 2, 2), ([3, nil, nil], 2, 0),
            ([nil, 1, nil], 1, 0), ([1, 1, 6], 1, 1), ([2, nil, nil], 1, 0), ([2, 1, 1], 1, 1),
        ]
        #expect(paths.count == expected.count)
        for (found, wanted) in zip(paths, expected) {
            #expect(found.0 == wanted.0 && found.1 == wanted.1 && found.2 == wanted.2)
        }
        let top3 = try PersonaTimeline(runs: try TimelineFixture.runs(), commonPaths: 3)
        #expect(top3.commonPaths == Array(timeline.commonPaths.prefix(3)))
        #expect(top3.changeCounts == timeline.changeCounts && top3.distinctPaths == 9)
    }

    @Test("a range starting at a retrain: personas that continue an earlier one are continuing, not new")
    func firstRunStatus() throws {
        let runs = try TimelineFixture.runs()
        let timeline = try PersonaTimeline(runs: Array(runs[1...]))
        let first = timeline.entries.filter { $0.run == 2 }
        #expect(first.map(\.persona) == [1, 4, 5])
        #expect(first.map(\.status) == [.continuing, .new, .new])
        #expect(timeline.steps.count == 1)
        #expect(timeline.lineages.map(\.persona) == [1, 4, 5, 6])
    }

    @Test("one run: sizes, no steps, every customer unchanged")
    func oneRun() throws {
        let timeline = try PersonaTimeline(runs: [try TimelineFixture.runs()[0]])
        #expect(timeline.steps.isEmpty && timeline.flows.isEmpty)
        #expect(timeline.entries.map(\.customers) == [6, 6, 2])
        #expect(timeline.changeCounts == [14])
        #expect(timeline.lineages.allSatisfy { $0.lifetime == 1 && $0.retiredRun == nil && $0.events.isEmpty })
    }

    @Test("errors name the run, the customer and the persona")
    func errors() throws {
        var runs = try TimelineFixture.runs()
        #expect(throws: TimelineError.noRuns) { try PersonaTimeline(runs: []) }
        var empty = runs
        empty[1].members = [:]
        #expect(throws: TimelineError.noCustomers(run: 2)) { try PersonaTimeline(runs: empty) }
        runs[2].members["zz"] = 9
        #expect(throws: TimelineError.unknownPersona(run: 3, customer: "zz", persona: 9, known: [1, 4, 6])) {
            try PersonaTimeline(runs: runs)
        }
        #expect(TimelineError.unknownPersona(run: 3, customer: "zz", persona: 9, known: [1, 4, 6]).description
                .contains("run 3: customer 'zz' is assigned to persona 9"))
        #expect(throws: TimelineError.self) {
            try PersonaTimeline(runs: try TimelineFixture.runs(), thresholds: TransitionThresholds(survival: 2))
        }
    }

    @Test("random histories: sizes, flows and path counts agree with a plain recount", arguments: [1, 2, 3, 4, 5])
    func againstRecount(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let models = [try TimelineFixture.model(ids: [1, 2, 3], parents: [[], [], []]), try TimelineFixture.model(ids: [1, 2, 4], parents: [[1], [2], [3]]),
                      try TimelineFixture.model(ids: [2, 4, 5], parents: [[2], [4], [1]]), try TimelineFixture.model(ids: [2, 5, 6], parents: [[2], [5], []])]
        var runs = [TimelineRun]()
        for (r, m) in models.enumerated() {
            var members = [String: Int]()
            for c in 0..<60 where Int.random(in: 0..<4, using: &rng) != 0 {
                members["c\(c)"] = m.personas[Int.random(in: 0..<m.personas.count, using: &rng)].id
            }
            runs.append(TimelineRun(id: Int64(10 + 2 * r), time: "t\(r)", model: m, members: members))
        }
        let timeline = try PersonaTimeline(runs: runs, commonPaths: 1_000)
        for run in runs {
            for entry in timeline.entries where entry.run == run.id {
                #expect(entry.customers == run.members.values.filter { $0 == entry.persona }.count)
            }
        }
        for (earlier, later) in zip(runs, runs.dropFirst()) {
            for flow in timeline.flows where flow.fromRun == earlier.id {
                let count = Set(earlier.members.keys).union(later.members.keys).filter {
                    earlier.members[$0] == flow.fromPersona && later.members[$0] == flow.toPersona
                }.count
                #expect(flow.customers == count)
            }
            let flows = timeline.flows.filter { $0.fromRun == earlier.id }
            #expect(flows.filter { $0.fromPersona != nil }.map(\.customers).reduce(0, +) == earlier.members.count)
            #expect(flows.filter { $0.toPersona != nil }.map(\.customers).reduce(0, +) == later.members.count)
        }
        // Paths recounted customer by customer.
        let everyone = Set(runs.flatMap(\.members.keys))
        var paths = [[Int?]: Int]()
        var changes = [Int: Int]()
        for customer in everyone {
            let path = runs.map { $0.members[customer] }
            paths[path, default: 0] += 1
            let seen = path.compactMap { $0 }
            changes[zip(seen, seen.dropFirst()).filter { $0.0 != $0.1 }.count, default: 0] += 1
        }
        #expect(timeline.customers == everyone.count)
        #expect(timeline.distinctPaths == paths.count)
        #expect(Dictionary(uniqueKeysWithValues: timeline.commonPaths.map { ($0.personas, $0.customers) }) == paths)
        #expect(timeline.changeCounts.enumerated().filter { $0.element > 0 }.map { $0.offset }.sorted() == changes.keys.sorted())
        for (c, n) in changes { #expect(timeline.changeCounts[c] == n) }
        #expect(zip(timeline.commonPaths, timeline.commonPaths.dropFirst()).allSatisfy { $0.customers >= $1.customers })
    }
}
