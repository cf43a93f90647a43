import ArgumentParser
import Foundation

/// Prints JSON objects with sorted keys, so output is stable for scripts and diffs.
enum JSONOutput {
    static func print(_ object: [String: Any]) throws {
        Swift.print(try text(object))
    }

    /// The object as pretty-printed JSON with sorted keys, without a final newline.
    static func text(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// Prints one object on one line (streams: one event per line) and flushes at once.
    static func printLine(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// Prints `{"valid": false, "reason": ...}` and ends the command with exit status 1.
    static func invalid(reason: String, extra: [String: Any] = [:]) throws -> Never {
        var object = extra
        object["valid"] = false
        object["reason"] = reason
        try print(object)
        throw ExitCode.failure
    }
}
