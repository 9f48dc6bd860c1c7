import Glibc

/// The standard `process_*` metrics, read from Linux's /proc at scrape time. What cannot be
/// read is left out rather than reported as 0.
enum ProcessMetrics {
    static let familyNames: Set<String> = ["process_cpu_seconds_total", "process_start_time_seconds",
                                           "process_virtual_memory_bytes", "process_resident_memory_bytes",
                                           "process_open_fds", "process_max_fds"]

    static func render(into text: inout PrometheusText) {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = statFields(), stat.count > 21, ticks > 0 {
            if let user = Double(stat[11]), let system = Double(stat[12]) {
                text.family("process_cpu_seconds_total", .counter, help: "Total user and system CPU time spent in seconds.")
                text.sample("process_cpu_seconds_total", [], (user + system) / ticks)
            }
            if let started = Double(stat[19]), let boot = bootTime() {
                text.family("process_start_time_seconds", .gauge,
                            help: "Start time of the process since unix epoch in seconds.")
                text.sample("process_start_time_seconds", [], boot + started / ticks)
            }
            if let virtual = Double(stat[20]) {
                text.family("process_virtual_memory_bytes", .gauge, help: "Virtual memory size in bytes.")
                text.sample("process_virtual_memory_bytes", [], virtual)
            }
            if let resident = Double(stat[21]) {
                text.family("process_resident_memory_bytes", .gauge, help: "Resident memory size in bytes.")
                text.sample("process_resident_memory_bytes", [], resident * pageSize)
            }
        }
        if let open = openDescriptors() {
            text.family("process_open_fds", .gauge, help: "Number of open file descriptors.")
            text.sample("process_open_fds", [], Double(open))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            text.family("process_max_fds", .gauge, help: "Maximum number of open file descriptors.")
            text.sample("process_max_fds", [], limit.rlim_cur == rlim_t.max ? Double.infinity : Double(limit.rlim_cur))
        }
    }

    /// /proc/self/stat after the command name's closing parenthesis: element 0 is field 3.
    private static func statFields() -> [Substring]? {
        guard let stat = readFile("/proc/self/stat"), let end = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: end)...].split(separator: " ")
    }

    private static func bootTime() -> Double? {
        guard let stat = readFile("/proc/stat") else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return line.split(separator: " ").dropFirst().first.flatMap { Double($0) }
        }
        return nil
    }

    private static func openDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in name[0] == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return count - 1  // the directory stream's own descriptor
    }

    /// Reads a whole (small, /proc) file; their sizes read as 0, so read until EOF.
    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
