import PluginABI

/// Secrets at rest (ABI 1.4) for Swift plugins: values the host seals under its key-encryption
/// key, kept as text in a TEXT column, and the callback that re-seals them when the key rotates.
///
/// ```swift
/// let secrets = try host.secrets                      // in setUp: refuses an older host
/// let stored = try secrets.seal(apiKey, associatedData: "providers:\(id):api_key")
/// let apiKey = try secrets.open(stored, associatedData: "providers:\(id):api_key")
/// try secrets.onRotate { try reSealEveryRow() }       // one transaction: open, seal, update
/// ```
extension PluginHost {
    /// The host's secrets table; throws `SecretsError.Kind.olderHost` on a host older than 1.4.
    public var secrets: Secrets {
        get throws(SecretsError) {
            guard let api = table.added(\.secrets), abiHasField(api.pointee.struct_size, \pattern_secrets_api.on_rotate)
            else { throw SecretsError(.olderHost, status: PATTERN_VERSION, hostMinor: table.raw.pointee.abi_minor) }
            return Secrets(api: SecretsTableReference(raw: api), handle: handle)
        }
    }
}

/// Sealing and opening through the host. Safe to keep and use from any thread.
public struct Secrets: Sendable {
    let api: SecretsTableReference
    let handle: PluginHandle

    /// `plaintext` sealed under the host's current key and bound to `associatedData` (what the
    /// value belongs to, e.g. its table, row id and column): ASCII text for a TEXT column.
    public func seal(_ plaintext: [UInt8], associatedData: String) throws(SecretsError) -> String {
        let table = api.raw.pointee
        let capacity = table.sealed_size(plaintext.count)
        guard capacity > 0 else { throw SecretsError(.tooLarge, status: PATTERN_INVALID) }
        let (status, sealed) = withABIBytes(plaintext) { plain in
            withABIString(associatedData) { associated in
                Self.output(capacity: capacity) { table.seal(plain, associated, $0, capacity, $1) }
            }
        }
        guard status == PATTERN_OK else {
            // The buffer is the size the host asked for: INVALID means associated data too long.
            throw status == PATTERN_INVALID ? SecretsError(.tooLarge, status: status) : SecretsError(status: status)
        }
        return String(decoding: sealed, as: UTF8.self)
    }

    public func seal(_ plaintext: String, associatedData: String) throws(SecretsError) -> String {
        try seal(Array(plaintext.utf8), associatedData: associatedData)
    }

    /// The plaintext of a value `seal` made with the same associated data.
    public func open(_ sealed: String, associatedData: String) throws(SecretsError) -> [UInt8] {
        let table = api.raw.pointee
        let capacity = sealed.utf8.count // always enough: a plaintext is shorter than its sealed text
        let (status, plaintext) = withABIString(sealed) { sealedText in
            withABIString(associatedData) { associated in
                Self.output(capacity: capacity) { table.open(sealedText, associated, $0, capacity, $1) }
            }
        }
        guard status == PATTERN_OK else { throw SecretsError(status: status) }
        return plaintext
    }

    /// Calls seal or open with an output buffer of `capacity` bytes: its status and what it wrote.
    private static func output(
        capacity: Int, _ call: (UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<Int>) -> pattern_status
    ) -> (pattern_status, [UInt8]) {
        var out = [UInt8](repeating: 0, count: capacity)
        var length = 0
        let status = out.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { call($0.baseAddress, &length) }
        }
        out.removeSubrange(min(length, capacity)...)
        return (status, out)
    }

    /// Registers the callback `pattern-server secrets rotate-key` runs to re-seal this plugin's
    /// values (call it from `setUp`): it should open and re-seal every row in one database
    /// transaction, and may run more than once. A thrown error stops the rotation with its
    /// description, keeping both keys until the command runs again.
    public func onRotate(_ reseal: @escaping @Sendable () throws -> Void) throws(SecretsError) {
        // Retained for the life of the process: the host may call it until exit.
        let box = Unmanaged.passRetained(ClosureBox(reseal)).toOpaque()
        let status = api.raw.pointee.on_rotate(handle.raw, { failure, userdata in
            let reseal = Unmanaged<ClosureBox<@Sendable () throws -> Void>>.fromOpaque(userdata!).takeUnretainedValue().value
            do {
                try reseal()
                return PATTERN_OK
            } catch {
                failure?.fill(String(describing: error))
                return PATTERN_INTERNAL
            }
        }, box)
        guard status == PATTERN_OK else {
            Unmanaged<ClosureBox<@Sendable () throws -> Void>>.fromOpaque(box).release()
            throw SecretsError(status: status)
        }
    }
}

// @unchecked: the host's secrets table is immutable and lives as long as the process.
struct SecretsTableReference: @unchecked Sendable {
    let raw: UnsafePointer<pattern_secrets_api>
}

/// Why a secret was not sealed or opened. It never carries the secret.
public struct SecretsError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The host is older than ABI 1.4 and has no secrets table.
        case olderHost
        /// Longer than PATTERN_SECRET_MAX_BYTES.
        case tooLarge
        /// Not a sealed value, or changed, truncated or bound to other associated data.
        case doesNotOpen
        /// Sealed under a key (or in a format) this host does not hold.
        case unknownKey
        /// Anything else: the host's status says what.
        case failed
    }

    public let kind: Kind
    public let status: Int32
    let hostMinor: UInt16

    init(_ kind: Kind, status: Int32, hostMinor: UInt16 = 0) {
        self.kind = kind
        self.status = status
        self.hostMinor = hostMinor
    }

    init(status: Int32) {
        switch status {
        case PATTERN_INVALID: self.init(.doesNotOpen, status: status)
        case PATTERN_VERSION: self.init(.unknownKey, status: status)
        default: self.init(.failed, status: status)
        }
    }

    public var description: String {
        switch kind {
        case .olderHost:
            "this host speaks plugin ABI 1.\(hostMinor), which has no secrets table (ABI 1.4): upgrade pattern-server"
        case .tooLarge: "a secret or its associated data is longer than \(PATTERN_SECRET_MAX_BYTES) bytes"
        case .doesNotOpen: "the sealed value does not open: it was changed, or belongs to other associated data"
        case .unknownKey:
            "the sealed value is under a key-encryption key this host does not hold (restore the key it was sealed with)"
        case .failed: "the host's secrets call failed (status \(status))"
        }
    }
}
