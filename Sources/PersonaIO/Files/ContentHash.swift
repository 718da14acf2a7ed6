/// 64-bit FNV-1a, the hash of a file's bytes that models (`training.dataHash`) and the
/// history (`modelHash`, `dataHash`) record, written `fnv1a64:` and 16 hex digits. Not a
/// cryptographic hash: it tells which file a run read, not whether anyone tampered with it.
public struct FNV1a64: Sendable {
    /// The hash of the bytes fed so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// A hash of no bytes.
    public init() {}

    /// Feeds `bytes`.
    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        var hash = value
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        value = hash
    }

    /// The hash as 16 hex digits.
    public var hex: String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    /// `fnv1a64:` and the hash's 16 hex digits, as files record it.
    public var labelled: String { Self.label + hex }

    /// The prefix that names the hash in files.
    public static let label = "fnv1a64:"

    /// The labelled hash of `bytes`.
    public static func labelled(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = FNV1a64()
        let array = Array(bytes)
        array.withUnsafeBufferPointer { hasher.update($0) }
        return hasher.labelled
    }
}
