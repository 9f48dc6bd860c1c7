import Glibc

/// An advisory lock (flock) on the data directory, held until the process exits: a server or
/// a one-off command holds it shared, `secrets rotate-key` exclusively, so a rotation never
/// runs beside a process that could still seal values under the old key.
enum DataDirectoryLock {
    static func acquire(_ directory: String, exclusive: Bool) throws(Server.StartError) {
        // Never closed: the descriptor is the lock, released when the process exits.
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw Server.StartError(description: "cannot open \(directory): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            close(fd)
            throw Server.StartError(description: exclusive
                ? "another pattern-server process is using \(directory): stop it before rotating the key "
                  + "(it could seal values under the old key meanwhile)"
                : "`pattern-server secrets rotate-key` is running on \(directory): start again when it has finished")
        }
    }
}
