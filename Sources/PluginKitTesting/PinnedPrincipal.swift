import PluginABI

/// A request's principal as `get_principal` lends it: every string pinned for as long as the
/// principal is the request's.
// @unchecked: immutable after init; the permission array is freed only in deinit.
final class PinnedPrincipal: @unchecked Sendable {
    let principal: TestPrincipal
    private let userID: PinnedBytes
    private let apiKeyID: PinnedBytes
    private let sessionID: PinnedBytes
    private let permissionTexts: [PinnedBytes]
    private let permissionArray: UnsafeMutablePointer<pattern_str>
    private let rateLimit: Int64
    private let expiresAt: Int64
    private let rateLimitAbovePolicy: Int32

    init(_ principal: TestPrincipal, sessionID: String = "", rateLimit: Int64 = 0, expiresAt: Int64 = 0,
         rateLimitAbovePolicy: Int32 = 0) {
        self.principal = principal
        userID = PinnedBytes(principal.userID)
        apiKeyID = PinnedBytes(principal.apiKeyID ?? "")
        self.sessionID = PinnedBytes(sessionID)
        permissionTexts = principal.permissions.map { PinnedBytes($0) }
        permissionArray = .allocate(capacity: max(permissionTexts.count, 1))
        for (index, text) in permissionTexts.enumerated() { permissionArray[index] = text.str }
        self.rateLimit = rateLimit
        self.expiresAt = expiresAt
        self.rateLimitAbovePolicy = rateLimitAbovePolicy
    }

    /// A copy of what a plugin passed to `set_principal` (the fields its struct_size covers).
    convenience init(copying source: UnsafePointer<pattern_principal>) {
        let raw = source.pointee
        let permissions = (0..<raw.permission_count).map { raw.permissions[$0].text }
        let apiKey = raw.api_key_id.text
        let principal = TestPrincipal(userID: raw.user_id.text, isAdmin: raw.is_admin != 0, permissions: permissions,
                                      apiKeyID: apiKey.isEmpty ? nil : apiKey)
        let has13 = MemoryLayout<pattern_principal>.offset(of: \.rate_limit_above_policy)! + 4 <= Int(raw.struct_size)
        self.init(principal, sessionID: has13 ? raw.session_id.text : "", rateLimit: raw.rate_limit,
                  expiresAt: has13 ? raw.expires_at : 0, rateLimitAbovePolicy: has13 ? raw.rate_limit_above_policy : 0)
    }

    deinit { permissionArray.deallocate() }

    /// Fills the fields `out.struct_size` covers (1.0's always) and says how much it filled.
    func lend(to out: UnsafeMutablePointer<pattern_principal>) {
        let capacity = Int(out.pointee.struct_size)
        var filled = pattern_principal()
        filled.struct_size = UInt32(min(capacity, MemoryLayout<pattern_principal>.size))
        filled.user_id = userID.str
        filled.is_admin = principal.isAdmin ? 1 : 0
        filled.permissions = UnsafePointer(permissionArray)
        filled.permission_count = permissionTexts.count
        filled.api_key_id = apiKeyID.str
        filled.rate_limit = rateLimit
        filled.session_id = sessionID.str
        filled.expires_at = expiresAt
        filled.rate_limit_above_policy = rateLimitAbovePolicy
        withUnsafeBytes(of: filled) { source in
            UnsafeMutableRawPointer(out).copyMemory(from: source.baseAddress!, byteCount: Int(filled.struct_size))
        }
    }
}
