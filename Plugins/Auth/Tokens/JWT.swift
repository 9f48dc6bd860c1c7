import Foundation
import PatternCrypto

/// Pattern's JSON Web Tokens: HS256 only, written here over OpenSSL's HMAC (RFC 7519, with
/// the RFC 8725 best practices and RFC 9068's `typ`). Access and refresh tokens differ in
/// their `typ` header (`at+jwt` / `rt+jwt`) and `token_type` claim, and each kind is only
/// ever accepted as itself.
///
/// Verification is strict: exactly three unpadded base64url segments; a 32-byte HS256 MAC
/// compared in constant time against every configured key; `alg` must be exactly `HS256`
/// (never chosen from the header); `typ` must name the expected kind; `crit` and
/// header-supplied keys (`jku`, `jwk`, `x5u`, `x5c`, `x5t`, `x5t#S256`) are refused; header
/// and payload must be JSON objects; `sub`, `iat`, `exp`, `jti`, `iss`, `aud` and
/// `token_type` are required with exact types; times allow at most `leeway` seconds of skew.
public enum JWT {
    /// The two kinds of token Pattern issues.
    public enum Kind: String, Sendable {
        case access, refresh

        /// The `typ` header (RFC 9068 for access tokens).
        public var typ: String { self == .access ? "at+jwt" : "rt+jwt" }
    }

    /// The claims Pattern reads and writes. Times are Unix seconds.
    public struct Claims: Sendable, Equatable {
        public var subject: String
        public var issuedAt: Int64
        public var expiresAt: Int64
        public var notBefore: Int64?
        public var id: String
        public var issuer: String
        public var audience: [String]
        public var kind: Kind
        /// Access tokens: what the bearer may do.
        public var permissions: [String]?
        /// Refresh tokens: the login (rotation family) the token belongs to.
        public var family: String?
        /// Access tokens: the login session they were minted for (for revocation).
        public var session: String?

        public init(subject: String, issuedAt: Int64, expiresAt: Int64, notBefore: Int64? = nil, id: String,
                    issuer: String, audience: [String], kind: Kind, permissions: [String]? = nil,
                    family: String? = nil, session: String? = nil) {
            self.subject = subject
            self.issuedAt = issuedAt
            self.expiresAt = expiresAt
            self.notBefore = notBefore
            self.id = id
            self.issuer = issuer
            self.audience = audience
            self.kind = kind
            self.permissions = permissions
            self.family = family
            self.session = session
        }
    }

    /// Why a token was refused: for logs and tests only; clients get one generic 401.
    public enum Failure: Error, Sendable, Equatable {
        case malformed(String)
        case badSignature
        case unsupportedHeader(String)
        case wrongType
        case badClaim(String)
        case expired
        case notYetValid
    }

    /// Longest token accepted (bytes): bounds the work an attacker can cause.
    public static let maxLength = 8192

