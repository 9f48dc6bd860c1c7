import PluginABI

/// The `secrets` sub-table (ABI 1.4): sealing and opening with the runtime's keyring, and the
/// registration of plugins' rotation callbacks. Results go to the caller's buffers.
extension HostTable {
    static func makeSecrets() -> pattern_secrets_api {
        var api = pattern_secrets_api()
        api.struct_size = ABIStruct.size(of: pattern_secrets_api.self)
        api.sealed_size = { count in count <= SecretKeyring.maxBytes ? SealedText.count(plaintextCount: count) : 0 }
        api.seal = { plaintext, associated, out, capacity, length in
            HostTable.seal(plaintext, associated, out, capacity, length)
        }
        api.open = { sealed, associated, out, capacity, length in HostTable.open(sealed, associated, out, capacity, length) }
        api.on_rotate = { handle, callback, userdata in
            guard let plugin = LoadedPlugin.from(handle), let callback, let runtime = HostTable.runtime else {
                return PATTERN_INVALID
            }
            return runtime.register { registrations in
                registrations.rotations.append(SecretRotation(plugin: plugin, callback: callback,
                                                              userdata: PluginUserdata(raw: userdata)))
                return PATTERN_OK
            }
        }
        return api
    }

    private static func seal(_ plaintext: pattern_str, _ associated: pattern_str, _ out: UnsafeMutablePointer<CChar>?,
                             _ capacity: Int, _ length: UnsafeMutablePointer<Int>?) -> pattern_status {
        guard let length else { return PATTERN_INVALID }
        length.pointee = 0
        guard plaintext.isWellFormed, associated.isWellFormed, out != nil || capacity == 0,
              plaintext.len <= SecretKeyring.maxBytes, associated.len <= SecretKeyring.maxBytes
        else { return PATTERN_INVALID }
        guard let runtime else { return PATTERN_INTERNAL } // unreachable: plugins run only after start
        let needed = SealedText.count(plaintextCount: plaintext.len)
        guard let out, capacity >= needed else {
            length.pointee = needed
            return PATTERN_INVALID
        }
        guard let sealed = runtime.keyring.seal(plaintext.bytes, associatedData: associated.bytes) else {
            runtime.logger.log(.error, "sealing a secret failed: the cipher reported an error")
            return PATTERN_INTERNAL
        }
        sealed.withUnsafeBytes { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        length.pointee = sealed.count
        return PATTERN_OK
    }

    private static func open(_ sealed: pattern_str, _ associated: pattern_str, _ out: UnsafeMutablePointer<CChar>?,
                             _ capacity: Int, _ length: UnsafeMutablePointer<Int>?) -> pattern_status {
        guard let length else { return PATTERN_INVALID }
        length.pointee = 0
        guard sealed.isWellFormed, associated.isWellFormed, out != nil || capacity == 0 else { return PATTERN_INVALID }
        guard let runtime else { return PATTERN_INTERNAL } // unreachable: plugins run only after start
        let target = UnsafeMutableRawBufferPointer(start: out, count: out == nil ? 0 : capacity)
        switch runtime.keyring.open(sealed.bytes, associatedData: associated.bytes, into: target) {
        case .success(let count):
            length.pointee = count
            return PATTERN_OK
        case .failure(.bufferTooSmall(let needed)):
            length.pointee = needed
            return PATTERN_INVALID
        case .failure(.invalid):
            return PATTERN_INVALID
        case .failure(.unknownKey):
            return PATTERN_VERSION
        }
    }
}

extension pattern_str {
    /// False for a NULL pointer with a length: the ABI allows NULL only for empty strings.
    var isWellFormed: Bool { ptr != nil || len == 0 }
}
