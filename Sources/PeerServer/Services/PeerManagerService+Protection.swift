import PeerCore
import PeerIdentity
import PeerWire
import TTRPCServer

/// Protect: tags belong to the connection that set them.
extension PeerManagerService {
    /// Protects `peer` under `tag` for `connection`: when the connection closes, every tag it
    /// still holds is released (a client that dies between Protect and Unprotect cannot pin a
    /// peer). NOT_FOUND for a peer not in the store; INVALID_ARGUMENT for a tag over the length
    /// limit; RESOURCE_EXHAUSTED when the peer or the server holds as many tags as allowed.
    func protect(_ peer: PeerID, tag: String, connection: ClientConnection) throws {
        let owner = ProtectionOwner(connection.id)
        let refusal = runtime.perform { engine, _, _ in (engine.protect(peer, tag: tag, owner: owner), []) }
        if let refusal {
            let flag = refusal.limit.map { " (\($0.flag))" } ?? ""
            switch refusal {
            case .unknownPeer:
                throw PeerManagerError.notFound(peer, hint: "add it before protecting it")
            case .tagTooLong:
                throw PeerManagerError.invalid(field: "tag", reason: "\(refusal)\(flag)")
            case .tooManyTagsOnPeer, .tooManyTags:
                throw PeerManagerError.exhausted("cannot protect \(peer): \(refusal)\(flag)")
            }
        }
        // Registered after the tag is set: on a connection already closed it runs at once.
        let runtime = runtime
        connection.onClose("protection") {
            runtime.perform { engine, now, _ in ((), engine.releaseProtections(of: owner, now: now)) }
        }
    }
}
