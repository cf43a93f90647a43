import Foundation

/// The ENR vectors (`Tests/Vectors/enr_vectors.json`, a copy of the team's shared/vectors file).
struct ENRVectors: Decodable {
    struct Record: Decodable, Sendable {
        var enr: String
        var decoded: Decoded
    }

    struct Synthetic: Decodable, Sendable {
        var name: String
        var enr: String
        var expectValid: ExpectValid
        var decoded: Decoded

        enum CodingKeys: String, CodingKey {
            case name, enr, decoded
            case expectValid = "expect_valid"
        }
    }

    /// `true`, `false`, or `"depends"` (a high-S signature: valid ECDSA, refused by libsecp256k1).
    enum ExpectValid: Decodable, Sendable, Equatable {
        case yes, no, depends

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = flag ? .yes : .no
            } else {
                self = .depends
            }
        }
    }

    struct Decoded: Decodable, Sendable {
        var seq: UInt64?
        var signature: String?
        var nodeID: String?
        var peerID: String?
        var sizeBytes: Int?
        var sizeOK: Bool?
        var signatureHighS: Bool?
        var signatureValid: Bool?
        var keysSortedUnique: Bool?
        var contentKeccak: String?
        var fields: [String: JSONValue]?
        var dialMultiaddrs: [String]?
        var error: String?

        enum CodingKeys: String, CodingKey {
            case seq, signature, fields, error
            case nodeID = "node_id"
            case peerID = "peer_id"
            case sizeBytes = "size_bytes"
            case sizeOK = "size_ok"
            case signatureHighS = "signature_high_s"
            case signatureValid = "signature_valid"
            case keysSortedUnique = "keys_sorted_unique"
            case contentKeccak = "content_rlp_keccak256"
            case dialMultiaddrs = "dial_multiaddrs"
        }
    }

    enum JSONValue: Decodable, Sendable, Equatable {
        case string(String)
        case number(Int)
        case array([JSONValue])
        case object([String: JSONValue])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) {
                self = .number(value)
            } else if let value = try? container.decode(String.self) {
                self = .string(value)
            } else if let value = try? container.decode([JSONValue].self) {
                self = .array(value)
            } else {
                self = .object(try container.decode([String: JSONValue].self))
            }
        }

        var string: String? { if case .string(let value) = self { value } else { nil } }
        var number: Int? { if case .number(let value) = self { value } else { nil } }
        var strings: [String]? {
            if case .array(let values) = self { values.compactMap(\.string) } else { nil }
        }
        var numbers: [Int]? {
            if case .array(let values) = self { values.compactMap(\.number) } else { nil }
        }
        subscript(key: String) -> JSONValue? {
            if case .object(let values) = self { values[key] } else { nil }
        }
    }

    var records: [Record]
    var syntheticAndNegative: [Synthetic]

    enum CodingKeys: String, CodingKey {
        case records
        case syntheticAndNegative = "synthetic_and_negative"
    }

    /// `<repo root>/Tests/Vectors/enr_vectors.json`, the repo root being the first ancestor of this
    /// file holding Package.swift. It is a committed copy of the team's shared/vectors file, so a
    /// clone tests on its own, wherever it lies.
    static let url: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                break
            }
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("Tests/Vectors/enr_vectors.json")
    }()

    static var path: String { url.path }

    /// nil when the file is missing or malformed; ``ENRVectorTests`` fails on that.
    static let shared: ENRVectors? = {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(ENRVectors.self, from: data)
    }()
}
