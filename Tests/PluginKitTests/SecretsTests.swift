import PluginABI
import Testing
@testable import PluginKit

/// `host.secrets` over fake host tables: an older host is refused with words (its missing slot
/// never read), and the host's statuses become errors that say what went wrong.
@Suite struct SecretsTests {
    private static func host(_ table: UnsafeMutablePointer<pattern_host_v1>) -> PluginHost {
        PluginHost(table: table, handle: OpaquePointer(bitPattern: 1)!)
    }

    @Test func anOlderHostIsRefusedWithAClearError() {
        var table = pattern_host_v1()
        table.struct_size = UInt32(MemoryLayout<pattern_host_v1>.offset(of: \.secrets)!)
        table.abi_minor = 3
        table.secrets = UnsafePointer(bitPattern: 0xdead) // past struct_size: must never be read
        _ = withUnsafeMutablePointer(to: &table) { table in
            #expect {
                _ = try Self.host(table).secrets
            } throws: { error in
                guard let error = error as? SecretsError else { return false }
                return error.kind == .olderHost && "\(error)".contains("ABI 1.3") && "\(error)".contains("1.4")
            }
        }
    }

    /// A host whose seal writes "pk1.sealed:<plaintext>" and whose open refuses other associated data.
    private static func fakeSecrets() -> pattern_secrets_api {
        var api = pattern_secrets_api()
        api.struct_size = UInt32(MemoryLayout<pattern_secrets_api>.size)
        api.sealed_size = { count in count > 8 ? 0 : count + 11 }
        api.seal = { plaintext, _, out, capacity, length in
            let text = Array("pk1.sealed:".utf8) + plaintext.byteArray
            guard capacity >= text.count else { return PATTERN_INVALID }
            for (index, byte) in text.enumerated() { out![index] = CChar(bitPattern: byte) }
            length!.pointee = text.count
            return PATTERN_OK
        }
        api.open = { sealed, associated, out, capacity, length in
            let text = sealed.byteArray
            guard associated.string == "row-1" else { return PATTERN_INVALID }
            guard text.starts(with: Array("pk1.sealed:".utf8)) else { return PATTERN_VERSION }
            let plaintext = text.dropFirst(11)
            guard capacity >= plaintext.count else { return PATTERN_INVALID }
            for (index, byte) in plaintext.enumerated() { out![index] = CChar(bitPattern: byte) }
            length!.pointee = plaintext.count
            return PATTERN_OK
        }
        api.on_rotate = { _, _, _ in PATTERN_STATE }
        return api
    }

    @Test func sealsOpensAndNamesEachRefusal() throws {
        var api = Self.fakeSecrets()
        var table = pattern_host_v1()
        table.struct_size = UInt32(MemoryLayout<pattern_host_v1>.size)
        try withUnsafePointer(to: &api) { api in
            table.secrets = api
            try withUnsafeMutablePointer(to: &table) { table in
                let secrets = try Self.host(table).secrets
                let sealed = try secrets.seal("sk-12345", associatedData: "row-1")
                #expect(sealed == "pk1.sealed:sk-12345")
                #expect(try secrets.open(sealed, associatedData: "row-1") == Array("sk-12345".utf8))
                #expect(throws: SecretsError(.doesNotOpen, status: PATTERN_INVALID)) {
                    try secrets.open(sealed, associatedData: "row-2")
                }
                #expect(throws: SecretsError(.unknownKey, status: PATTERN_VERSION)) {
                    try secrets.open("pk9.other", associatedData: "row-1")
                }
                #expect(throws: SecretsError(.tooLarge, status: PATTERN_INVALID)) {
                    try secrets.seal("123456789", associatedData: "row-1")
                }
                #expect(throws: SecretsError(.failed, status: PATTERN_STATE)) { try secrets.onRotate {} }
            }
        }
    }
}