    /// Signs `claims` with `key` (the current secret).
    public static func sign(_ claims: Claims, key: [UInt8]) -> String {
        let header = #"{"alg":"HS256","typ":""# + claims.kind.typ + #""}"#
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings and integers cannot fail.
        let payload = (try? encoder.encode(PayloadCoding(claims))) ?? Data("{}".utf8)
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload))
        let mac = Crypto.hmacSHA256(key: key, message: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(mac)
    }

    /// Verifies `token` as a token of `kind` against `keys` (current first, then previous
    /// ones) at time `now`, and returns its claims.
    public static func verify(
        _ token: String, kind: Kind, keys: [[UInt8]], issuer: String, audience: String, now: Int64,
        leeway: Int64 = 30
    ) throws(Failure) -> Claims {
        let bytes = Array(token.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { throw .malformed("length") }
        let dots = bytes.indices.filter { bytes[$0] == UInt8(ascii: ".") }
        guard dots.count == 2 else { throw .malformed("expected three segments") }
        let headerPart = bytes[..<dots[0]], payloadPart = bytes[(dots[0] + 1)..<dots[1]]
        let signaturePart = bytes[(dots[1] + 1)...]
        guard !headerPart.isEmpty, !payloadPart.isEmpty, !signaturePart.isEmpty,
              let headerJSON = Base64URL.decode(String(decoding: headerPart, as: UTF8.self)),
              let payloadJSON = Base64URL.decode(String(decoding: payloadPart, as: UTF8.self)),
              let signature = Base64URL.decode(String(decoding: signaturePart, as: UTF8.self))
        else { throw .malformed("segments must be unpadded base64url") }
        guard signature.count == 32 else { throw .badSignature }

        let signingInput = Array(bytes[..<dots[1]])
        var matched = false
        for key in keys where Crypto.constantTimeEquals(Crypto.hmacSHA256(key: key, message: signingInput), signature) {
            matched = true
        }
        guard matched else { throw .badSignature }

        let header: HeaderCoding
        do { header = try JSONDecoder().decode(HeaderCoding.self, from: Data(headerJSON)) } catch {
            throw .malformed("header is not a JSON object")
        }
        guard header.alg == "HS256" else { throw .unsupportedHeader("alg") }
        if let refused = header.refusedParameter { throw .unsupportedHeader(refused) }
        guard let typ = header.typ?.lowercased(), typ == kind.typ || typ == "application/" + kind.typ else {
            throw .wrongType
        }

        let payload: PayloadCoding
        do { payload = try JSONDecoder().decode(PayloadCoding.self, from: Data(payloadJSON)) } catch {
            throw .badClaim(Self.describe(error))
        }
        let claims = payload.claims
        guard claims.kind == kind else { throw .wrongType }
        guard claims.issuer == issuer else { throw .badClaim("iss") }
        guard claims.audience.contains(audience) else { throw .badClaim("aud") }
        guard !claims.subject.isEmpty else { throw .badClaim("sub") }
        guard !claims.id.isEmpty else { throw .badClaim("jti") }
        try checkTimes(claims, now: now, leeway: leeway)
        return claims
    }

    /// The time checks alone (`exp`, `nbf`, `iat` with `leeway`), for callers that cache the
    /// result of `verify` for a token and must re-check only what changes with time.
    public static func checkTimes(_ claims: Claims, now: Int64, leeway: Int64 = 30) throws(Failure) {
        guard now < claims.expiresAt + leeway else { throw .expired }
        if let notBefore = claims.notBefore, now < notBefore - leeway { throw .notYetValid }
        guard claims.issuedAt <= now + leeway else { throw .notYetValid }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "payload is not a JSON object" }
        switch error {
        case .keyNotFound(let key, _): return key.stringValue
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return context.codingPath.last?.stringValue ?? "payload is not a JSON object"
        @unknown default: return "payload"
        }
    }
}

/// The JOSE header: only what is checked is decoded; the presence of parameters Pattern
/// refuses is recorded.
private struct HeaderCoding: Decodable {
    let alg: String?
    let typ: String?
    let refusedParameter: String?

    private struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    static let refused = ["crit", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "b64", "zip", "enc"]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        alg = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "alg"))
        typ = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "typ"))
        refusedParameter = Self.refused.first { container.contains(Key(stringValue: $0)) }
    }
}

/// The payload on the wire; `aud` is a string or an array of strings (RFC 7519 §4.1.3).
private struct PayloadCoding: Codable {
    let claims: JWT.Claims

    init(_ claims: JWT.Claims) { self.claims = claims }

    enum Keys: String, CodingKey {
        case sub, iat, exp, nbf, jti, iss, aud, token_type, permissions, family, sid
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let audience: [String]
        if let single = try? c.decode(String.self, forKey: .aud) {
            audience = [single]
        } else {
            audience = try c.decode([String].self, forKey: .aud)
        }
        let typeName = try c.decode(String.self, forKey: .token_type)
        guard let kind = JWT.Kind(rawValue: typeName) else {
            throw DecodingError.dataCorruptedError(forKey: .token_type, in: c, debugDescription: "unknown token_type")
        }
        claims = JWT.Claims(
            subject: try c.decode(String.self, forKey: .sub), issuedAt: try c.decode(Int64.self, forKey: .iat),
            expiresAt: try c.decode(Int64.self, forKey: .exp), notBefore: try c.decodeIfPresent(Int64.self, forKey: .nbf),
            id: try c.decode(String.self, forKey: .jti), issuer: try c.decode(String.self, forKey: .iss),
            audience: audience, kind: kind, permissions: try c.decodeIfPresent([String].self, forKey: .permissions),
            family: try c.decodeIfPresent(String.self, forKey: .family),
            session: try c.decodeIfPresent(String.self, forKey: .sid))
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(claims.subject, forKey: .sub)
        try c.encode(claims.issuedAt, forKey: .iat)
        try c.encode(claims.expiresAt, forKey: .exp)
        try c.encodeIfPresent(claims.notBefore, forKey: .nbf)
        try c.encode(claims.id, forKey: .jti)
        try c.encode(claims.issuer, forKey: .iss)
        if claims.audience.count == 1 { try c.encode(claims.audience[0], forKey: .aud) } else {
            try c.encode(claims.audience, forKey: .aud)
        }
        try c.encode(claims.kind.rawValue, forKey: .token_type)
        try c.encodeIfPresent(claims.permissions, forKey: .permissions)
        try c.encodeIfPresent(claims.family, forKey: .family)
        try c.encodeIfPresent(claims.session, forKey: .sid)
    }
}
