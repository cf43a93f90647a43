import NIOCore

/// Runs tasks on the connection's event loop (`withTaskExecutorPreference(connection.taskExecutor)`):
/// a call then starts, and its reply resumes it, on the thread that does the connection's I/O,
/// with no hop to the concurrency pool and back (two thread wake-ups per call, most of what the
/// client adds to a round trip on a busy core).
///
/// Opt-in, for callers that make many small calls: code running with this preference runs on
/// the event loop, so it must not block (no blocking I/O, no long computation) or every call on
/// the connection waits.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    public let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
