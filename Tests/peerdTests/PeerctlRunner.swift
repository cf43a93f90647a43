import Foundation

/// Runs the built `peerctl` binary as an operator would, optionally with extra environment
/// variables (through /usr/bin/env, so the test process's own environment stays as it is).
enum PeerctlRunner {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        /// stdout as one JSON object, nil when it is not one.
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }

        /// For failure messages.
        var summary: String { "exit \(status), stdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let (executable, argv) = command(arguments, environment: environment)
        let run = try ChildProcess.run(executable, argv)
        return Run(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }

    /// Starts peerctl in the background, its stdout and stderr to files in `directory`.
    static func start(_ arguments: [String], directory: String, name: String) throws -> ChildProcess {
        try ChildProcess(
            executable: PeerdProcess.peerctlBinary.path, arguments: arguments,
            stdoutPath: "\(directory)/\(name).out", stderrPath: "\(directory)/\(name).err")
    }

    private static func command(_ arguments: [String], environment: [String: String]) -> (String, [String]) {
        guard !environment.isEmpty else { return (PeerdProcess.peerctlBinary.path, arguments) }
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return ("/usr/bin/env", assignments + [PeerdProcess.peerctlBinary.path] + arguments)
    }
}
