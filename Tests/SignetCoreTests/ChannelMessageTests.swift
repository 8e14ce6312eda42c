import SignetCore
import Testing

@Suite("Channel messages: exact bytes both ways, and anything not fully understood refused")
struct ChannelMessageTests {
    @Test func messagesHaveFixedBytesAndReadBack() throws {
        let release = ServerNotice.release(role: "targets", version: 3)
        #expect(String(decoding: release.encoded(), as: UTF8.self) == #"{"role":"targets","type":"release","version":3}"#)
        #expect(try ServerNotice(bytes: release.encoded()) == release)
        let signed = Array(#"{"signatures":[],"signed":{"id":7}}"#.utf8)
        let command = ServerNotice.commandMessage(signed: signed)
        #expect(String(decoding: command, as: UTF8.self) == #"{"command":{"signatures":[],"signed":{"id":7}},"type":"command"}"#)
        #expect(ServerNotice.command(try JSONParser().parse(signed)).encoded() == command)
        #expect(try ServerNotice(bytes: command) == .command(try JSONParser().parse(signed)))

        let refused = DeviceReport.acknowledgement(Acknowledgement(command: 7, result: .refused("command refused: it expired")))
        #expect(String(decoding: refused.encoded(), as: UTF8.self) == #"{"id":7,"reason":"command refused: it expired","result":"refused","type":"ack"}"#)
        #expect(try DeviceReport(bytes: refused.encoded()) == refused)
        let heartbeat = DeviceReport.heartbeat(Heartbeat(release: 2, slide: "welcome", fingerprint: "v1:00", mode: "programme", uptimeSeconds: 60,
                                                         cache: ["objects": 3]))
        #expect(String(decoding: heartbeat.encoded(), as: UTF8.self)
            == #"{"cache":{"objects":3},"fingerprint":"v1:00","mode":"programme","release":2,"slide":"welcome","type":"heartbeat","uptime_s":60}"#)
        #expect(try DeviceReport(bytes: heartbeat.encoded()) == heartbeat)
        let locked = DeviceReport.heartbeat(Heartbeat(mode: "safe", lockdown: true, uptimeSeconds: 1))
        #expect(String(decoding: locked.encoded(), as: UTF8.self) == #"{"lockdown":true,"mode":"safe","type":"heartbeat","uptime_s":1}"#)
        let contained = DeviceReport.heartbeat(Heartbeat(slide: "safe", uptimeSeconds: 2, containment: "safe slide", capture: "mismatch"))
        #expect(String(decoding: contained.encoded(), as: UTF8.self)
                == #"{"capture":"mismatch","containment":"safe slide","slide":"safe","type":"heartbeat","uptime_s":2}"#)
        #expect(try DeviceReport(bytes: contained.encoded()) == contained)
        #expect(try DeviceReport(bytes: locked.encoded()) == locked)
    }

    @Test(arguments: [
        (#"{"type":"ack","id":7,"result":"done","extra":1}"#, "extra is not a field of this message"),
        (#"{"type":"ack","id":0,"result":"done"}"#, "id: the command's id"),
        (#"{"type":"ack","id":7,"result":"maybe"}"#, "result: done or refused"),
        (#"{"type":"ack","id":7,"result":"done","reason":"x"}"#, "reason: only for a refusal"),
        (#"{"type":"ack","id":7,"result":"refused"}"#, "reason: why the command was refused (at most 300 bytes)"),
        (#"{"type":"heartbeat"}"#, "uptime_s: seconds since start"),
        (#"{"type":"heartbeat","uptime_s":1,"mode":"dark"}"#, "mode: programme, blank or safe"),
        (#"{"type":"heartbeat","uptime_s":1,"lockdown":"yes"}"#, "lockdown: true or false"),
        (#"{"type":"heartbeat","uptime_s":1,"containment":"grey"}"#, "containment: safe slide or black"),
        (#"{"type":"heartbeat","uptime_s":1,"capture":"blurry"}"#, "capture: match, mismatch or missing"),
        (#"{"type":"heartbeat","uptime_s":1,"release":-1}"#, "release: a programme version (a whole number)"),
        (#"{"type":"heartbeat","uptime_s":1,"slide":""}"#, "slide: text of 1 to 200 bytes"),
        (#"{"type":"status"}"#, "type: ack, heartbeat or alert"),
        (#"[1]"#, "a channel message is a JSON object"),
    ])
    func badReportsAreRefusedWithTheirReason(text: String, reason: String) {
        #expect(throws: ChannelMessageError(reason)) { try DeviceReport(bytes: Array(text.utf8)) }
    }

    @Test func badNoticesAreRefused() {
        #expect(throws: ChannelMessageError("command: a signed command object")) { try ServerNotice(bytes: Array(#"{"type":"command","command":1}"#.utf8)) }
        #expect(throws: ChannelMessageError("version: a metadata version")) {
            try ServerNotice(bytes: Array(#"{"type":"release","role":"targets","version":0}"#.utf8))
        }
        #expect(throws: (any Error).self) { try ServerNotice(bytes: Array(repeating: UInt8(ascii: " "), count: ChannelMessage.maxBytes + 1)) }
    }
}
