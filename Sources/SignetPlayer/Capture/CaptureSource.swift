import Foundation

/// Where a player sees its own screen, to check that it shows what the player output.
///
/// - `command:WIDTHxHEIGHT:COMMAND`: a command (run with /bin/sh) that prints raw RGB24 frames of
///   that size back to back, such as ffmpeg reading a capture card:
///   `command:960x480:ffmpeg -loglevel error -f v4l2 -i /dev/video0 -vf scale=960:480 -f rawvideo -pix_fmt rgb24 -`
/// - `images:PATH[,PATH...]`: PNG or JPEG files read again at every check, in turn (a test source;
///   a file rewritten by another program is a picture that changes).
public enum CaptureSource: Sendable, Equatable, CustomStringConvertible {
    case command(String, width: Int, height: Int)
    case images([String])

    public init(_ text: String) throws(CaptureError) {
        if text.hasPrefix("command:") {
            let rest = text.dropFirst("command:".count)
            guard let colon = rest.firstIndex(of: ":") else { throw CaptureError("command:WIDTHxHEIGHT:COMMAND, for example command:960x480:ffmpeg …") }
            let size = rest[..<colon].split(separator: "x")
            let command = String(rest[rest.index(after: colon)...])
            guard size.count == 2, let width = Int(size[0]), let height = Int(size[1]), (1...16_384).contains(width), (1...16_384).contains(height)
            else { throw CaptureError("the capture size \(rest[..<colon]) is not WIDTHxHEIGHT (1 to 16384 each)") }
            guard !command.trimmingCharacters(in: .whitespaces).isEmpty else { throw CaptureError("the capture command is empty") }
            self = .command(command, width: width, height: height)
        } else if text.hasPrefix("images:") {
            let paths = text.dropFirst("images:".count).split(separator: ",").map(String.init)
            guard !paths.isEmpty else { throw CaptureError("images: needs at least one file") }
            self = .images(paths)
        } else {
            throw CaptureError("a capture source is command:WIDTHxHEIGHT:COMMAND or images:PATH[,PATH...]")
        }
    }

    public var description: String {
        switch self {
        case .command(let command, let width, let height): "command:\(width)x\(height):\(command)"
        case .images(let paths): "images:" + paths.joined(separator: ",")
        }
    }
}

public struct CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
