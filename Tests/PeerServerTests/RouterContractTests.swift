import Foundation
import Logging
import PeerCore
import PeerServer
import PeerWire
import TTRPCServer
import Testing

/// The router peerd serves against the contract: every method the service blocks declare is
/// served with its declared streaming kind, and nothing else is. Two sources of truth are checked:
/// the generated descriptors (`methods`), and the `*_service.proto` files themselves, so a method
/// added to the contract but not generated (scripts/gen-proto not run) fails too.
@Suite("Router against the contract")
struct RouterContractTests {
    /// One method as (service, method, kind) and, where known, its message types.
    struct Method: Hashable, CustomStringConvertible {
        var service: String
        var method: String
        var kind: RPCKind
        var description: String { "/\(service)/\(method) (\(kind))" }
    }

    static let generated: [AnyMethodDescriptor] =
        GrpcHealthV1.Health.methods + PeerManagerV1.Host.methods + PeerManagerV1.PeerManager.methods

    /// The router a real peerd serves: the sidecar as peerd builds it (not run).
    static func servedRouter() throws -> RPCRouter {
        let sidecar = try Sidecar(
            server: ServerConfiguration(socketPath: "/nonexistent/peerd.sock"), engine: EngineConfiguration(),
            version: "test",
            logger: Logger(label: "contract", factory: { _ in SwiftLogNoOpLogHandler() }))
        return sidecar.server.router
    }

    static func served(_ router: RPCRouter) -> Set<Method> {
        var methods: Set<Method> = []
        for (service, routes) in router.services {
            for (method, route) in routes { methods.insert(Method(service: service, method: method, kind: route.kind)) }
        }
        return methods
    }

    @Test("The router serves exactly the generated methods, with their kinds")
    func routerMatchesGenerated() throws {
        let served = Self.served(try Self.servedRouter())
        let declared = Set(Self.generated.map { Method(service: $0.service, method: $0.method, kind: $0.kind) })
        #expect(served.subtracting(declared).isEmpty, "served but not in the contract: \(served.subtracting(declared))")
        #expect(declared.subtracting(served).isEmpty, "in the contract but not served: \(declared.subtracting(served))")
        #expect(Self.generated.count == Set(Self.generated).count, "a method generated twice")
    }

    @Test("The generated descriptors are the contract's service blocks, message types included")
    func generatedMatchesProtoFiles() throws {
        let contract = try ContractFile.all(in: Self.protoDirectory)
        #expect(!contract.isEmpty)
        let generated = Set(Self.generated)
        #expect(
            contract.subtracting(generated).isEmpty,
            "declared in proto/ but not generated (run scripts/gen-proto): \(contract.subtracting(generated))")
        #expect(
            generated.subtracting(contract).isEmpty,
            "generated but not declared in proto/: \(generated.subtracting(contract))")
    }

    @Test("The served methods are the contract's service blocks")
    func routerMatchesProtoFiles() throws {
        let contract = try ContractFile.all(in: Self.protoDirectory)
        let declared = Set(contract.map { Method(service: $0.service, method: $0.method, kind: $0.kind) })
        #expect(Self.served(try Self.servedRouter()) == declared)
    }

    @Test(
        "A route's kind is its handler's variant, or the descriptor's",
        arguments: [
            (RPCHandler.inline { payload, _ in payload }, RPCKind.unary),
            (.unary { payload, _ in payload }, .unary),
            (.serverStreaming { _, _, _ in }, .serverStreaming),
            (.bidirectionalStreaming { _, _, _ in }, .bidirectionalStreaming),
        ])
    func routeKind(handler: RPCHandler, kind: RPCKind) throws {
        var router = RPCRouter()
        router.register(service: "t", method: "M", handler)
        guard case .found(let route) = router.lookup(service: "t", method: "M") else {
            Issue.record("t/M not registered")
            return
        }
        #expect(route.kind == kind)
        let descriptor = MethodDescriptor<PeerManagerV1.GetInfoRequest, PeerManagerV1.GetInfoResponse>(
            service: "t", method: "D", kind: kind)
        router.register(descriptor, handler)
        guard case .found(let described) = router.lookup(service: "t", method: "D") else {
            Issue.record("t/D not registered")
            return
        }
        #expect(described.kind == kind && described.fullMethod == "/t/D")
    }

    static var protoDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("proto")
    }
}
