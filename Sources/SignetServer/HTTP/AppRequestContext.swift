import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// Per-request state: the client's address (for the audit trail and login throttling).
public struct AppRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set when a device's channel request is upgraded to a WebSocket.
    public let webSocket = WebSocketHandlerReference<Self>()
    public let clientAddress: String
    /// The screen whose enrolled device signed this request (device routes only).
    public var deviceScreen: String?
    /// The connection: a device's channel writes to it and reads acknowledgements off it directly,
    /// on its event loop.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "local"
    }

    /// Request bodies of the JSON API; uploads have their own, streamed limit.
    public var maxUploadSize: Int { 256 * 1024 }
}
