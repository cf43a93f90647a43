import PeerWire
import Testing

@testable import peerctl

@Suite("peerctl tables")
struct TextTableTests {
    @Test("columns as wide as their widest cell, two spaces apart, no trailing blanks")
    func render() {
        var table = TextTable("PEER", "STATE", "NOTE")
        table.append(["a", "connected", ""])
        table.append(["longer-id", "-", "x"])
        #expect(
            table.render() == """
                PEER       STATE      NOTE
                a          connected
                longer-id  -          x

                """)
    }

    @Test("missing cells read as empty, extra cells are dropped, a header alone is one line")
    func ragged() {
        #expect(TextTable("A", "B", rows: [["1"], ["1", "2", "3"]]).render() == "A  B\n1\n1  2\n")
        #expect(TextTable("A", "B").render() == "A  B\n")
    }

    @Test("cells and values from peerd cannot drive the terminal: control and format characters are escaped")
    func hostileText() {
        #expect(HumanText.printable("go-waku/0.1") == "go-waku/0.1")
        #expect(HumanText.printable("a\u{1B}[2Jb\nc\u{7F}") == "a\\x1b[2Jb\\x0ac\\x7f")
        #expect(HumanText.printable("id\u{202E}evil") == "id\\u{202e}evil")
        #expect(HumanText.printable("日本 ✓") == "日本 ✓")
        #expect(TextTable("A", rows: [["x\ny"]]).render() == "A\nx\\x0ay\n")
        var list = KeyValueList()
        list.append("agent", "\u{1B}]0;title\u{07}")
        #expect(list.render() == "agent: \\x1b]0;title\\x07\n")
    }

    @Test("key: value lines aligned after the longest key")
    func keyValue() {
        var list = KeyValueList()
        list.append("peer id", "16U")
        list.append("origin", "dns")
        #expect(list.render() == "peer id: 16U\norigin:  dns\n")
        #expect(KeyValueList().render() == "")
    }

    @Test("a peer row: every column, next retry from the configuration")
    func peerRow() {
        let peer = PeerManagerV1.Peer(
            peerID: "16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ", protocols: ["/vac/waku/relay/2.0.0"],
            origin: .init(rawValue: 4), connectedness: .init(rawValue: 1), direction: .init(rawValue: 2),
            failedDials: 2, lastFailedDialMs: 1_000, enrShards: .init(clusterID: 1, shardIDs: [3]))
        let context = PeerTable.Context(
            configuration: .init(initialBackoffMs: 60_000, backoffFactor: 2, maxFailedAttempts: 5), nowMs: 1_000)
        #expect(
            PeerTable.table([peer], context).rows == [
                ["16Uiu2HAm…o97bUZ", "dns", "cannot_connect", "outbound", "relay/2.0.0", "1/3", "2", "in 2m00s"]
            ])
    }
}
