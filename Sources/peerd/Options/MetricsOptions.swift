import ArgumentParser

struct MetricsOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where Prometheus scrapes /metrics (nwaku's metrics port; loopback by default; port 0 to 65535).",
            valueName: "host:port"))
    var metricsAddress: String = "127.0.0.1:8008"

    @Flag(help: "Serve no metrics endpoint.")
    var noMetrics = false

    /// The host and port, or nil when metrics are off or the address is malformed.
    var endpoint: (host: String, port: Int)? {
        guard !noMetrics, let colon = metricsAddress.lastIndex(of: ":") else { return nil }
        var host = String(metricsAddress[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(metricsAddress[metricsAddress.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        return (host, port)
    }

    func problems() -> [String] {
        guard !noMetrics, endpoint == nil else { return [] }
        // The address is the operator's own text, but a pasted wrong value can be long: show its start.
        let shown = metricsAddress.utf8.count <= 80 ? metricsAddress : "\(metricsAddress.prefix(64))..."
        return ["--metrics-address: must be host:port with a port 0-65535 (actual: \"\(shown)\")"]
    }
}
