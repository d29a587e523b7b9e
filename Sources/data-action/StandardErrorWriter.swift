import FastCGI
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Standard error, where every log line and startup problem goes: written at once, or, while the service serves,
/// gathered for a few milliseconds and written together by a thread of its own.
///
/// Every worker writes one line per call. Written at once, each line is a system call on one
/// file (or journal socket) that the kernel serialises, and a worker waits for it; gathered, a
/// worker copies its line under a lock and goes on, and the lines of a few milliseconds leave in
/// one write (bench/ANALYSIS.md, "The log line, gathered"). A line is always written whole and in
/// the order it was given. While gathering, lines wait at most ``gatherLimit`` bytes: past it
/// (standard error blocked), lines are counted and dropped rather than block a request, and the
/// count is logged when standard error takes lines again.
final class StandardErrorWriter: @unchecked Sendable {
    // Sendable: `pending`, `gathering`, `writerStarted` and `dropped` are only touched while `state` is held;
    // `spare` only while `writing` is held.

    static let shared = StandardErrorWriter()

    /// The most bytes that wait to be written.
    static let gatherLimit = 1 << 20

    private let state = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let linesWaiting = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Held while a batch is taken and written, so batches leave in order.
    private let writing = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var pending: [UInt8] = []
    private var spare: [UInt8] = []
    private var gathering = false
    private var writerStarted = false
    private var dropped = 0

    private init() {
        // Made once at startup; a mutex or condition that cannot be made stops it.
        precondition(pthread_mutex_init(self.state, nil) == 0, "pthread_mutex_init failed")
        precondition(pthread_mutex_init(self.writing, nil) == 0, "pthread_mutex_init failed")
        precondition(pthread_cond_init(self.linesWaiting, nil) == 0, "pthread_cond_init failed")
    }

    /// Writes whole lines (their newlines included): at once, or into the batch being gathered.
    func write(_ lines: UnsafeRawBufferPointer) {
        pthread_mutex_lock(self.state)
        guard self.gathering else {
            pthread_mutex_unlock(self.state)
            Self.writeAll(lines)
            return
        }
        let first = self.pending.isEmpty && self.dropped == 0
        if self.pending.count + lines.count <= Self.gatherLimit {
            self.pending.append(contentsOf: lines)
        } else {
            self.dropped += 1
        }
        pthread_mutex_unlock(self.state)
        if first { pthread_cond_signal(self.linesWaiting) }
    }

    /// From now on, lines are gathered for `delay` and written together by a thread of its own.
    func startGathering(delay: Duration) {
        pthread_mutex_lock(self.state)
        let started = self.writerStarted
        self.gathering = true
        self.writerStarted = true
        self.pending.reserveCapacity(64 << 10)
        pthread_mutex_unlock(self.state)
        guard !started else { return }
        let pause = timespec(tv_sec: Int(delay.components.seconds), tv_nsec: Int(delay.components.attoseconds / 1_000_000_000))
        DetachedThread.start(name: "log-writer", stackSize: 256 << 10) { [self] in
            while true {
                pthread_mutex_lock(self.state)
                while self.pending.isEmpty && self.dropped == 0 {
                    pthread_cond_wait(self.linesWaiting, self.state)
                }
                pthread_mutex_unlock(self.state)
                // Let the lines of the next few milliseconds join this batch.
                var left = pause
                var rest = timespec()
                while nanosleep(&left, &rest) != 0 && errno == EINTR { left = rest }
                self.writeGathered()
            }
        }
    }

    /// Writes what was gathered, now, and writes every later line at once: before the process ends.
    func stopGathering() {
        pthread_mutex_lock(self.state)
        self.gathering = false
        pthread_mutex_unlock(self.state)
        self.writeGathered()
    }

    /// Takes the gathered lines and writes them; logs how many were dropped after them.
    private func writeGathered() {
        pthread_mutex_lock(self.writing)
        defer { pthread_mutex_unlock(self.writing) }
        pthread_mutex_lock(self.state)
        swap(&self.pending, &self.spare)
        let dropped = self.dropped
        self.dropped = 0
        pthread_mutex_unlock(self.state)
        self.spare.withUnsafeBytes { Self.writeAll($0) }
        self.spare.removeAll(keepingCapacity: true)
        if dropped > 0 {
            // Gathered like any line, after the lines written before the drops.
            Logger(label: "data-action").warning(
                "log lines dropped: standard error took none for too long",
                metadata: ["dropped": "\(dropped)"]
            )
        }
    }

    /// One `write(2)` for the bytes when it takes them all, as it does for a pipe or a file.
    private static func writeAll(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(STDERR_FILENO, base + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return  // the journal is gone: drop the lines rather than stop
            }
        }
    }
}
