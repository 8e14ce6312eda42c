import Foundation
import SignetCore
import Testing

@testable import SignetRender

/// Every element type rendered at a small size and compared pixel for pixel with a checked-in PNG.
/// Run with SIGNET_UPDATE_GOLDENS=1 to rewrite them after a deliberate change (and look at them).
@Suite("Golden frames for every element type")
struct GoldenTests {
    /// An 8 x 4 PNG with a transparent column: for the image fits.
    static let checker: [UInt8] = {
        var canvas = Canvas(width: 8, height: 4)
        for y in 0..<4 {
            for x in 0..<8 {
                let offset = (y * 8 + x) * 4
                canvas.pixels[offset] = UInt8(x * 32)
                canvas.pixels[offset + 1] = UInt8(y * 80)
                canvas.pixels[offset + 2] = (x + y) % 2 == 0 ? 255 : 0
                canvas.pixels[offset + 3] = x == 7 ? 0 : 255
            }
        }
        return try! PNGEncoder.encode(canvas, dropAlpha: false)
    }()

    static let photo: [UInt8] = Array(try! Data(contentsOf: RenderFixture.goldenURL("photo.jpg")))

    static func hash(_ bytes: [UInt8]) -> String { HashAlgorithm.digest("sha256", of: bytes)! }

    static let slides = """
        {"safe": {"elements": []},
         "rectangles": {"background": "#203040", "elements": [
           {"type": "rectangle", "x": 4, "y": 4, "width": 30, "height": 20, "colour": "#D52B1E"},
           {"type": "rectangle", "x": 20, "y": 12, "width": 30, "height": 16, "z": -1, "colour": "#0039A6"},
           {"type": "rectangle", "x": 26, "y": 8, "width": 30, "height": 18, "colour": "#FFFFFF80"},
           {"type": "rectangle", "x": -10, "y": 28, "width": 100, "height": 10, "colour": "#FFD700"}]},
         "stripes": {"elements": [
           {"type": "stripes", "x": 0, "y": 0, "width": 30, "height": 20, "direction": "horizontal",
            "colours": ["#FFFFFF", "#0039A6", "#D52B1E"]},
           {"type": "stripes", "x": 32, "y": 0, "width": 32, "height": 20, "direction": "vertical",
            "colours": ["#0055A4", "#FFFFFF", "#EF4135"], "weights": [1, 2, 1]},
           {"type": "stripes", "x": 0, "y": 22, "width": 64, "height": 10, "direction": "horizontal",
            "colours": ["#0057B7", "#FFD700"]}]},
         "images": {"background": "#404040", "elements": [
           {"type": "image", "x": 0, "y": 0, "width": 16, "height": 16, "asset": "\(hash(checker))", "fit": "fit"},
           {"type": "image", "x": 16, "y": 0, "width": 16, "height": 16, "asset": "\(hash(checker))", "fit": "fill"},
           {"type": "image", "x": 32, "y": 0, "width": 16, "height": 16, "asset": "\(hash(checker))", "fit": "stretch"},
           {"type": "image", "x": 48, "y": 0, "width": 16, "height": 16, "asset": "\(hash(checker))", "fit": "none"},
           {"type": "image", "x": 0, "y": 16, "width": 64, "height": 16, "asset": "\(hash(photo))", "fit": "fill"}]},
         "text": {"background": "#00205B", "elements": [
           {"type": "text", "x": 0, "y": 0, "width": 160, "height": 24, "text": "Қош келдіңіз!", "size": 16,
            "colour": "#FFD700", "align": "left"},
           {"type": "text", "x": 0, "y": 24, "width": 160, "height": 24, "text": "Добро пожаловать", "size": 14,
            "colour": "#FFFFFF", "align": "center"},
           {"type": "text", "x": 0, "y": 48, "width": 160, "height": 40, "text": "Welcome to Astana, wrapped on two lines",
            "size": 14, "colour": "#FFFFFF", "align": "right"}]}}
        """

    static func programme(width: Int, height: Int) throws -> Programme {
        let assets = """
            {"\(hash(checker))": {"type": "png", "width": 8, "height": 4},
             "\(hash(photo))": {"type": "jpeg", "width": 32, "height": 24}}
            """
        return try RenderFixture.programme(width: width, height: height, slides: slides, assets: assets)
    }

    static func render(_ slide: String, width: Int = 64, height: Int = 32) throws -> (Canvas, PreparedSlide) {
        let programme = try programme(width: width, height: height)
        let assets = [hash(checker): checker, hash(photo): photo]
        let prepared = try SlideRenderer(typeface: RenderFixture.typeface())
            .prepare(slide, of: programme, for: programme.screens["s"]!) { assets[$0] }
        return (prepared.render(), prepared)
    }

    func compare(_ canvas: Canvas, golden name: String) throws {
        let url = RenderFixture.goldenURL(name)
        if ProcessInfo.processInfo.environment["SIGNET_UPDATE_GOLDENS"] == "1" {
            try Data(try PNGEncoder.encode(canvas)).write(to: url)
        }
        let expected = try ImageDecoder.decode(Array(try Data(contentsOf: url)))
        #expect(expected.width == canvas.width && expected.height == canvas.height)
        let differing = zip(expected.pixels, canvas.pixels).filter { $0 != $1 }.count
        #expect(differing == 0, "\(name): \(differing) channel values differ from the golden image")
    }

    @Test(arguments: ["rectangles", "stripes", "images"])
    func elementsMatchTheirGoldens(slide: String) throws {
        let (canvas, prepared) = try Self.render(slide)
        #expect(prepared.warnings.isEmpty)
        try compare(canvas, golden: "\(slide).png")
    }

    @Test func textMatchesItsGolden() throws {
        let (canvas, prepared) = try Self.render("text", width: 160, height: 88)
        #expect(prepared.warnings.isEmpty, "\(prepared.warnings)")
        try compare(canvas, golden: "text.png")
        // Text was drawn: the first line's box has yellow pixels.
        let yellow = (0..<24).flatMap { y in (0..<160).map { x in canvas[x, y] } }.filter { $0.red > 200 && $0.blue < 60 }
        #expect(yellow.count > 40)
    }

    @Test func renderingIsDeterministic() async throws {
        let first = try Self.render("images").0
        let others = try await withThrowingTaskGroup(of: Canvas.self) { group in
            for _ in 0..<4 { group.addTask { try Self.render("images").0 } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(others.allSatisfy { $0 == first })
        #expect(try PNGEncoder.encode(first) == PNGEncoder.encode(try Self.render("images").0))
    }
}
