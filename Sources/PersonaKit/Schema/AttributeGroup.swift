/// The persona attribute groups marketing teams describe customers by, plus `other`.
///
/// A column whose name starts with a group's ``columnPrefix`` joins that group when a schema
/// is inferred from a header; every other column joins ``other``.
public enum AttributeGroup: String, Codable, Sendable, CaseIterable, Hashable, Comparable {
    /// Lifestyle: hobbies, household, daily routine.
    case lifestyle
    /// Media and content use: channels, formats, hours.
    case media
    /// Online behaviour: visits, shopping, devices.
    case online
    /// Wishes: what the customer hopes for.
    case wishes
    /// Needs: what the customer must have.
    case needs
    /// Fears: what the customer worries about.
    case fears
    /// Financial situation.
    case finance
    /// Health situation.
    case health
    /// Anything else.
    case other

    /// The column-name prefix that places a column in this group (`nil` for ``other``).
    public var columnPrefix: String? {
        switch self {
        case .lifestyle: "lifestyle_"
        case .media: "media_"
        case .online: "online_"
        case .wishes: "wish_"
        case .needs: "need_"
        case .fears: "fear_"
        case .finance: "finance_"
        case .health: "health_"
        case .other: nil
        }
    }

    /// A short human label ("media and content use").
    public var label: String {
        switch self {
        case .lifestyle: "lifestyle"
        case .media: "media and content use"
        case .online: "online behaviour"
        case .wishes: "wishes"
        case .needs: "needs"
        case .fears: "fears"
        case .finance: "financial situation"
        case .health: "health situation"
        case .other: "other"
        }
    }

    /// The group a column joins by its name's prefix.
    /// - Complexity: O(1).
    public init(columnName: String) {
        self = AttributeGroup.allCases.first { group in
            group.columnPrefix.map { columnName.hasPrefix($0) } ?? false
        } ?? .other
    }

    /// Groups order as declared (lifestyle first, other last).
    public static func < (lhs: AttributeGroup, rhs: AttributeGroup) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
