import Foundation
import Testing

/// The engine owner speaks the engine's language (issue 10): no file under
/// Sources/PeerServer/Engine names a wire type or a status, so wire conversion cannot creep
/// back under the engine lock. Wire work lives in Services/ (and Services/Wire/).
@Suite("Engine owner boundary")
struct EngineBoundaryTests {
    static let engineDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/PeerServer/Engine")

    @Test("no wire type, wire import or status code in Sources/PeerServer/Engine")
    func noWireTypes() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.engineDirectory.path)
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count >= 10)
        for file in files {
            let text = try String(contentsOf: Self.engineDirectory.appendingPathComponent(file), encoding: .utf8)
            for forbidden in ["import PeerWire", "import TTRPCServer", "PeerManagerV1.", "RPCError", "StatusCode"] {
                #expect(!text.contains(forbidden), "\(file) contains \(forbidden)")
            }
        }
    }
}
