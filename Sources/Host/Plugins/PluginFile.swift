import Glibc
import PluginABI

/// A plugin library that has been opened and whose descriptor has been read and checked,
/// but not started: what `pattern-server plugins` lists.
struct PluginFile: Sendable {
    let path: String
    let name: String
    let version: String
    let description: String
    let requires: [String]
    let abiMajor: UInt16
    let abiMinor: UInt16
    let descriptor: DescriptorPointer

    var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }
    var label: String { "\(fileName) (\(name) \(version))" }
}

/// The static descriptor a plugin returned from its entry point.
// @unchecked: the descriptor is immutable, static data of a library that is never unloaded.
struct DescriptorPointer: @unchecked Sendable {
    let raw: UnsafePointer<pattern_plugin_descriptor>

    /// `field` when the plugin's descriptor is large enough to contain it, else nil: older
    /// plugins' descriptors end earlier (struct_size rule of the ABI).
    func field<T>(_ keyPath: KeyPath<pattern_plugin_descriptor, T>) -> T? {
        ABIStruct.field(raw, keyPath)
    }
}

/// Reading structs whose `struct_size` (their first field) may be smaller than this host's
/// definition: a field beyond it was not in the plugin's header and is treated as absent.
enum ABIStruct {
    static func field<S, T>(_ pointer: UnsafePointer<S>, _ keyPath: KeyPath<S, T>) -> T? {
        let raw = UnsafeRawPointer(pointer)
        let size = Int(raw.load(as: UInt32.self))
        guard let offset = MemoryLayout<S>.offset(of: keyPath), offset + MemoryLayout<T>.size <= size else {
            return nil
        }
        return raw.load(fromByteOffset: offset, as: T.self)
    }

    /// The size to put in `struct_size` of a struct this host fills in.
    static func size<S>(of _: S.Type) -> UInt32 { UInt32(MemoryLayout<S>.size) }

    /// Copies `value` into a caller's struct, only as far as the caller's `struct_size` says it
    /// has room for (a plugin built against an older minor has a shorter struct); the caller's
    /// `struct_size` itself is left as it is.
    static func fill<S>(_ out: UnsafeMutablePointer<S>, with value: S) {
        let header = MemoryLayout<UInt32>.size
        let room = min(Int(UnsafeRawPointer(out).load(as: UInt32.self)), MemoryLayout<S>.size)
        guard room > header else { return }
        withUnsafeBytes(of: value) { bytes in
            UnsafeMutableRawPointer(out).advanced(by: header).copyMemory(
                from: bytes.baseAddress!.advanced(by: header), byteCount: room - header)
        }
    }
}
