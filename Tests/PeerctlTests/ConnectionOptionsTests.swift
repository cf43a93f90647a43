import Testing

@testable import peerctl

@Suite("peerctl socket path")
struct ConnectionOptionsTests {
    @Test(
        "--socket, else PEERD_SOCKET (unless empty), else peerd's default",
        arguments: [
            ("/a.sock", ["PEERD_SOCKET": "/b.sock"], "/a.sock"),
            (nil, ["PEERD_SOCKET": "/b.sock", "XDG_RUNTIME_DIR": "/run/user/1000"], "/b.sock"),
            (nil, ["PEERD_SOCKET": "", "XDG_RUNTIME_DIR": "/run/user/1000"], "/run/user/1000/peerd/peerd.sock"),
            (nil, [:], "/tmp/peerd-1000/peerd.sock"),
        ] as [(String?, [String: String], String)])
    func socketPath(flag: String?, environment: [String: String], expected: String) {
        #expect(ConnectionOptions.socketPath(flag: flag, environment: environment, uid: 1000) == expected)
    }
}
