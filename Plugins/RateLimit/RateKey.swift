/// Whose quota a request spends, within one policy: an API key, a user, or a client address.
struct RateKey: Hashable, Sendable {
    enum Kind: UInt8, Sendable { case apiKey, user, address }

    let policy: UInt16
    let kind: Kind
    /// The client address (for `.address`), else zero.
    let address: IPAddress
    /// The API key or user id (for `.apiKey` and `.user`), else empty.
    let id: String

    static func address(_ address: IPAddress, policy: UInt16) -> RateKey {
        RateKey(policy: policy, kind: .address, address: address, id: "")
    }

    static func credential(_ kind: Kind, _ id: String, policy: UInt16) -> RateKey {
        RateKey(policy: policy, kind: kind, address: IPAddress(high: 0, low: 0), id: id)
    }
}
