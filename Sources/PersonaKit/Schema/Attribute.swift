/// How an attribute's values are measured.
public enum AttributeKind: Sendable, Hashable {
    /// A real number (income, minutes per day).
    case continuous
    /// An ordered scale with the given numeric levels, such as a 1–5 agreement scale.
    case ordinal(levels: [Double])
    /// Yes or no, written `0` or `1`.
    case binary
    /// One of a set of labels, encoded one-hot.
    case categorical(categories: [String])

    /// The kind's name as written in schema and model files.
    public var name: String {
        switch self {
        case .continuous: "continuous"
        case .ordinal: "ordinal"
        case .binary: "binary"
        case .categorical: "categorical"
        }
    }

    /// Whether the cells hold numbers (every kind except ``categorical(categories:)``).
    public var isNumeric: Bool {
        if case .categorical = self { return false }
        return true
    }
}

/// What an attribute is used for.
public enum AttributeRole: String, Codable, Sendable, Hashable, CaseIterable {
    /// Used to form personas (clustered on).
    case segment
    /// Reported per persona but not clustered on (customer value, journey phase, account).
    case profile
    /// Read past and never used.
    case ignore
}

/// One persona attribute: a column of the customer data with its meaning.
public struct Attribute: Sendable, Hashable {
    /// The column name in the customer data.
    public var name: String
    /// The persona attribute group.
    public var group: AttributeGroup
    /// How values are measured.
    public var kind: AttributeKind
    /// What the attribute is used for.
    public var role: AttributeRole
    /// The attribute's share of the squared distance relative to other attributes: weight 2
    /// counts like two copies of the attribute. Must be finite and non-negative.
    public var weight: Double

    /// Creates an attribute.
    public init(name: String, group: AttributeGroup? = nil, kind: AttributeKind,
                role: AttributeRole = .segment, weight: Double = 1) {
        self.name = name
        self.group = group ?? AttributeGroup(columnName: name)
        self.kind = kind
        self.role = role
        self.weight = weight
    }

    /// A readable label: the name without its group prefix, underscores as spaces.
    public var label: String {
        var base = Substring(name)
        if let prefix = group.columnPrefix, base.hasPrefix(prefix) { base = base.dropFirst(prefix.count) }
        if let prefix = AttributeRole.profile.columnPrefix, base.hasPrefix(prefix) {
            base = base.dropFirst(prefix.count)
        }
        let text = base.replacingUnderscores()
        return text.isEmpty ? name : text
    }
}

extension AttributeRole {
    /// The column-name prefix that marks a column as profile-only when a schema is inferred.
    public var columnPrefix: String? { self == .profile ? "profile_" : nil }
}

extension Substring {
    func replacingUnderscores() -> String {
        String(map { $0 == "_" ? " " : $0 })
    }
}

extension Attribute: Codable {
    private enum CodingKeys: String, CodingKey { case name, group, kind, levels, categories, role, weight }

    /// Decodes the schema-file form: `{"name", "group", "kind", "levels"?, "categories"?, "role", "weight"}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        group = try c.decodeIfPresent(AttributeGroup.self, forKey: .group) ?? AttributeGroup(columnName: name)
        role = try c.decodeIfPresent(AttributeRole.self, forKey: .role) ?? .segment
        weight = try c.decodeIfPresent(Double.self, forKey: .weight) ?? 1
        let kindName = try c.decode(String.self, forKey: .kind)
        switch kindName {
        case "continuous": kind = .continuous
        case "binary": kind = .binary
        case "ordinal":
            let levels = try c.decodeIfPresent([Double].self, forKey: .levels) ?? [1, 2, 3, 4, 5]
            kind = .ordinal(levels: levels)
        case "categorical":
            kind = .categorical(categories: try c.decodeIfPresent([String].self, forKey: .categories) ?? [])
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c,
                debugDescription: "unknown attribute kind '\(kindName)' (expected continuous, ordinal, binary or categorical)")
        }
    }

    /// Encodes the schema-file form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(group, forKey: .group)
        try c.encode(kind.name, forKey: .kind)
        switch kind {
        case .ordinal(let levels): try c.encode(levels, forKey: .levels)
        case .categorical(let categories): try c.encode(categories, forKey: .categories)
        case .continuous, .binary: break
        }
        try c.encode(role, forKey: .role)
        try c.encode(weight, forKey: .weight)
    }
}
