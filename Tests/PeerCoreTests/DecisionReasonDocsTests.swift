import Foundation
import PeerCore
import PeerIdentity
import Testing

/// docs/protocol.md's reason table against the code: a host developer reads it to know what each
/// reason means, so it must list every reason, once, and mark exactly the disconnect reasons.
@Suite("The decision reason table in docs/protocol.md")
struct DecisionReasonDocsTests {
    /// The table's rows: reason, whether it is marked disconnect, and its meaning.
    static func rows() throws -> [(reason: String, disconnect: Bool, meaning: String)] {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/protocol.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- decision-reasons:begin -->"))
        let end = try #require(text.range(of: "<!-- decision-reasons:end -->"))
        let table = text[begin.upperBound..<end.lowerBound]
        return table.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 5, cells[1].hasPrefix("`") else { return nil }
            return (
                cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")), cells[2] == "disconnect", cells[3]
            )
        }
    }

    @Test("every reason is listed once, with a meaning, and nothing else is")
    func everyReason() throws {
        let rows = try Self.rows()
        let listed = rows.map(\.reason)
        #expect(Set(listed).count == listed.count, "listed twice: \(listed)")
        let code = Set(DecisionReason.allCases.map(\.rawValue))
        #expect(code.subtracting(listed).sorted() == [], "missing from docs/protocol.md")
        #expect(Set(listed).subtracting(code).sorted() == [], "not a reason in the code")
        #expect(rows.filter { $0.meaning.isEmpty }.map(\.reason) == [])
    }

    @Test("the disconnect column marks exactly the reasons the engine disconnects with")
    func disconnectColumn() throws {
        let marked = Set(try Self.rows().filter(\.disconnect).map(\.reason))
        #expect(marked == Set(DecisionReason.disconnectReasons.map(\.rawValue)))
    }

    @Test("the disconnects the engine issues carry a listed disconnect reason")
    func issuedReasons() throws {
        var reasons: [DecisionReason] = []
        func collect(_ actions: [EngineAction]) {
            for command in actions.commands {
                if case .disconnect(_, let reason) = command.command { reasons.append(reason) }
            }
        }
        // The inbound relay cap, the colocation limit, a metadata verdict and a request.
        var engine = try engine {
            $0.colocationLimit = 1
            $0.clusterID = 1
        }
        _ = engine.hostAttached(selfID: me, clusterID: 1, shards: [0], online: true, now: at(0))
        for n in 1...21 {  // the inbound relay target is 20
            collect(engine.open(n))
            collect(engine.identifyRelay(n))
        }
        collect(engine.open(40, ip: "10.9.9.9"))
        collect(engine.open(41, ip: "10.9.9.9"))
        collect(engine.handle(.metadata(peer: peer(40), .received(clusterID: 2, shards: [0])), now: at(1)))
        engine.open(50, direction: .outbound)
        collect(engine.disconnect(peer(50), now: at(1)))
        #expect(
            Set(reasons) == [.inboundRelayLimit, .colocationLimit, .metadataClusterMismatch, .disconnectRequested],
            "\(reasons)")
        #expect(Set(reasons).isSubset(of: DecisionReason.disconnectReasons), "\(reasons)")
    }
}
