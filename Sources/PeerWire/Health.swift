import CProtobufC
import NIOCore
import PeerdProtoC

/// `grpc.health.v1` messages.
public enum Health {
    public static let serviceName = "grpc.health.v1.Health"

    /// `HealthCheckResponse.ServingStatus`.
    public enum ServingStatus: Int32, Hashable, Sendable, CustomStringConvertible {
        case unknown = 0
        case serving = 1
        case notServing = 2
        case serviceUnknown = 3

        public var description: String {
            switch self {
            case .unknown: "UNKNOWN"
            case .serving: "SERVING"
            case .notServing: "NOT_SERVING"
            case .serviceUnknown: "SERVICE_UNKNOWN"
            }
        }
    }

    public struct CheckRequest: Hashable, Sendable, WireMessage {
        public static let protobufName = "grpc.health.v1.HealthCheckRequest"
        /// "" asks about the whole server.
        public var service: String

        public init(service: String = "") { self.service = service }

        public init(wire buffer: ByteBuffer) throws {
            self = try buffer.unpackProtobufC(
                Self.protobufName,
                unpack: grpc__health__v1__health_check_request__unpack,
                free: grpc__health__v1__health_check_request__free_unpacked
            ) { CheckRequest(service: String(protobufC: $0.service)) }
        }

        public func encode(into buffer: inout ByteBuffer) {
            PackArena.with { arena in
                var request = Grpc__Health__V1__HealthCheckRequest()
                grpc__health__v1__health_check_request__init(&request)
                request.service = arena.cString(service)
                buffer.writeProtobufC(size: grpc__health__v1__health_check_request__get_packed_size(&request)) {
                    grpc__health__v1__health_check_request__pack(&request, $0)
                }
            }
        }
    }

    public struct CheckResponse: Hashable, Sendable, WireMessage {
        public static let protobufName = "grpc.health.v1.HealthCheckResponse"
        public var status: ServingStatus

        public init(status: ServingStatus) { self.status = status }

        public init(wire buffer: ByteBuffer) throws {
            self = try buffer.unpackProtobufC(
                Self.protobufName,
                unpack: grpc__health__v1__health_check_response__unpack,
                free: grpc__health__v1__health_check_response__free_unpacked
            ) { CheckResponse(status: ServingStatus(rawValue: Int32($0.status.rawValue)) ?? .unknown) }
        }

        public func encode(into buffer: inout ByteBuffer) {
            var response = Grpc__Health__V1__HealthCheckResponse()
            grpc__health__v1__health_check_response__init(&response)
            response.status = .init(rawValue: .init(status.rawValue))
            buffer.writeProtobufC(size: grpc__health__v1__health_check_response__get_packed_size(&response)) {
                grpc__health__v1__health_check_response__pack(&response, $0)
            }
        }
    }
}
