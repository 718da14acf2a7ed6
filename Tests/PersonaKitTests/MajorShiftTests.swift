@testable import PersonaKit
import Testing

@Suite("major shifts")
struct MajorShiftTests {
    static let survival = PersonaEvent.survival(PersonaSurvival(previous: 1, current: 1, overlap: 0.9, previousSize: 100, currentSize: 95,
                                                                     previousMeanDistance: 1, currentMeanDistance: 1.1, centreShift: 0.2))

    @Test("shares above PSI 0.25 and every event but survival are major; nothing else is")
    func policy() {
        let split = PersonaEvent.split(source: 3, into: [3, 7], overlaps: [0.5, 0.4])
        let emergence = PersonaEvent.emergence(persona: 9, size: 120, newCustomerShare: 0.8)
        #expect(MajorShift.find(sharePSI: 0.25, personaDrifts: [], events: [Self.survival]).isEmpty)
        let found = MajorShift.find(sharePSI: 0.31, personaDrifts: [], events: [Self.survival, split, emergence])
        #expect(found == [.shares(psi: 0.31), .event(split), .event(emergence)])
        #expect(found.map(\.description) == ["persona shares moved (PSI 0.310)", "persona 3 split into 3, 7",
                                             "persona 9 emerged (120 customers)"])
    }

    @Test("every event has a one-line summary naming its personas")
    func summaries() {
        let events: [(PersonaEvent, String)] = [
            (Self.survival, "persona 1 continues as 1"),
            (.absorption(sources: [1, 4], into: 4, overlaps: [0.6, 0.7]), "personas 1, 4 merged into 4"),
            (.disappearance(persona: 2, largestOverlap: 0.1), "persona 2 disappeared"),
        ]
        for (event, text) in events { #expect(event.summary == text) }
    }
}
