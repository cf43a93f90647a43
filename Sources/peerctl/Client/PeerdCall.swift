import ArgumentParser
import Foundation
import PeerClient
import PeerWire

/// Connects to peerd through PeerClient, runs `body` with the client and closes the connection.
/// Every failure becomes one line on stderr and exit status 1: a call's status as
/// `peerctl: CODE: message` (a peerd that cannot be reached is UNAVAILABLE, with a hint).
func withPeerd<Result: Sendable>(
    _ options: ConnectionOptions, _ body: (PeerdClient) async throws -> Result
) async throws -> Result {
    do {
        return try await withPeerdClient(socketPath: options.socketPath) { try await body($0) }
    } catch let error as PeerdClientError {
        let hint = error.code == .unavailable ? " (is peerd running? see --socket and PEERD_SOCKET)" : ""
        // peerd's message may quote what a client sent: one line, no escape sequences.
        throw fail("\(error.code): \(HumanText.printable(error.message))\(hint)")
    } catch let error as ExitCode {
        throw error
    } catch {
        // Anything else (a reply that does not decode, say) in the same one-line form.
        throw fail(HumanText.printable("\(error)"))
    }
}

/// Writes `peerctl: message` to stderr and returns the exit status to throw (1).
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("peerctl: \(message)\n".utf8))
    return ExitCode.failure
}

extension CallOptions {
    /// A unary call's deadline: peerd answers queries and changes at once (Connect, which waits
    /// for dials, sets its own), so a call still open after 30 s means a stuck peerd, and the
    /// operator gets DEADLINE_EXCEEDED instead of a hung shell.
    static let peerctl = CallOptions(timeout: .seconds(30))
}
