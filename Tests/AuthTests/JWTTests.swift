import Foundation
import PatternCrypto
import Testing
@testable import AuthTokens

@Suite struct JWTTests {
    let key = Array("0123456789abcdef0123456789abcdef".utf8)
    let other = Array("fedcba9876543210fedcba9876543210".utf8)
    let now: Int64 = 1_800_000_000

    func claims(_ kind: JWT.Kind = .access, expiresIn: Int64 = 900) -> JWT.Claims {
        JWT.Claims(subject: "user_1", issuedAt: now, expiresAt: now + expiresIn, id: "jti-1", issuer: "iss",
                   audience: ["aud"], kind: kind, permissions: kind == .access ? ["read_agents"] : nil,
                   family: kind == .refresh ? "fam_1" : nil, session: kind == .access ? "fam_1" : nil)
    }

    func verify(_ token: String, _ kind: JWT.Kind = .access, keys: [[UInt8]]? = nil, at time: Int64? = nil)
        throws(JWT.Failure) -> JWT.Claims
    {
        try JWT.verify(token, kind: kind, keys: keys ?? [key], issuer: "iss", audience: "aud", now: time ?? now)
    }

    /// A token from raw JSON parts, signed with `key` (or `signature`).
    func token(header: String, payload: String, signWith secret: [UInt8]? = nil) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        return input + "." + Base64URL.encode(Crypto.hmacSHA256(key: secret ?? key, message: Array(input.utf8)))
    }

    let payload = #"{"sub":"user_1","iat":1800000000,"exp":1800000900,"jti":"j","iss":"iss","aud":"aud","token_type":"access","sid":"f"}"#

    @Test func roundTripsBothKinds() throws {
        for kind in [JWT.Kind.access, .refresh] {
            let signed = JWT.sign(claims(kind), key: key)
            #expect(try verify(signed, kind) == claims(kind))
        }
    }

    @Test func kindsAreNeverInterchangeable() {
        #expect(throws: JWT.Failure.wrongType) { try verify(JWT.sign(claims(.refresh), key: key), .access) }
        #expect(throws: JWT.Failure.wrongType) { try verify(JWT.sign(claims(.access), key: key), .refresh) }
        // Right typ header, wrong token_type claim.
        let mixed = token(header: #"{"alg":"HS256","typ":"at+jwt"}"#,
                          payload: payload.replacingOccurrences(of: "\"access\"", with: "\"refresh\""))
        #expect(throws: JWT.Failure.wrongType) { try verify(mixed) }
    }

    @Test func pinsTheAlgorithm() {
        for header in [#"{"alg":"none","typ":"at+jwt"}"#, #"{"alg":"HS512","typ":"at+jwt"}"#,
                       #"{"alg":"hs256","typ":"at+jwt"}"#, #"{"typ":"at+jwt"}"#] {
            #expect(throws: JWT.Failure.unsupportedHeader("alg")) { try verify(token(header: header, payload: payload)) }
        }
        let unsigned = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + "."
        #expect(throws: JWT.Failure.self) { try verify(unsigned) }
    }

    @Test func refusesCritAndHeaderKeys() {
        for extra in [#""crit":["exp"]"#, #""jku":"https://x"#, #""jwk":{}"#, #""x5u":"https://x""#] {
            let header = #"{"alg":"HS256","typ":"at+jwt","# + extra + "}"
            #expect(throws: JWT.Failure.self) { try verify(token(header: header, payload: payload)) }
        }
        #expect(throws: JWT.Failure.wrongType) { try verify(token(header: #"{"alg":"HS256"}"#, payload: payload)) }
    }

    @Test func acceptsTheApplicationMediaTypeForm() throws {
        let signed = token(header: #"{"alg":"HS256","typ":"application/at+jwt"}"#, payload: payload)
        #expect(try verify(signed).subject == "user_1")
    }

    @Test func rejectsTamperingAndWrongKeys() {
        let signed = JWT.sign(claims(), key: key)
        var parts = signed.split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(Array(payload.replacingOccurrences(of: "user_1", with: "user_2").utf8))
        #expect(throws: JWT.Failure.badSignature) { try verify(parts.joined(separator: ".")) }
        #expect(throws: JWT.Failure.badSignature) { try verify(signed, keys: [other]) }
    }

    @Test func previousKeysVerify() throws {
        let signed = JWT.sign(claims(), key: other)
        #expect(try verify(signed, keys: [key, other]).subject == "user_1")
    }

    @Test func parsesStrictly() {
        let signed = JWT.sign(claims(), key: key)
        for bad in [signed + ".x", String(signed.dropLast(signed.count - signed.lastIndex(of: ".")!.utf16Offset(in: signed))),
                    signed + "=", "." + signed, "", String(repeating: "a", count: JWT.maxLength + 1)] {
            #expect(throws: JWT.Failure.self) { try verify(bad) }
        }
        let notObject = token(header: #"{"alg":"HS256","typ":"at+jwt"}"#, payload: "[1,2]")
        #expect(throws: JWT.Failure.self) { try verify(notObject) }
        let stringExp = token(header: #"{"alg":"HS256","typ":"at+jwt"}"#,
                              payload: payload.replacingOccurrences(of: #""exp":1800000900"#, with: #""exp":"1800000900""#))
        #expect(throws: JWT.Failure.badClaim("exp")) { try verify(stringExp) }
    }

    @Test func enforcesTimesWithThirtySecondsOfLeeway() throws {
        let signed = JWT.sign(claims(expiresIn: 60), key: key)
        #expect(try verify(signed, at: now + 60 + 29).subject == "user_1")
        #expect(throws: JWT.Failure.expired) { try verify(signed, at: now + 60 + 30) }
        #expect(throws: JWT.Failure.notYetValid) { try verify(signed, at: now - 31) }
        var early = claims()
        early.notBefore = now + 100
        #expect(throws: JWT.Failure.notYetValid) { try verify(JWT.sign(early, key: key)) }
    }

    @Test func checksIssuerAndAudience() {
        var wrong = claims()
        wrong.issuer = "other"
        #expect(throws: JWT.Failure.badClaim("iss")) { try verify(JWT.sign(wrong, key: key)) }
        wrong = claims()
        wrong.audience = ["x", "y"]
        #expect(throws: JWT.Failure.badClaim("aud")) { try verify(JWT.sign(wrong, key: key)) }
        wrong.audience = ["x", "aud"]
        #expect((try? verify(JWT.sign(wrong, key: key))) != nil)
    }
}
