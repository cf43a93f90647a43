import Logging
import PeerMetrics
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("MetricsServer", .serialized)
struct MetricsServerTests {
    @Test("Serves /metrics over TCP, 404 elsewhere, 405 for other methods, refreshes before each scrape")
    func servesMetrics() async throws {
        let metrics = PeerMetrics()
        metrics.recordCall(method: "/s/M", code: "OK", duration: .microseconds(30))
        let refreshes = Mutex(0)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = MetricsServer(
            host: "127.0.0.1", port: 0, metrics: metrics, logger: logger,
            refresh: {
                refreshes.withLock { $0 += 1 }
                metrics.setHostAttached(true)
            },
            onBound: { continuation.yield($0) })
        let group = ServiceGroup(services: [server], logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            #expect(port > 0)

            let ok = try httpExchange(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(ok.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(ok.lowercased().contains("content-type: text/plain; version=0.0.4"))
            #expect(ok.contains(#"peerd_rpc_calls_total{method="/s/M",code="OK"} 1"#))
            #expect(ok.contains("peerd_host_attached 1.0"))
            #expect(refreshes.withLock { $0 } == 1)

            let notFound = try httpExchange(port: port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(notFound.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
            let notAllowed = try httpExchange(
                port: port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            #expect(notAllowed.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
            #expect(refreshes.withLock { $0 } == 1)

            // Keep-alive: two scrapes on one connection.
            let twice = try httpExchange(
                port: port,
                "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            #expect(twice.ranges(of: "HTTP/1.1 200 OK").count == 2)
            #expect(refreshes.withLock { $0 } == 3)

            // An idle keep-alive connection is closed at shutdown.
            let idle = try connectedSocket(port: port)
            defer { close(idle) }
            try await Task.sleep(for: .milliseconds(50))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            var byte: UInt8 = 0
            let received = recv(idle, &byte, 1, 0)
            let timedOut = received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
            #expect(received <= 0 && !timedOut, "the idle connection stayed open")
        }
    }
}

extension MetricsServerTests {
    @Test("A port in use is a MetricsServerError")
    func portInUse() async throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let first = MetricsServer(
            host: "127.0.0.1", port: 0, metrics: PeerMetrics(), logger: logger, refresh: {},
            onBound: { continuation.yield($0) })
        let group = ServiceGroup(services: [first], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let second = MetricsServer(
                host: "127.0.0.1", port: port, metrics: PeerMetrics(), logger: logger, refresh: {})
            await #expect(throws: MetricsServerError.self) { try await second.run() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

extension MetricsServerTests {
    /// Issue 8, finding 16: the connection stayed open after a 400. Every refusal now ends it;
    /// each request here asks for keep-alive (HTTP/1.1, no `Connection: close`).
    @Test(
        "After 400 (malformed, oversized head), 404 and 405 the server closes the connection",
        arguments: [
            ("BLAH\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"),
            (
                "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 200_000))\r\n\r\n",
                "HTTP/1.1 400"
            ),
            ("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found\r\n"),
            ("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 405 Method Not Allowed\r\n"),
        ])
    func errorsClose(request: String, status: String) async throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = MetricsServer(
            host: "127.0.0.1", port: 0, metrics: PeerMetrics(), logger: logger, refresh: {},
            onBound: { continuation.yield($0) })
        let group = ServiceGroup(services: [server], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let (response, closed) = try exchangeUntilClosed(port: port, request)
            #expect(closed, "the connection stayed open after: \(response.prefix(80))")
            #expect(response.hasPrefix(status), "\(response.prefix(80))")
            // Nothing pipelined behind the refusal was answered.
            #expect(response.ranges(of: "HTTP/1.1 ").count == 1)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// Sends `request` and reads until the server closes (EOF or reset: a server that closes with
/// unread bytes resets) or 5 s pass; returns what was read and whether the server closed.
func exchangeUntilClosed(port: Int, _ request: String) throws -> (response: String, closed: Bool) {
    let fd = try connectedSocket(port: port)
    defer { close(fd) }
    let bytes = Array(request.utf8)
    var offset = 0
    while offset < bytes.count {
        let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if sent <= 0 { break }  // the server closed while the request was still going out
        offset += sent
    }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = recv(fd, &chunk, chunk.count, 0)
        if count > 0 {
            response += chunk[0..<count]
            continue
        }
        let closed = count == 0 || errno == ECONNRESET
        return (String(decoding: response, as: UTF8.self), closed)
    }
}

struct SocketError: Error, CustomStringConvertible {
    var description: String
}

/// Sends `request` to 127.0.0.1:`port` over a plain TCP socket and reads until the server closes.
func httpExchange(port: Int, _ request: String) throws -> String {
    let fd = try connectedSocket(port: port)
    defer { close(fd) }
    let bytes = Array(request.utf8)
    guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw SocketError(description: "send: \(errno)") }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = recv(fd, &chunk, chunk.count, 0)
        if count < 0 { throw SocketError(description: "recv: \(errno)") }
        if count == 0 { break }
        response += chunk[0..<count]
    }
    return String(decoding: response, as: UTF8.self)
}

/// A TCP socket connected to 127.0.0.1:`port`, with a 5 s receive timeout.
func connectedSocket(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SocketError(description: "socket: \(errno)") }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        close(fd)
        throw SocketError(description: "connect: \(errno)")
    }
    return fd
}
