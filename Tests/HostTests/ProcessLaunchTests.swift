import CShims
import Foundation
import Glibc
import Testing

@testable import Host

/// The checks on what a plugin asks to run, and starting it through the shim: exactly the
/// file, argv and environment given, stdio on pipes, a pidfd to reap it with.
@Suite struct ProcessLaunchTests {
    private func launch(_ path: String, _ arguments: [String], environment: [String] = [], in directory: String = "")
        throws(SpawnError) -> ProcessLaunch
    {
        try ProcessLaunch(path: Array(path.utf8), arguments: arguments.map { Array($0.utf8) },
                          environment: environment.map { Array($0.utf8) }, workingDirectory: Array(directory.utf8),
                          lines: false)
    }

    private func refusal(_ body: () throws(SpawnError) -> Void) -> SpawnError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test func malformedRequestsAreInvalid() {
        let cases: [(String, [String], [String], String)] = [
            ("cat", ["cat"], [], ""), ("bin/cat", ["cat"], [], ""), ("", ["x"], [], ""),
            ("/usr/bin/cat\0x", ["cat"], [], ""), ("/usr/bin/cat", [], [], ""), ("/usr/bin/cat", ["c\0at"], [], ""),
            ("/usr/bin/env", ["env"], ["NOEQUALS"], ""), ("/usr/bin/env", ["env"], ["=value"], ""),
            ("/usr/bin/pwd", ["pwd"], [], "tmp"), ("/usr/bin/pwd", ["pwd"], [], "/tmp\0x"),
        ]
        for (path, arguments, environment, directory) in cases {
            let error = refusal { () throws(SpawnError) in
                _ = try launch(path, arguments, environment: environment, in: directory)
            }
            guard case .invalid = error else {
                Issue.record("\(path) \(arguments) \(environment) \(directory): \(String(describing: error))")
                continue
            }
        }
    }

    @Test func onlyAnExecutableRegularFileThatIsNoLinkRuns() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("launch-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("cat").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/usr/bin/cat")
        let plain = directory.appendingPathComponent("plain").path
        _ = FileManager.default.createFile(atPath: plain, contents: Data("#!/usr/bin/dash\n".utf8))
        for (path, reason) in [(link, "is a symbolic link"), (plain, "is not an executable regular file"),
                               ("/usr/bin", "is not an executable regular file"),
                               (directory.path + "/missing", "No such file or directory")] {
            let error = refusal { () throws(SpawnError) in _ = try launch(path, ["x"]).start() }
            #expect(error == .notFound(reason.hasPrefix("No") ? "\(path): \(reason)" : "\(path) \(reason)"))
        }
    }

    @Test func startsExactlyWhatWasGiven() throws {
        let child = try launch("/usr/bin/env", ["env"], environment: ["A=1", "B=two words"]).start()
        defer { for fd in [child.pidfd, child.stdin_fd, child.stdout_fd, child.stderr_fd] { close(fd) } }
        var poll = pollfd(fd: child.pidfd, events: Int16(POLLIN), revents: 0)
        #expect(Glibc.poll(&poll, 1, 10_000) == 1)
        var output = [UInt8](repeating: 0, count: 256)
        let count = read(child.stdout_fd, &output, output.count)
        #expect(String(decoding: output.prefix(max(count, 0)), as: UTF8.self) == "A=1\nB=two words\n")
        var code: Int32 = -2
        var signal: Int32 = -2
        #expect(shim_reap(child.pidfd, &code, &signal) == 1)
        #expect(code == 0 && signal == 0)
        #expect(fcntl(child.stdout_fd, F_GETFL) & O_NONBLOCK != 0 && fcntl(child.stdout_fd, F_GETFD) & FD_CLOEXEC != 0)
    }
}
