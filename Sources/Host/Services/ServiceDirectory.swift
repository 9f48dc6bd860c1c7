import Synchronization

/// Named vtables plugins offer each other ("agents.v1"), so plugins compose through the
/// host instead of linking each other.
final class ServiceDirectory: Sendable {
    // @unchecked: a vtable is immutable static data of a library that is never unloaded.
    struct VTable: @unchecked Sendable {
        let provider: String
        let pointer: UnsafeRawPointer
    }

    private let entries = Mutex<[String: VTable]>([:])

    /// False when the name is already taken.
    func provide(_ name: String, _ vtable: VTable) -> Bool {
        entries.withLock { entries in
            guard entries[name] == nil else { return false }
            entries[name] = vtable
            return true
        }
    }

    func lookup(_ name: String) -> VTable? { entries.withLock { $0[name] } }
}
