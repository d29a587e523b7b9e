import CoreMetrics
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The process metrics every Prometheus client exports, under their usual names, read from
/// `/proc` at each scrape.
final class ProcessMetrics: Sendable {
    static let help: [String: String] = [
        "process_cpu_seconds_total": "User and system CPU time spent, in seconds.",
        "process_resident_memory_bytes": "Resident memory size, in bytes.",
        "process_virtual_memory_bytes": "Virtual memory size, in bytes.",
        "process_open_fds": "Open file descriptors.",
        "process_max_fds": "The most file descriptors the process may open.",
        "process_start_time_seconds": "When the process started, in seconds since the Unix epoch.",
        "process_threads": "Threads in the process.",
    ]

    private let cpuSeconds: FloatingPointCounter
    private let residentMemory: Gauge
    private let virtualMemory: Gauge
    private let openDescriptors: Gauge
    private let maxDescriptors: Gauge
    private let startTime: Gauge
    private let threads: Gauge
    /// The CPU seconds counted so far: the counter only goes up by the difference.
    private let countedCPUSeconds = Mutex(0.0)

    init(factory: any MetricsFactory) {
        self.cpuSeconds = FloatingPointCounter(label: "process_cpu_seconds_total", factory: factory)
        self.residentMemory = Gauge(label: "process_resident_memory_bytes", factory: factory)
        self.virtualMemory = Gauge(label: "process_virtual_memory_bytes", factory: factory)
        self.openDescriptors = Gauge(label: "process_open_fds", factory: factory)
        self.maxDescriptors = Gauge(label: "process_max_fds", factory: factory)
        self.startTime = Gauge(label: "process_start_time_seconds", factory: factory)
        self.threads = Gauge(label: "process_threads", factory: factory)
    }

    /// Reads `/proc` and records every process metric.
    func record() {
        if let stat = Self.statFields() {
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            let cpu = (Double(stat[14 - 3]) + Double(stat[15 - 3])) / ticks
            let increase = self.countedCPUSeconds.withLock { counted -> Double in
                defer { counted = max(counted, cpu) }
                return max(0, cpu - counted)
            }
            self.cpuSeconds.increment(by: increase)
            self.threads.record(stat[20 - 3])
            self.virtualMemory.record(stat[23 - 3])
            self.residentMemory.record(stat[24 - 3] * Int(sysconf(Int32(_SC_PAGESIZE))))
            if let bootTime = Self.bootTime() {
                self.startTime.record(Double(bootTime) + Double(stat[22 - 3]) / ticks)
            }
        }
        self.openDescriptors.record(Self.openDescriptorCount())
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            self.maxDescriptors.record(Int(clamping: limit.rlim_cur))
        }
    }

    /// The numeric fields of `/proc/self/stat` from the third (the state's place holds 0), so
    /// that field n (proc(5) numbering) is at n - 3.
    private static func statFields() -> [Int]? {
        guard let text = Self.read("/proc/self/stat"), let end = text.lastIndex(of: ")") else { return nil }
        // After the command name, which may hold spaces: "S ppid pgrp ..."
        let fields = text[text.index(after: end)...].split(separator: " ").map { Int($0) ?? 0 }
        return fields.count >= 22 ? fields : nil
    }

    /// When the system booted, in seconds since the epoch (`btime` in `/proc/stat`).
    private static func bootTime() -> Int? {
        guard let text = Self.read("/proc/stat") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Int(line.dropFirst("btime ".count))
        }
        return nil
    }

    /// The entries of `/proc/self/fd`, less the one that reading it opens.
    private static func openDescriptorCount() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return max(0, count - 1)
    }

    /// A small text file read whole; nil when it cannot be read.
    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
