/// The `[metrics]` section: `access = "open" | "loopback" | "token"` (default "loopback")
/// and, for "token", `token` (at least 16 characters). Unknown keys refuse the start.
struct MetricsConfig: Decodable {
    let access: ScrapeAccess

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let section = try decoder.container(keyedBy: Key.self)
        if let unknown = section.allKeys.map(\.stringValue).sorted().first(where: { !["access", "token"].contains($0) }) {
            throw Problem(description: "metrics.\(unknown): unknown key (known: access, token)")
        }
        let mode: String
        let token: String?
        do {
            mode = try section.decodeIfPresent(String.self, forKey: Key(stringValue: "access")) ?? "loopback"
            token = try section.decodeIfPresent(String.self, forKey: Key(stringValue: "token"))
        } catch {
            throw Problem(description: "metrics: access and token must be strings")
        }
        switch mode {
        case "open":
            access = .open
        case "loopback":
            access = .loopback
        case "token":
            guard let token, token.count >= 16 else {
                throw Problem(description: "metrics.token: access = \"token\" needs a token of at least 16 characters")
            }
            access = .token(Array(token.utf8))
        default:
            throw Problem(description: "metrics.access: expected \"open\", \"loopback\" or \"token\", got \"\(mode)\"")
        }
    }
}
