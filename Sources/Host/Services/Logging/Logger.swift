import CShims
import Foundation
import PatternText
import Synchronization

/// Severity of a log line; the numbering matches PATTERN_LOG_* of the ABI.
public enum LogLevel: Int32, Sendable, Comparable, CustomStringConvertible {
    case debug = 0, info, warn, error

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
    public var description: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        }
    }
}

public enum LogFormat: String, Sendable { case logfmt, json }

/// Structured, buffered logging to stderr: one line per event, as logfmt or JSON lines.
///
/// Lines are appended to an in-memory buffer and written by a flusher thread a few times a
/// second (or at once when the buffer grows large), so the request path never makes a write
/// system call for its access-log line. `flush()` runs at shutdown.
public final class Logger: Sendable {
    public let level: LogLevel
    public let format: LogFormat
    private let pending = Mutex<[UInt8]>([])
    private let flushThreshold = 64 * 1024

    public init(level: LogLevel, format: LogFormat) {
        self.level = level
        self.format = format
        let flusher = Thread { [self] in
            while true {
                usleep(100_000)
                flush()
            }
        }
        flusher.name = "log-flusher"
        flusher.start()
    }

    @inline(__always) public func enabled(_ level: LogLevel) -> Bool { level >= self.level }

    /// Logs `message` with key/value fields. Values are quoted as the format needs.
    public func log(_ level: LogLevel, _ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        guard enabled(level) else { return }
        var line = LogLine(format: format)
        line.add("ts", Timestamp.rfc3339())
        line.add("level", level.description)
        line.add("msg", message)
        for (key, value) in fields { line.add(key, value) }
        append(line.finish())
    }

    /// Appends an already formatted line (used by the access log, which builds its own).
    func append(_ line: [UInt8]) {
        let overflow = pending.withLock { buffer -> Bool in
            buffer.append(contentsOf: line)
            return buffer.count >= flushThreshold
        }
        if overflow { flush() }
    }

    /// Writes out everything buffered so far.
    public func flush() {
        let bytes = pending.withLock { buffer -> [UInt8] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { shim_write_stderr($0.baseAddress, $0.count) }
        }
    }
}

/// Builds one log line in either format, escaping values so a line can never be split or
/// forged by what it quotes (request ids, paths and messages come from clients).
struct LogLine {
    let format: LogFormat
    private(set) var bytes: [UInt8] = []

    init(format: LogFormat) {
        self.format = format
        bytes.reserveCapacity(160)
        if format == .json { bytes.append(UInt8(ascii: "{")) }
    }

    mutating func add(_ key: String, _ value: String) {
        switch format {
        case .logfmt:
            if !bytes.isEmpty { bytes.append(UInt8(ascii: " ")) }
            bytes.append(contentsOf: key.utf8)
            bytes.append(UInt8(ascii: "="))
            if value.utf8.allSatisfy(Self.isBareLogfmtByte), !value.isEmpty {
                bytes.append(contentsOf: value.utf8)
            } else {
                JSONString.append(value, to: &bytes)
            }
        case .json:
            if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
            JSONString.append(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            JSONString.append(value, to: &bytes)
        }
    }

    mutating func finish() -> [UInt8] {
        if format == .json { bytes.append(UInt8(ascii: "}")) }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static func isBareLogfmtByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "=")
            && byte != UInt8(ascii: "\\")
    }
}
