import CShims
import Glibc

/// A program to run, checked and copied from a plugin's request: exactly this path, argv and
/// environment (bytes as given: no shell, no PATH lookup, nothing inherited from the host),
/// in this working directory (empty: the host's).
struct ProcessLaunch: Sendable {
    static let defaultMaxLineBytes = 1 << 20

    let path: [UInt8]
    let arguments: [[UInt8]]
    let environment: [[UInt8]]
    let workingDirectory: [UInt8]
    /// Stdout comes line by line, each at most `maxLineBytes` (a longer one kills the child).
    let lines: Bool
    let maxLineBytes: Int

    init(path: [UInt8], arguments: [[UInt8]], environment: [[UInt8]], workingDirectory: [UInt8] = [], lines: Bool,
         maxLineBytes: Int = ProcessLaunch.defaultMaxLineBytes) throws(SpawnError) {
        guard path.first == UInt8(ascii: "/"), !path.contains(0) else {
            throw .invalid("the path must be absolute (no PATH lookup), got \"\(String(decoding: path, as: UTF8.self))\"")
        }
        guard workingDirectory.isEmpty || (workingDirectory.first == UInt8(ascii: "/") && !workingDirectory.contains(0)) else {
            throw .invalid("the working directory must be absolute, got \"\(String(decoding: workingDirectory, as: UTF8.self))\"")
        }
        guard !arguments.isEmpty else { throw .invalid("argv needs at least argv[0]") }
        guard !arguments.contains(where: { $0.contains(0) }) else { throw .invalid("an argument contains a NUL byte") }
        for variable in environment {
            guard let equals = variable.firstIndex(of: UInt8(ascii: "=")), equals > 0, !variable.contains(0) else {
                throw .invalid("environment entries are NAME=value without NUL bytes")
            }
        }
        guard maxLineBytes > 0 else { throw .invalid("max_line_bytes must be positive") }
        self.path = path
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.lines = lines
        self.maxLineBytes = maxLineBytes
    }

    var displayPath: String { String(decoding: path, as: UTF8.self) }

    /// Starts the program (see `shim_spawn`) and returns its pid, pidfd and pipe ends.
    func start() throws(SpawnError) -> shim_child {
        let executable = (path + [0]).withUnsafeBufferPointer { shim_open_executable($0.baseAddress) }
        guard executable >= 0 else {
            let error = shim_errno()
            switch error {
            case ELOOP: throw .notFound("\(displayPath) is a symbolic link")
            case EACCES: throw .notFound("\(displayPath) is not an executable regular file")
            default: throw .notFound("\(displayPath): \(String(cString: strerror(error)))")
            }
        }
        defer { close(executable) }
        var directory: Int32 = -1
        if !workingDirectory.isEmpty {
            directory = (workingDirectory + [0]).withUnsafeBufferPointer { shim_open_directory($0.baseAddress) }
            guard directory >= 0 else {
                throw .notFound("working directory \(String(decoding: workingDirectory, as: UTF8.self)): "
                                + String(cString: strerror(shim_errno())))
            }
        }
        defer { if directory >= 0 { close(directory) } }
        var child = shim_child()
        let error = withCStrings([path]) { cPath in
            withCStrings(arguments) { argv in
                withCStrings(environment) { envp in shim_spawn(executable, cPath[0], directory, argv, envp, &child) }
            }
        }
        guard error == 0 else { throw .failed("\(displayPath): \(String(cString: strerror(error)))") }
        return child
    }
}

/// Calls `body` with a NULL-terminated array of C strings holding `strings`, valid for the call.
private func withCStrings<R>(_ strings: [[UInt8]], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let storage = UnsafeMutablePointer<CChar>.allocate(capacity: strings.reduce(1) { $0 + $1.count + 1 })
    defer { storage.deallocate() }
    var pointers: [UnsafeMutablePointer<CChar>?] = []
    pointers.reserveCapacity(strings.count + 1)
    var next = storage
    for string in strings {
        pointers.append(next)
        for byte in string {
            next.pointee = CChar(bitPattern: byte)
            next += 1
        }
        next.pointee = 0
        next += 1
    }
    pointers.append(nil)
    return body(pointers)
}
