/// `waku.peermanager.v1.PeerManager/GetInfo`: short names for the generated messages.
public enum ServerInfo {
    public static let method = PeerManagerV1.PeerManager.getInfo.method

    public typealias Request = PeerManagerV1.GetInfoRequest
    public typealias Response = PeerManagerV1.GetInfoResponse
}
