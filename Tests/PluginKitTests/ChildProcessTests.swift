import PluginABI
import Synchronization
import Testing
@testable import PluginKit

/// `PluginHost.spawn` against fake host tables: a host older than ABI 1.4 is refused without
/// its missing slot being read, and on a 1.4 host the request arrives as given and the C
/// callbacks reach the closures, which are let go after on_exit (or a refused spawn).
@Suite(.serialized) struct ChildProcessTests {
    struct Spawned: Sendable {
        var path = ""
        var arguments: [String] = []
        var environment: [String] = []
        var workingDirectory = ""
        var flags: UInt32 = 0
        var maxLineBytes: UInt64 = 0
        /// The spec's userdata as a bit pattern (a C pointer is not Sendable), and its callbacks.
        var userdata: UInt = 0
        var onStdout: (@convention(c) (UInt64, pattern_str, UnsafeMutableRawPointer?) -> Void)?
        var onDrain: (@convention(c) (UInt64, UnsafeMutableRawPointer?) -> Void)?
        var onExit: (@convention(c) (UInt64, Int32, Int32, UnsafeMutableRawPointer?) -> Void)?
    }

    static let spawned = Mutex(Spawned())

    private static func strings(_ list: UnsafePointer<pattern_str>?, _ count: Int) -> [String] {
        (0..<count).map { list![$0].string }
    }

    private static func processTable() -> pattern_process_api {
        var api = pattern_process_api()
        api.struct_size = UInt32(MemoryLayout<pattern_process_api>.size)
        api.spawn = { _, spec, out in
            let spec = spec!.pointee
            ChildProcessTests.spawned.withLock { spawned in
                spawned = Spawned(
                    path: spec.path.string, arguments: ChildProcessTests.strings(spec.argv, spec.argc),
                    environment: ChildProcessTests.strings(spec.env, spec.env_count), workingDirectory: spec.cwd.string,
                    flags: spec.flags, maxLineBytes: spec.max_line_bytes, userdata: UInt(bitPattern: spec.userdata),
                    onStdout: spec.on_stdout, onDrain: spec.on_drain, onExit: spec.on_exit)
            }
            if spec.path.string == "/busy" { return PATTERN_BUSY }
            out!.pointee = 42
            return PATTERN_OK
        }
        api.write = { id, bytes in id == 42 && bytes.len == 3 ? PATTERN_BUSY : PATTERN_NOT_FOUND }
        api.close_stdin = { _ in PATTERN_OK }
        api.signal = { _, _ in PATTERN_OK }
        api.terminate = { _, _ in PATTERN_OK }
        return api
    }

    private func withHost<R>(processSlot: Bool, _ body: (PluginHost) throws -> R) rethrows -> R {
        var processes = Self.processTable()
        return try withUnsafePointer(to: &processes) { api in
            var host = pattern_host_v1()
            host.struct_size = processSlot ? UInt32(MemoryLayout<pattern_host_v1>.size)
                : UInt32(MemoryLayout<pattern_host_v1>.offset(of: \.process)!)
            host.process = api
            return try withUnsafePointer(to: &host) { try body(PluginHost(table: $0, handle: OpaquePointer(bitPattern: 1)!)) }
        }
    }

    final class Witness: Sendable {}

    @Test func anOlderHostIsRefusedWithoutReadingTheSlot() {
        withHost(processSlot: false) { host in
            Self.spawned.withLock { $0 = Spawned() }
            #expect(!host.supportsProcesses)
            #expect(throws: PluginHost.ProcessError.unsupported) { try host.spawn("/usr/bin/true", arguments: ["true"]) }
            #expect(Self.spawned.withLock { $0.path }.isEmpty)
        }
    }

    @Test func theRequestArrivesAsGivenAndCallbacksComeBack() throws {
        let seen = Mutex<[String]>([])
        weak var released: Witness?
        try withHost(processSlot: true) { host in
            let witness = Witness()
            released = witness
            let child = try host.spawn(
                "/usr/bin/env", arguments: ["env", "-0"], environment: ["B": "2", "A": "one word"],
                workingDirectory: "/tmp", lines: true, maxLineBytes: 64,
                onOutput: { child, bytes in
                    _ = witness
                    seen.withLock { $0.append("out \(child.id) \(String(decoding: bytes, as: UTF8.self))") }
                },
                onExit: { child, exit in seen.withLock { $0.append("exit \(child.id) \(String(describing: exit.code)) \(String(describing: exit.signal))") } })
            #expect(child.id == 42)
            let spawned = Self.spawned.withLock { $0 }
            #expect(spawned.path == "/usr/bin/env" && spawned.arguments == ["env", "-0"])
            #expect(spawned.environment == ["A=one word", "B=2"] && spawned.workingDirectory == "/tmp")
            #expect(spawned.flags == UInt32(PATTERN_PROCESS_LINES) && spawned.maxLineBytes == 64)
            #expect(spawned.onStdout != nil && spawned.onDrain == nil)
            #expect(child.write(Array("abc".utf8)) == .busy)
            #expect(child.closeStdin() && child.terminate())

            let userdata = UnsafeMutableRawPointer(bitPattern: spawned.userdata)
            "line".withCString { spawned.onStdout?(42, pattern_str(ptr: $0, len: 4), userdata) }
            spawned.onExit?(42, -1, 9, userdata)
        }
        #expect(seen.withLock { $0 } == ["out 42 line", "exit 42 nil Optional(9)"])
        #expect(released == nil)
    }

    @Test func aRefusedSpawnLetsItsClosuresGo() {
        weak var released: Witness?
        withHost(processSlot: true) { host in
            let witness = Witness()
            released = witness
            #expect(throws: PluginHost.ProcessError.busy) {
                try host.spawn("/busy", arguments: ["x"], onExit: { _, _ in _ = witness })
            }
        }
        #expect(released == nil)
    }
}
