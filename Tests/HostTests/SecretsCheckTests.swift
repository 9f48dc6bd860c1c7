import Foundation
import Testing
@testable import Host

/// The database's record of its key: written on first start, matched by the same key or by a
/// rotation's pair, refused for any other key; plugins cannot write it.
@Suite struct SecretsCheckTests {
    @Test func recordsTheFirstKeyAndRefusesAnother() throws {
        let directory = NSTemporaryDirectory() + "pattern-secrets-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try Database(path: directory + "/pattern.db", readers: 1, busyTimeoutMilliseconds: 1000)
        defer { database.close() }
        let first = KeyEncryptionKey.generate(), second = KeyEncryptionKey.generate()

        #expect(try SecretsCheck.recordedKeyID(in: database) == nil)
        #expect(try SecretsCheck.confirm(SecretKeyring(sealing: first), in: database) == .recorded)
        #expect(try SecretsCheck.recordedKeyID(in: database) == first.id)
        #expect(try SecretsCheck.confirm(SecretKeyring(sealing: first), in: database) == .matches)
        #expect(try SecretsCheck.confirm(SecretKeyring(sealing: second), in: database)
                == .mismatch(recordedKeyID: first.id))

        let rotating = SecretKeyring(sealing: second, alsoOpening: [first])
        #expect(try SecretsCheck.confirm(rotating, in: database) == .matches)
        try SecretsCheck.record(rotating, in: database)
        #expect(try SecretsCheck.recordedKeyID(in: database) == second.id)
        #expect(try SecretsCheck.confirm(SecretKeyring(sealing: first), in: database)
                == .mismatch(recordedKeyID: second.id))

        // A plugin's statement cannot rewrite the record.
        #expect(throws: DatabaseError.self) { try database.execute("DELETE FROM _pattern_secrets", []) }
        #expect(try SecretsCheck.recordedKeyID(in: database) == second.id)
    }
}
