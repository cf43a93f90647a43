/// `grpc.health.v1`: short names for the generated messages.
public enum Health {
    public static let serviceName = GrpcHealthV1.Health.serviceName

    public typealias CheckRequest = GrpcHealthV1.HealthCheckRequest
    public typealias CheckResponse = GrpcHealthV1.HealthCheckResponse
    public typealias ServingStatus = GrpcHealthV1.HealthCheckResponse.ServingStatus
}

extension GrpcHealthV1.HealthCheckResponse.ServingStatus: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .serving: "SERVING"
        case .notServing: "NOT_SERVING"
        case .serviceUnknown: "SERVICE_UNKNOWN"
        default: "ServingStatus(\(rawValue))"
        }
    }
}
