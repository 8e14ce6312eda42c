import Foundation
import SignetCore
import SignetTestSupport
import Testing

@testable import SignetRender

@Suite("Bad images, fonts and text: clear errors or documented fallbacks, never a crash")
struct BadInputTests {
    static let goodPNG = try! PNGEncoder.encode(Canvas(width: 40, height: 30, fill: (10, 20, 30, 255)))
    static let goodJPEG = Array(try! Data(contentsOf: RenderFixture.goldenURL("photo.jpg")))

    func decodeError(_ bytes: [UInt8]) -> String? {
        do {
            _ = try ImageDecoder.decode(bytes)
            return nil
        } catch {
            return error.description
        }
    }

    func expectRefused(_ bytes: [UInt8], startingWith prefix: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let message = decodeError(bytes)
        #expect(message?.hasPrefix(prefix) == true, "got \(message ?? "no error")", sourceLocation: sourceLocation)
    }

    @Test func corruptAndTruncatedImagesAreRefused() {
        #expect(decodeError(Self.goodPNG) == nil)
        #expect(decodeError(Self.goodJPEG) == nil)
        var corrupt = Self.goodPNG
        for index in 40..<corrupt.count - 12 { corrupt[index] ^= 0x5A }
        expectRefused(corrupt, startingWith: "png: cannot decode")
        expectRefused(Array(Self.goodPNG.prefix(Self.goodPNG.count / 2)), startingWith: "png: cannot decode")
        expectRefused(Array(Self.goodJPEG.prefix(Self.goodJPEG.count / 2)), startingWith: "jpeg: cannot decode")
        #expect(decodeError(Array(Self.goodJPEG.prefix(3))) != nil)
        #expect(decodeError([]) == "image: neither PNG nor JPEG (by its first bytes)")
        #expect(decodeError(Array("GIF89a".utf8)) == "image: neither PNG nor JPEG (by its first bytes)")
    }

    @Test func hugeDeclaredSizesAreRefusedBeforeDecoding() {
        #expect(decodeError(PNGFixtures.header(width: 30_000, height: 30_000))
                == "png: 30000x30000 pixels is more than the limit of 16384 a side and 67108864 in all")
        expectRefused(PNGFixtures.header(width: 16_000, height: 16_000), startingWith: "png: 16000x16000 pixels is more than the limit")
        // A plausible size with no image data behind it.
        expectRefused(PNGFixtures.header(width: 100, height: 100), startingWith: "png: cannot decode")
    }

    @Test func aFontThatFailsToLoadIsAnError() throws {
        for bytes in [Array("not a font at all".utf8), [], Array(repeating: 0, count: 4096)] {
            do {
                _ = try Typeface(name: "broken", bytes: bytes)
                Issue.record("\(bytes.count) bytes loaded as a font")
            } catch {
                #expect(error.description.hasPrefix("font broken: FreeType cannot load it: "), "\(error)")
            }
        }
    }

    func prepare(_ slides: String, assets: String = "{}", bytes: [String: [UInt8]] = [:], width: Int = 200, height: Int = 60) throws -> PreparedSlide {
        let programme = try RenderFixture.programme(width: width, height: height, slides: slides, assets: assets)
        return try SlideRenderer(typeface: RenderFixture.typeface()).prepare("slide", of: programme, for: programme.screens["s"]!) {
            bytes[$0]
        }
    }

    @Test func textThatDoesNotFitShrinksThenIsCut() throws {
        let shrunk = try prepare("""
            {"safe": {"elements": []}, "slide": {"elements": [{"type": "text", "x": 0, "y": 0, "width": 200, "height": 60,
             "text": "Добро пожаловать в Астану, столицу Казахстана", "size": 40, "colour": "#FFFFFF", "align": "center"}]}}
            """)
        #expect(shrunk.warnings.count == 1)
        #expect(shrunk.warnings.first?.hasPrefix("slides.slide.elements[0].size: text set at ") == true)
        let cut = try prepare("""
            {"safe": {"elements": []}, "slide": {"elements": [{"type": "text", "x": 0, "y": 0, "width": 30, "height": 8,
             "text": "one two three four five six seven", "size": 40, "colour": "#FFFFFF", "align": "left"}]}}
            """)
        #expect(cut.warnings.contains { $0.contains("does not fit its 30x8 box even at 6 px; lines cut") })
        _ = cut.render()
        let missing = try prepare("""
            {"safe": {"elements": []}, "slide": {"elements": [{"type": "text", "x": 0, "y": 0, "width": 200, "height": 60,
             "text": "歡迎", "size": 20, "colour": "#FFFFFF", "align": "left"}]}}
            """)
        #expect(missing.warnings.contains { $0.contains("has no glyph for U+6B61; drawn as a box") })
    }

    @Test func assetsMustBeWhatTheProgrammeDeclares() throws {
        let hash = HashAlgorithm.digest("sha256", of: Self.goodPNG)!
        func slide(_ kind: String, _ width: Int) -> (String, String) {
            (#"{"safe": {"elements": []}, "slide": {"elements": [{"type": "image", "x": 0, "y": 0, "width": 50, "height": 50, "asset": "\#(hash)", "fit": "fit"}]}}"#,
             #"{"\#(hash)": {"type": "\#(kind)", "width": \#(width), "height": 30}}"#)
        }
        func failure(_ parts: (String, String), bytes: [UInt8]?) -> String? {
            do {
                _ = try prepare(parts.0, assets: parts.1, bytes: bytes.map { [hash: $0] } ?? [:])
                return nil
            } catch { return "\(error)" }
        }
        let short = String(hash.prefix(12))
        #expect(failure(slide("png", 40), bytes: Self.goodPNG) == nil)
        #expect(failure(slide("png", 41), bytes: Self.goodPNG) == "asset \(short): is 40x30, not the 41x30 the programme declares")
        #expect(failure(slide("jpeg", 40), bytes: Self.goodPNG) == "asset \(short): is not the jpeg the programme declares")
        #expect(failure(slide("png", 40), bytes: nil) == "asset \(short): bytes not available")
        #expect(failure(slide("png", 40), bytes: Self.goodPNG + [0]) == "asset \(short): bytes do not match their sha256")
    }
}

@Suite("Image decoding reads colours as they were written")
struct DecodingTests {
    @Test func sixteenBitPNGsWithoutGammaAreSRGB() throws {
        // #FEC50C written as 16 bits per channel, with no gAMA or sRGB chunk.
        let image = try ImageDecoder.decode(Array(try Data(contentsOf: RenderFixture.goldenURL("sun16.png"))))
        #expect(image[0, 0] == (0xFE, 0xC5, 0x0C, 0xFF))
    }
}
