import CProtobufC
import NIOCore
import PeerdProtoC

/// `waku.peermanager.v1.GetInfoRequest` / `GetInfoResponse`: what a client learns first.
public enum ServerInfo {
    public static let method = "GetInfo"

    public struct Request: Hashable, Sendable, WireMessage {
        public static let protobufName = "waku.peermanager.v1.GetInfoRequest"
        public init() {}

        public init(wire buffer: ByteBuffer) throws {
            self = try buffer.unpackProtobufC(
                Self.protobufName,
                unpack: waku__peermanager__v1__get_info_request__unpack,
                free: waku__peermanager__v1__get_info_request__free_unpacked
            ) { _ in Request() }
        }

        public func encode(into buffer: inout ByteBuffer) {
            var request = Waku__Peermanager__V1__GetInfoRequest()
            waku__peermanager__v1__get_info_request__init(&request)
            buffer.writeProtobufC(size: waku__peermanager__v1__get_info_request__get_packed_size(&request)) {
                waku__peermanager__v1__get_info_request__pack(&request, $0)
            }
        }
    }

    public struct Response: Hashable, Sendable, WireMessage {
        public static let protobufName = "waku.peermanager.v1.GetInfoResponse"
        public var version: String
        public var `protocol`: String
        public var uptimeSeconds: UInt64
        public var services: [String]
        public var maxFrameSize: UInt32
        public var maxConcurrentStreams: UInt32

        public init(
            version: String, protocol: String, uptimeSeconds: UInt64, services: [String], maxFrameSize: UInt32,
            maxConcurrentStreams: UInt32
        ) {
            self.version = version
            self.protocol = `protocol`
            self.uptimeSeconds = uptimeSeconds
            self.services = services
            self.maxFrameSize = maxFrameSize
            self.maxConcurrentStreams = maxConcurrentStreams
        }

        public init(wire buffer: ByteBuffer) throws {
            self = try buffer.unpackProtobufC(
                Self.protobufName,
                unpack: waku__peermanager__v1__get_info_response__unpack,
                free: waku__peermanager__v1__get_info_response__free_unpacked
            ) { info in
                Response(
                    version: String(protobufC: info.version), protocol: String(protobufC: info.protocol),
                    uptimeSeconds: info.uptime_seconds,
                    services: [String](protobufC: info.services, count: info.n_services),
                    maxFrameSize: info.max_frame_size, maxConcurrentStreams: info.max_concurrent_streams)
            }
        }

        public func encode(into buffer: inout ByteBuffer) {
            PackArena.with { arena in
                var info = Waku__Peermanager__V1__GetInfoResponse()
                waku__peermanager__v1__get_info_response__init(&info)
                info.version = arena.cString(version)
                info.protocol = arena.cString(`protocol`)
                info.uptime_seconds = uptimeSeconds
                info.n_services = services.count
                info.services = arena.cStrings(services)
                info.max_frame_size = maxFrameSize
                info.max_concurrent_streams = maxConcurrentStreams
                buffer.writeProtobufC(size: waku__peermanager__v1__get_info_response__get_packed_size(&info)) {
                    waku__peermanager__v1__get_info_response__pack(&info, $0)
                }
            }
        }
    }
}
