import ArgumentParser
import Logging

struct LoggingOptions: ParsableArguments {
    /// How log lines are written to standard error.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// swift-log's `StreamLogHandler` lines, for people.
        case text
        /// One JSON object per line (`time`, `level`, `label`, `message`, metadata), for collectors.
        case json
    }

    @Option(help: "Lowest level logged: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log line format on standard error: text or json (one JSON object per line).")
    var logFormat: Format = .text

    func bootstrap() {
        let level = logLevel
        switch logFormat {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
