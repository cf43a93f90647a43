import Foundation
import PeerWire

/// The service blocks of the contract's `*_service.proto` files, read from the text (a small
/// tokenizer, not protoc): the router-vs-contract test's second source of truth, independent of
/// the generator.
enum ContractFile {
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// Every rpc of every `*_service.proto` under `directory`.
    static func all(in directory: URL) throws -> Set<AnyMethodDescriptor> {
        guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            throw ParseError(description: "cannot list \(directory.path)")
        }
        var methods: Set<AnyMethodDescriptor> = []
        for case let file as URL in files where file.lastPathComponent.hasSuffix("_service.proto") {
            methods.formUnion(try parse(String(contentsOf: file, encoding: .utf8)))
        }
        return methods
    }

    /// The rpcs of one file: `package p;` then `service S { rpc M([stream] A) returns ([stream] B); }`.
    static func parse(_ text: String) throws -> [AnyMethodDescriptor] {
        var tokens = tokenize(text)[...]
        var package = ""
        var service: String?
        var methods: [AnyMethodDescriptor] = []
        func next() throws -> String {
            guard let token = tokens.popFirst() else { throw ParseError(description: "unexpected end of file") }
            return token
        }
        func expect(_ wanted: String) throws {
            let token = try next()
            guard token == wanted else { throw ParseError(description: "expected \(wanted), found \(token)") }
        }
        func qualified(_ name: String) -> String {
            name.hasPrefix(".") ? String(name.dropFirst()) : name.contains(".") ? name : "\(package).\(name)"
        }
        /// `( [stream] Type )`: the type and whether it streams.
        func argument() throws -> (String, Bool) {
            try expect("(")
            var name = try next()
            let streaming = name == "stream"
            if streaming { name = try next() }
            try expect(")")
            return (qualified(name), streaming)
        }
        func skipBlock() throws {
            try expect("{")
            var depth = 1
            while depth > 0 {
                switch try next() {
                case "{": depth += 1
                case "}": depth -= 1
                default: continue
                }
            }
        }
        while let token = tokens.popFirst() {
            switch token {
            case "package":
                package = try next()
            case "service":
                service = "\(package).\(try next())"
                try expect("{")
            case "rpc":
                guard let service else { throw ParseError(description: "rpc outside a service") }
                let name = try next()
                let (request, clientStreams) = try argument()
                try expect("returns")
                let (response, serverStreams) = try argument()
                if tokens.first == "{" { try skipBlock() }  // `{ option ...; }` after an rpc
                let kind: RPCKind =
                    switch (clientStreams, serverStreams) {
                    case (false, false): .unary
                    case (false, true): .serverStreaming
                    case (true, false): .clientStreaming
                    case (true, true): .bidirectionalStreaming
                    }
                methods.append(
                    AnyMethodDescriptor(
                        service: service, method: name, kind: kind, requestType: request, responseType: response))
            case "}":
                service = nil
            default:
                continue
            }
        }
        return methods
    }

    /// Words and the punctuation `{ } ( ) ;` as tokens; comments and string literals dropped.
    static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        func flush() {
            if !word.isEmpty { tokens.append(word) }
            word = ""
        }
        var characters = text[...]
        while let character = characters.popFirst() {
            if character == "/" && characters.first == "/" {
                flush()
                characters = characters.drop { $0 != "\n" }
            } else if character == "/" && characters.first == "*" {
                flush()
                if let end = characters.range(of: "*/") { characters = characters[end.upperBound...] } else { break }
            } else if character == "\"" {
                flush()
                characters = characters.drop { $0 != "\"" }.dropFirst()
            } else if "{}();=".contains(character) {
                flush()
                tokens.append(String(character))
            } else if character.isWhitespace {
                flush()
            } else {
                word.append(character)
            }
        }
        flush()
        return tokens
    }
}
