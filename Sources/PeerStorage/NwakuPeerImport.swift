import Foundation
import GRDB
import PeerCore
import PeerIdentity

/// Reads an nwaku `peers.db` (`Peer(peerId BLOB PRIMARY KEY, storedInfo BLOB)`), so an nwaku
/// operator keeps its peers when switching to peerd.
///
/// `storedInfo` is libp2p minprotobuf: 1 peer id, 2 multiaddrs, 3 protocols, 4 public key
/// (`{1: type, 2: data}`), 5 connectedness ordinal, 6 disconnect time (Unix seconds), 7 ENR
/// RLP. An undecodable row is reported and skipped (nwaku aborts its whole load on one).
public enum NwakuPeerImport {
    /// What an import found.
    public struct Result: Sendable {
        public var peers: [PeerRecord]
        public var skipped: Int
        /// The first few reasons, for the log.
        public var skippedReasons: [String]
    }

    /// Reads every row of the nwaku file at `path` (opened read-only; the file is not changed).
    public static func read(path: String) throws(PeerStorageError) -> Result {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw PeerStorageError(.importFailed, path: path, reason: "no readable file")
        }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            return try queue.read { db in
                var result = Result(peers: [], skipped: 0, skippedReasons: [])
                let rows = try Row.fetchCursor(db, sql: "SELECT peerId, storedInfo FROM Peer")
                while let row = try rows.next() {
                    do {
                        guard let info = row[1] as Data? else { throw RowDecodingError("storedInfo is NULL") }
                        result.peers.append(try decode(storedInfo: [UInt8](info)))
                    } catch {
                        result.skipped += 1
                        if result.skippedReasons.count < 5 { result.skippedReasons.append("\(error)") }
                    }
                }
                return result
            }
        } catch let error as DatabaseError {
            throw PeerStorageError(.importFailed, path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw PeerStorageError(.importFailed, path: path, reason: "\(error)")
        }
    }

    /// One `storedInfo` as a record, with nwaku's load rules: connectedness reset (CannotConnect
    /// kept), origin Cache (nwaku does not store it), the disconnect time kept. A public key that
    /// is not the peer's own is dropped: it would be served as the peer's key (identify brings
    /// the real one back).
    public static func decode(storedInfo bytes: [UInt8]) throws(RowDecodingError) -> PeerRecord {
        try withBytes(bytes) { (buffer) throws(RowDecodingError) in try decode(storedInfo: buffer) }
    }

    static func decode(storedInfo bytes: UnsafeRawBufferPointer) throws(RowDecodingError) -> PeerRecord {
        guard bytes.count <= PeerRow.maxBytes else { throw RowDecodingError("storedInfo of \(bytes.count) bytes") }
        var id: PeerID?
        var addresses: [Multiaddr] = []
        var protocols: [String] = []
        var key: [UInt8]?
        var connectedness = Connectedness.notConnected
        var disconnectTime: EngineTime?
        var enr: PeerENRInfo?
        var reader = ProtoReader(bytes)
        while let (field, value) = try reader.next() {
            switch field {
            case 1:
                do { id = try PeerID(validatingMultihash: try value.bytes(field)) } catch let error {
                    throw RowDecodingError("peer id: \(error)")
                }
            case 2:
                do { addresses.append(try Multiaddr(bytes: try value.bytes(field))) } catch let error {
                    throw RowDecodingError("multiaddr: \(error)")
                }
            case 3: protocols.append(try value.string(field))
            case 4: key = try value.bytes(field)
            case 5:
                let raw = try value.varint(field)
                guard let ordinal = UInt8(exactly: raw), let known = Connectedness(rawValue: ordinal) else {
                    throw RowDecodingError("connectedness \(raw)")
                }
                connectedness = known
            case 6:
                let seconds = try value.varint(field)
                // nwaku writes 0 for "never disconnected".
                if seconds > 0 { disconnectTime = .seconds(Int64(clamping: seconds)) }
            case 7:
                do {
                    let record = try ENR(rlp: try value.bytes(field))
                    enr = PeerENRInfo(
                        sequence: record.seq, text: record.description, relayShards: record.relayShards,
                        capabilities: record.waku2 ?? [])
                } catch let error {
                    throw RowDecodingError("ENR: \(error)")
                }
            default: continue
            }
        }
        guard let id else { throw RowDecodingError("no peer id (field 1)") }
        if let bytes = key, (try? LibP2PPublicKey(validating: bytes, of: id)) == nil { key = nil }
        return PeerRecord(
            id: id, addresses: addresses, protocols: protocols, publicKey: key, enr: enr, origin: .cache,
            connectedness: connectedness == .cannotConnect ? .cannotConnect : .notConnected,
            disconnectTime: disconnectTime)
    }
}
