import Testing
import PatternCrypto

@Suite("PatternCrypto")
struct CryptoTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func unhex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    // FIPS 180-2 examples and the one-million-'a' vector.
    @Test func sha256KnownVectors() {
        #expect(Crypto.hex(Crypto.sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Crypto.hex(Crypto.sha256(bytes("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Crypto.hex(Crypto.sha256(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Crypto.hex(Crypto.sha256([UInt8](repeating: 0x61, count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Non-contiguous collections take the copying path and agree.
        #expect(Crypto.sha256("abc".utf8) == Crypto.sha256(bytes("abc")))
        #expect(Crypto.sha256(bytes("xabcx")[1..<4]) == Crypto.sha256(bytes("abc")))
    }

    // RFC 4231 test cases 1, 2, 4 and 6.
    @Test func hmacSHA256RFC4231() {
        #expect(Crypto.hex(Crypto.hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20), message: bytes("Hi There")))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Crypto.hex(Crypto.hmacSHA256(key: bytes("Jefe"), message: bytes("what do ya want for nothing?")))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Crypto.hex(Crypto.hmacSHA256(key: Array(1...25), message: [UInt8](repeating: 0xcd, count: 50)))
                == "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")
        #expect(Crypto.hex(Crypto.hmacSHA256(key: [UInt8](repeating: 0xaa, count: 131),
                                             message: bytes("Test Using Larger Than Block-Size Key - Hash Key First")))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        // Empty key and message are valid inputs (not "reuse the previous key").
        #expect(Crypto.hex(Crypto.hmacSHA256(key: [], message: []))
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func randomBytes() {
        #expect(Crypto.randomBytes(0).isEmpty)
        let a = Crypto.randomBytes(32), b = Crypto.randomBytes(32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
    }

    @Test func constantTimeEquals() {
        #expect(Crypto.constantTimeEquals([], []))
        #expect(Crypto.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEquals([9, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!Crypto.constantTimeEquals([], [0]))
    }

    @Test func hex() {
        #expect(Crypto.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Crypto.hex([UInt8]()) == "")
    }

    // RFC 4648 §10 vectors, in the url alphabet and without padding.
    @Test func base64URLRoundTrips() {
        let vectors: [(String, String)] = [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"),
                                           ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(bytes(plain)) == encoded)
            #expect(Base64URL.decode(encoded) == bytes(plain))
        }
        // The two url-specific characters.
        #expect(Base64URL.encode([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
        #expect(Base64URL.decode("-_-_"[...]) == [0xfb, 0xff, 0xbf])
        for length in 0..<70 {
            let data = Crypto.randomBytes(length)
            #expect(Base64URL.decode(Base64URL.encode(data)) == data)
        }
        let all = (0...255).map { UInt8($0) }
        #expect(Base64URL.decode(Base64URL.encode(all)) == all)
        #expect(Crypto.Base64URL.encode([1]) == Base64URL.encode([1]))
    }

    @Test func base64URLRejections() {
        #expect(Base64URL.decode("Zg==") == nil)      // padding
        #expect(Base64URL.decode("Zm8=") == nil)
        #expect(Base64URL.decode("Z") == nil)         // 4n+1 length
        #expect(Base64URL.decode("Zm9vY") == nil)
        #expect(Base64URL.decode("+/+/") == nil)      // standard alphabet
        #expect(Base64URL.decode("Zm 9v") == nil)     // whitespace
        #expect(Base64URL.decode("Zm9v\n") == nil)
        #expect(Base64URL.decode("Zm9\u{e9}") == nil) // non-ASCII
        #expect(Base64URL.decode("Zh") == nil)        // non-canonical: "f" is "Zg"
        #expect(Base64URL.decode("Zm9") == nil)       // non-canonical: "fo" is "Zm8"
        #expect(Base64URL.decode("Zm8") == bytes("fo"))
    }

    // Vectors from pyca/bcrypt's test suite (an independent implementation), plus a "$2a$"
    // one from jBCrypt's.
    @Test func bcryptVerifiesKnownHashes() {
        #expect(BCrypt.verify(password: bytes("Kk4DQuMMfZL9o"),
                              hash: "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"))
        #expect(BCrypt.verify(password: bytes("9IeRXmnGxMYbs"),
                              hash: "$2b$04$pQ7gRO7e6wx/936oXhNjrOUNOHL1D0h1N2IDbJZYs.1ppzSof6SPy"))
        #expect(BCrypt.verify(password: bytes("xVQVbwa1S0M8r"),
                              hash: "$2b$04$SQe9knOzepOVKoYXo9xTteNYr6MBwVz4tpriJVe3PNgYufGIsgKcW"))
        #expect(BCrypt.verify(password: bytes("abc"),
                              hash: "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi"))
        #expect(!BCrypt.verify(password: bytes("Kk4DQuMMfZL9O"),
                               hash: "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"))
        // One changed character in the stored hash.
        #expect(!BCrypt.verify(password: bytes("Kk4DQuMMfZL9o"),
                               hash: "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEn"))
    }

    @Test func bcryptRejectsMalformedAndForeignHashes() {
        #expect(!BCrypt.verify(password: bytes("x"), hash: ""))
        #expect(!BCrypt.verify(password: bytes("x"), hash: "$2b$04$short"))
        #expect(!BCrypt.verify(password: bytes("x"), hash: "garbage"))
        // A valid crypt(3) hash of another method (MD5-crypt of "x") is not accepted.
        #expect(!BCrypt.verify(password: bytes("x"), hash: "$1$abcdefgh$znAnv9M.XU2pRYfmSs46h/"))
        #expect(BCrypt.hash(password: bytes("x"), cost: 3) == nil)
        #expect(BCrypt.hash(password: bytes("x"), cost: 32) == nil)
        #expect(BCrypt.hash(password: [0x61, 0x00, 0x62], cost: 4) == nil)
        #expect(!BCrypt.verify(password: [0x61, 0x00, 0x62],
                               hash: "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"))
    }

    @Test func bcryptRoundTrip() throws {
        let password = bytes("correct horse battery staple ✓")
        let hash = try #require(BCrypt.hash(password: password, cost: 4))
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(hash.utf8.count == 60)
        #expect(BCrypt.verify(password: password, hash: hash))
        #expect(!BCrypt.verify(password: bytes("correct horse battery staple"), hash: hash))
        let again = try #require(BCrypt.hash(password: password, cost: 4))
        #expect(again != hash) // fresh salt each time
        #expect(BCrypt.verify(password: password, hash: again))
        let empty = try #require(BCrypt.hash(password: [], cost: 4))
        #expect(BCrypt.verify(password: [], hash: empty))
        #expect(!BCrypt.verify(password: bytes("a"), hash: empty))
    }
}
