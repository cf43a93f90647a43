import PeerCore
import PeerIdentity
import PeerTrace
import Testing

@Suite("Trace codec")
struct TraceCodecTests {
    @Test("every record kind and host event case round-trips", arguments: TraceFixtures.everyRecord)
    func roundTrip(record: TraceRecord) throws {
        let entry = TraceEntry(milliseconds: 1234, record: record)
        let line = try TraceEncoder().line(entry)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
        #expect(try TraceDecoder().entry(line.dropLast(), number: 2) == entry)
    }

    @Test("a whole trace round-trips: header, records in order, times")
    func wholeTrace() throws {
        let entries = TraceFixtures.everyRecord.enumerated().map {
            TraceEntry(milliseconds: Int64($0.offset / 2 * 10), record: $0.element)
        }
        let trace = HostTrace(header: TraceFixtures.header, entries: entries)
        let bytes = try TraceEncoder().encode(trace)
        #expect(try TraceDecoder().decode(bytes) == trace)
        // The final newline is optional.
        #expect(try TraceDecoder().decode(Array(bytes.dropLast())) == trace)
    }

    @Test("the header line has the documented fields")
    func headerLine() throws {
        let line = String(decoding: try TraceEncoder().line(TraceFixtures.header), as: UTF8.self)
        #expect(line.contains(#""trace":"peerd-host-trace""#))
        #expect(line.contains(#""version":1"#))
        #expect(line.contains(#""started":"2026-11-18T11:06:40.123Z""#))
        #expect(line.contains(#""cluster":1"#))
        #expect(line.contains(#""shards":[0,1]"#))
        #expect(line.contains(#""max_connections":50"#))
        #expect(line.contains(#""self":"\#(TraceFixtures.peer(999))""#))
    }

    @Test("a record line has t_ms and kind")
    func recordLine() throws {
        let entry = TraceEntry(
            milliseconds: 42,
            record: .event(
                .connectionOpened(
                    ConnectionID(3), peer: TraceFixtures.peer(1), direction: .inbound, observedAddress: nil)))
        let line = String(decoding: try TraceEncoder().line(entry), as: UTF8.self)
        #expect(line.contains(#""t_ms":42"#))
        #expect(line.contains(#""kind":"event""#))
        #expect(line.contains(#""event":"connection_opened""#))
        #expect(line.contains(#""direction":"inbound""#))
    }

    @Test(
        "ISO 8601 start times round-trip",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"), (1_795_000_000_123_000_000, "2026-11-18T11:06:40.123Z"),
            (951_782_400_000_000_000, "2000-02-29T00:00:00.000Z"),
            (4_102_444_799_999_000_000, "2099-12-31T23:59:59.999Z"),
        ])
    func timestamps(nanoseconds: Int64, text: String) throws {
        var header = TraceFixtures.header
        header.started = EngineTime(nanosecondsSinceEpoch: nanoseconds)
        let line = try TraceEncoder().line(header)
        #expect(String(decoding: line, as: UTF8.self).contains(#""started":"\#(text)""#))
        #expect(try TraceDecoder().header(line.dropLast()).started == header.started)
    }

    @Test("ISO 8601 forms peerd does not write still parse: no fraction, nanoseconds")
    func timestampForms() throws {
        let header = #"{"trace":"peerd-host-trace","version":1,"max_connections":1,"started":"#
        let plain = try TraceDecoder().header(Array((header + #""2026-11-18T11:06:40Z"}"#).utf8)[...])
        #expect(plain.started == EngineTime(nanosecondsSinceEpoch: 1_795_000_000_000_000_000))
        let nanos = try TraceDecoder().header(Array((header + #""2026-11-18T11:06:40.000000001Z"}"#).utf8)[...])
        #expect(nanos.started == EngineTime(nanosecondsSinceEpoch: 1_795_000_000_000_000_001))
    }
}
