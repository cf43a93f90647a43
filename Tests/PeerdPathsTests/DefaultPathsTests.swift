import PeerdPaths
import Testing

@Suite struct DefaultPathsTests {
    @Test(arguments: [
        (UInt32(0), ["XDG_RUNTIME_DIR": "/run/user/0"], "/run/peerd/peerd.sock"),
        (1000, ["XDG_RUNTIME_DIR": "/run/user/1000"], "/run/user/1000/peerd/peerd.sock"),
        // A relative XDG directory is ignored, as the XDG spec says.
        (1000, ["XDG_RUNTIME_DIR": "run/user"], "/tmp/peerd-1000/peerd.sock"),
        (1000, [:], "/tmp/peerd-1000/peerd.sock"),
    ])
    func socket(uid: UInt32, environment: [String: String], expected: String) {
        #expect(DefaultPaths.socket(uid: uid, environment: environment) == expected)
    }

    @Test(arguments: [
        (UInt32(0), ["XDG_STATE_HOME": "/x", "HOME": "/root"], "/var/lib/peerd/peers.db"),
        (1000, ["XDG_STATE_HOME": "/home/a/.state", "HOME": "/home/a"], "/home/a/.state/peerd/peers.db"),
        (1000, ["XDG_STATE_HOME": "rel", "HOME": "/home/a"], "/home/a/.local/state/peerd/peers.db"),
        (1000, ["HOME": "/home/a"], "/home/a/.local/state/peerd/peers.db"),
        (1000, [:], "/tmp/peerd-1000/peers.db"),
    ])
    func peerStore(uid: UInt32, environment: [String: String], expected: String) {
        #expect(DefaultPaths.peerStore(uid: uid, environment: environment) == expected)
    }
}
