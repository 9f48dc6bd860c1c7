import Foundation
import Glibc
import PatternCrypto

/// The key-encryption key's files in the data directory: `secrets.key`, the key in force, and
/// `secrets.key.next`, the key a rotation is moving to. Each holds 64 hex digits and a newline,
/// mode 0600, and is written whole or not at all: a temporary file, fsync, then a link or a
/// rename onto the name, then fsync of the directory.
struct KeyFiles: Sendable {
    let directory: String

    var current: String { directory + "/secrets.key" }
    var next: String { directory + "/secrets.key.next" }

    /// The key in `path`, or nil when there is no such file. A file others could read is made
    /// private first (and said so).
    func read(_ path: String, logger: Logger) throws(Server.StartError) -> KeyEncryptionKey? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Server.StartError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var status = stat()
        if fstat(fd, &status) == 0, status.st_mode & 0o077 != 0 {
            guard fchmod(fd, 0o600) == 0 else {
                throw Server.StartError(description: "\(path) is readable by others and cannot be made private: "
                                        + "run `chmod 600 \(path)` as its owner")
            }
            logger.log(.warn, "key file was readable by others; its mode is now 600", ["path": path])
        }
        var text = [UInt8](repeating: 0, count: KeyEncryptionKey.hexCount + 2)
        let count = Glibc.read(fd, &text, text.count)
        defer { Crypto.wipe(&text) }
        guard count >= 0 else { throw Server.StartError(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        var digits = text[..<count]
        if digits.last == UInt8(ascii: "\n") { digits.removeLast() }
        switch KeyEncryptionKey.parse(hex: String(decoding: digits, as: UTF8.self)) {
        case .success(let key): return key
        case .failure(let problem): throw Server.StartError(description: "\(path): \(problem)")
        }
    }

    /// Creates `path` holding `key` unless it exists; false when another process made it first.
    func create(_ key: KeyEncryptionKey, at path: String) throws(Server.StartError) -> Bool {
        let temporary = try writeTemporary(key, for: path)
        defer { unlink(temporary) }
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { return false }
            throw Server.StartError(description: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        try syncDirectory()
        return true
    }

    /// Writes `key` to `path`, replacing what is there in one step.
    func replace(_ path: String, with key: KeyEncryptionKey) throws(Server.StartError) {
        let temporary = try writeTemporary(key, for: path)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Server.StartError(description: "cannot write \(path): \(reason)")
        }
        try syncDirectory()
    }

    /// The last step of a rotation: the next key becomes the key in force.
    func promoteNext() throws(Server.StartError) {
        guard rename(next, current) == 0 else {
            throw Server.StartError(description: "cannot move \(next) to \(current): \(String(cString: strerror(errno)))")
        }
        try syncDirectory()
    }

    /// `<path>.tmp.<pid>`, 0600, holding the key's hex and a newline, fsynced.
    private func writeTemporary(_ key: KeyEncryptionKey, for path: String) throws(Server.StartError) -> String {
        let temporary = "\(path).tmp.\(getpid())"
        unlink(temporary) // a leftover of a crashed run of this pid
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw Server.StartError(description: "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var text = Array((key.hex + "\n").utf8)
        defer { Crypto.wipe(&text) }
        let written = write(fd, text, text.count)
        let synced = fsync(fd)
        let reason = String(cString: strerror(errno))
        close(fd)
        guard written == text.count, synced == 0 else {
            unlink(temporary)
            throw Server.StartError(description: "cannot write \(temporary): \(reason)")
        }
        return temporary
    }

    /// Makes a link or rename in the directory durable.
    private func syncDirectory() throws(Server.StartError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0, fsync(fd) == 0 else {
            if fd >= 0 { close(fd) }
            throw Server.StartError(description: "cannot sync \(directory): \(String(cString: strerror(errno)))")
        }
        close(fd)
    }
}
