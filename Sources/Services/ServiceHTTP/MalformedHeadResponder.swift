import Contracts
import FoundationEssentials
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request head that is not valid HTTP (a header larger than the decoder's limit, too many header
/// fields, a broken request line) with the ecosystem's error envelope, then closes the connection.
///
/// Such a head never becomes a request, so no middleware sees it, and Hummingbird alone would answer a 400 with an
/// empty body. Installed after the HTTP codec, this handler watches whether a request is in progress (a head read
/// and its response not yet ended): between requests a parser error is answered here with `400 invalid_request`;
/// during one it is passed on, for the route reading the body (and `ErrorMiddleware`) to answer.
public final class MalformedHeadResponder: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private var requestInProgress = false

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { requestInProgress = true }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { requestInProgress = false }
        context.write(data, promise: promise)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !requestInProgress else {
            context.fireErrorCaught(error)
            return
        }
        let requestID = "head-\(UInt64.random(in: 0...UInt64.max))"
        let envelope = ErrorEnvelope(
            error: .init(code: "invalid_request",
                         message: "the request head is not valid HTTP (\(Self.describe(parserError)))"),
            requestID: requestID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = ByteBuffer(bytes: (try? encoder.encode(envelope)) ?? Data())
        let head = HTTPResponse(status: .badRequest, headerFields: [
            .contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes),
            .connection: "close", RequestIdentifier.header: requestID,
        ])
        requestInProgress = true
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    /// The parser's complaint in words a client can act on.
    private static func describe(_ error: HTTPParserError) -> String {
        switch error {
        case .headerOverflow: "the header is larger than the server accepts"
        case .invalidHeaderToken: "a header name or value has a character HTTP does not allow"
        case .invalidMethod: "the method is not valid"
        case .invalidURL: "the request target is not valid"
        case .invalidVersion: "the HTTP version is not valid"
        default: "\(error)"
        }
    }
}
