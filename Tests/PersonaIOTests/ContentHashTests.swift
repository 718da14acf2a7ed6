import PersonaIO
import Testing

@Suite("content hash")
struct ContentHashTests {
    /// The FNV-1a 64-bit test vectors of the algorithm's authors (Fowler, Noll, Vo).
    @Test("FNV-1a 64 gives the published values", arguments: [
        ("", "cbf29ce484222325"), ("a", "af63dc4c8601ec8c"), ("foobar", "85944171f73967e8"),
    ])
    func publishedVectors(_ text: String, _ hex: String) {
        #expect(FNV1a64.labelled(Array(text.utf8)) == "fnv1a64:" + hex)
    }

    @Test("fed in pieces, the hash is the hash of the whole")
    func pieces() {
        let bytes = Array("customer_id,lifestyle_age\nC1,23\n".utf8)
        var hasher = FNV1a64()
        let cuts = [0, 5, 17, bytes.count]
        for split in zip(cuts, cuts.dropFirst()) {
            bytes[split.0..<split.1].withUnsafeBufferPointer { hasher.update($0) }
        }
        #expect(hasher.labelled == FNV1a64.labelled(bytes))
        #expect(hasher.hex.count == 16)
    }
}
