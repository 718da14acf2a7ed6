import PersonaKit
import Testing

@Suite("drift: transitions between two periods")
struct DriftTransitionsTests {
    // Previous: a b c → 1, d e → 2, f → 3.  Current: a c h → 1, b d → 2, e g → 3.
    // By hand: a, c, d stay; b moves 1 → 2 and e 2 → 3; f left; g and h are new.
    static let previous = ["a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 3]
    static let current = ["a": 1, "b": 2, "c": 1, "d": 2, "e": 3, "g": 3, "h": 1]

    @Test("hand-worked example: counts, row shares, new and left, movers, stayed share")
    func handWorked() throws {
        let t = PersonaTransitions(previous: Self.previous, current: Self.current,
                                   previousDistances: ["b": 1.5, "e": 0.5, "a": 9], currentDistances: ["b": 2])
        #expect(t.previousPersonas == [1, 2, 3])
        #expect(t.currentPersonas == [1, 2, 3])
        //            to: 1  2  3  left
        #expect(t.counts == [2, 1, 0, 0,    // from 1
                             0, 1, 1, 0,    // from 2
                             0, 0, 0, 1,    // from 3
                             1, 0, 1, 0])   // new customers
        #expect(t.count(from: .persona(1), to: .persona(2)) == 1)
        #expect(t.count(from: .absent, to: .persona(3)) == 1)
        #expect(t.count(from: .persona(3), to: .absent) == 1)
        #expect(try #require(t.share(from: .persona(1), to: .persona(1))) == 2.0 / 3)
        #expect(try #require(t.share(from: .persona(2), to: .persona(3))) == 0.5)
        #expect(try #require(t.share(from: .persona(3), to: .absent)) == 1)
        #expect(t.total(to: .persona(1)) == 3)
        #expect(t.newCustomers == 2)
        #expect(t.leftCustomers == 1)
        #expect(t.continuing == 5)
        #expect(t.stayed == 3)
        #expect(t.stayedShare == 0.6)
        #expect(t.movers == [
            PersonaMover(id: "b", from: 1, to: 2, previousDistance: 1.5, currentDistance: 2),
            PersonaMover(id: "e", from: 2, to: 3, previousDistance: 0.5, currentDistance: nil),
        ])
    }

    @Test("listed persona orders are kept, empty personas included, unlisted ones appended")
    func orders() {
        let t = PersonaTransitions(previous: Self.previous, current: Self.current,
                                   previousPersonas: [3, 9, 1], currentPersonas: [2])
        #expect(t.previousPersonas == [3, 9, 1, 2])
        #expect(t.currentPersonas == [2, 1, 3])
        #expect(t.total(from: .persona(9)) == 0)
        #expect(t.share(from: .persona(9), to: .persona(1)) == nil)
        #expect(t.count(from: .persona(1), to: .persona(1)) == 2)
        #expect(t.count(from: .persona(42), to: .persona(1)) == 0)
        // Every customer is counted once: previous ones in the persona rows, new ones below.
        #expect(t.counts.reduce(0, +) == Set(Self.previous.keys).union(Self.current.keys).count)
    }

    @Test("identical periods: everyone stayed, no movers, nobody new or gone")
    func identical() {
        let t = PersonaTransitions(previous: Self.current, current: Self.current)
        #expect(t.stayedShare == 1)
        #expect(t.movers.isEmpty)
        #expect(t.newCustomers == 0 && t.leftCustomers == 0)
    }

    @Test("no common customers: stayed share is undefined")
    func disjoint() {
        let t = PersonaTransitions(previous: ["x": 1], current: ["y": 1])
        #expect(t.stayedShare == nil)
        #expect(t.newCustomers == 1 && t.leftCustomers == 1)
    }
}
