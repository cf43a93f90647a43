import Foundation

/// Prints a command's answer: JSON with `--json` (for scripts), else the human view. Written
/// straight to the descriptor, unbuffered: a command that then waits (`protect --hold`) has
/// already shown its answer.
enum Output {
    static func show(_ options: OutputOptions, json: () -> [String: Any], human: () -> String) throws {
        let text = options.json ? try JSONOutput.text(json()) + "\n" : human()
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
