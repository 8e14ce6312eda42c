import Foundation
import SignetCore
import Testing

@testable import SignetRender

@Suite("Flags render exactly; fingerprints tell them apart")
struct FlagAndFingerprintTests {
    static let flags = """
        {"safe": {"elements": []},
         "russia": {"elements": [{"type": "stripes", "x": 0, "y": 0, "width": 900, "height": 600,
                                  "direction": "horizontal", "colours": ["#FFFFFF", "#0039A6", "#D52B1E"]}]},
         "ukraine": {"elements": [{"type": "stripes", "x": 0, "y": 0, "width": 900, "height": 600,
                                   "direction": "horizontal", "colours": ["#0057B7", "#FFD700"]}]},
         "welcome-ru": {"background": "#00205B", "elements": [
           {"type": "stripes", "x": 30, "y": 30, "width": 390, "height": 260, "direction": "horizontal",
            "colours": ["#FFFFFF", "#0039A6", "#D52B1E"]},
           {"type": "rectangle", "x": 480, "y": 30, "width": 390, "height": 260, "colour": "#00AFCA"},
           {"type": "text", "x": 0, "y": 320, "width": 900, "height": 200, "text": "Қош келдіңіз!", "size": 60,
            "colour": "#FFD700", "align": "center"}]},
         "welcome-ua": {"background": "#00205B", "elements": [
           {"type": "stripes", "x": 30, "y": 30, "width": 390, "height": 260, "direction": "horizontal",
            "colours": ["#0057B7", "#FFD700"]},
           {"type": "rectangle", "x": 480, "y": 30, "width": 390, "height": 260, "colour": "#00AFCA"},
           {"type": "text", "x": 0, "y": 320, "width": 900, "height": 200, "text": "Қош келдіңіз!", "size": 60,
            "colour": "#FFD700", "align": "center"}]},
         "netherlands": {"elements": [{"type": "stripes", "x": 0, "y": 0, "width": 900, "height": 600,
                                       "direction": "horizontal", "colours": ["#AE1C28", "#FFFFFF", "#21468B"]}]},
         "indonesia": {"elements": [{"type": "stripes", "x": 0, "y": 0, "width": 900, "height": 600,
                                     "direction": "horizontal", "colours": ["#FF0000", "#FFFFFF"]}]},
         "poland": {"elements": [{"type": "stripes", "x": 0, "y": 0, "width": 900, "height": 600,
                                  "direction": "horizontal", "colours": ["#FFFFFF", "#DC143C"]}]},
         "chad": {"elements": [{"type": "stripes", "x": 0, "y": 0, "width": 900, "height": 600,
                                "direction": "vertical", "colours": ["#002664", "#FECB00", "#C60C30"]}]},
         "romania": {"elements": [{"type": "stripes", "x": 0, "y": 0, "width": 900, "height": 600,
                                   "direction": "vertical", "colours": ["#002B7F", "#FCD116", "#CE1126"]}]},
         "night-safe": {"background": "#000000", "elements": [{"type": "text", "x": 0, "y": 0, "width": 900, "height": 600,
                                   "text": "Astana", "size": 64, "colour": "#404040", "align": "center"}]}}
        """

    static func render(_ slide: String, width: Int = 900, height: Int = 600) throws -> Canvas {
        var slides = flags
        if width != 900 || height != 600 {
            slides = slides.replacingOccurrences(of: #""width": 900, "height": 600"#, with: #""width": \#(width), "height": \#(height)"#)
        }
        let programme = try RenderFixture.programme(width: width, height: height, slides: slides)
        return try SlideRenderer(typeface: RenderFixture.typeface())
            .prepare(slide, of: programme, for: programme.screens["s"]!) { _ in nil }.render()
    }

    @Test func theRussianFlagHasExactlyItsColours() throws {
        let canvas = try Self.render("russia")
        var counts: [String: Int] = [:]
        for y in 0..<600 {
            for x in 0..<900 {
                let pixel = canvas[x, y]
                let expected = y < 200 ? (255, 255, 255) : y < 400 ? (0x00, 0x39, 0xA6) : (0xD5, 0x2B, 0x1E)
                guard (Int(pixel.red), Int(pixel.green), Int(pixel.blue)) == expected, pixel.alpha == 255 else {
                    Issue.record("pixel \(x),\(y) is \(pixel), expected \(expected)")
                    return
                }
                counts["\(expected)", default: 0] += 1
            }
        }
        #expect(counts.values.sorted() == [180_000, 180_000, 180_000])
    }

    @Test func aSlideLaidOutForOneSizeFillsAScreenOfAnother() throws {
        let slides = """
            {"safe": {"elements": []},
             "russia": {"width": 900, "height": 600, "elements": [
               {"type": "stripes", "x": 0, "y": 0, "width": 900, "height": 600, "direction": "horizontal",
                "colours": ["#FFFFFF", "#0039A6", "#D52B1E"]},
               {"type": "rectangle", "x": 300, "y": 0, "width": 300, "height": 600, "colour": "#00000080"}]}}
            """
        let programme = try RenderFixture.programme(width: 450, height: 200, slides: slides)
        let canvas = try SlideRenderer(typeface: RenderFixture.typeface())
            .prepare("russia", of: programme, for: programme.screens["s"]!) { _ in nil }.render()
        // Bands at a third and two thirds of 200 rows; the shade from x 150 to 300 of 450.
        #expect(canvas[10, 66] == (255, 255, 255, 255) && canvas[10, 67] == (0x00, 0x39, 0xA6, 255))
        #expect(canvas[10, 132] == (0x00, 0x39, 0xA6, 255) && canvas[10, 133] == (0xD5, 0x2B, 0x1E, 255))
        #expect(canvas[149, 10] == (255, 255, 255, 255) && canvas[150, 10] == (127, 127, 127, 255) && canvas[300, 10] == (255, 255, 255, 255))
        #expect(throws: ProgrammeError.self) {
            try RenderFixture.programme(width: 450, height: 200, slides: #"{"safe": {"width": 900, "elements": []}}"#)
        }
    }

    /// A box blur of the given radius, as a soft camera or a diffuser would blur: one pass along
    /// the rows, then one down the columns (the same box, edges repeated, in a fifth of the time).
    /// A dark slide on a panel dimmed to 5 % at night (300 of 6000 cd/m2) averages 2 or 3 in its
    /// brightest cell: the fingerprint does not stretch that to 255, so a capture card's scaled
    /// copy of it still matches, and it is still told apart from the dimmed welcome.
    @Test func aDarkSlideDimmedAtNightMatchesItsCaptureAndNotAnotherSlide() throws {
        let night = OutputAdjustment(brightness: 0.05, gamma: 2.2)
        let dark = night.apply(to: try Self.render("night-safe", width: 960, height: 480))
        let welcome = night.apply(to: try Self.render("welcome-ru", width: 960, height: 480))
        let captured = Fingerprint(rgb: Self.halfSize(dark), width: 480, height: 240)
        #expect(Fingerprint(of: dark).distance(to: captured) <= 4)
        #expect(Fingerprint(of: dark).distance(to: Fingerprint(of: welcome)) > 100)
        // The brightest frames are still scaled to 255 whatever the dimming.
        #expect(Fingerprint(of: welcome).distance(to: Fingerprint(of: try Self.render("welcome-ru", width: 960, height: 480))) <= Fingerprint.threshold)
    }

    /// A 2x2 box filter to RGB, as a capture card scales.
    static func halfSize(_ canvas: Canvas) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: canvas.width / 2 * canvas.height / 2 * 3)
        for y in 0..<canvas.height / 2 {
            for x in 0..<canvas.width / 2 {
                for channel in 0..<3 {
                    let sum = [(0, 0), (1, 0), (0, 1), (1, 1)].reduce(0) { total, offset in
                        total + Int(canvas.pixels[((2 * y + offset.1) * canvas.width + 2 * x + offset.0) * 4 + channel])
                    }
                    rgb[(y * canvas.width / 2 + x) * 3 + channel] = UInt8((sum + 2) / 4)
                }
            }
        }
        return rgb
    }

    @Test func aReleaseCarriesEverySlidesFingerprintAtEveryScreenSize() throws {
        let programme = try RenderFixture.programme(width: 900, height: 600, slides: Self.flags)
        let frames = try ApprovedFrames.compute(programme, renderer: SlideRenderer(typeface: RenderFixture.typeface())) { _ in nil }
        #expect(Array(frames.fingerprints.keys) == ["900x600"])
        #expect(frames.fingerprint(of: "russia", width: 900, height: 600) == Fingerprint(of: try Self.render("russia")))
        #expect(frames.slides(width: 900, height: 600).count == programme.slides.count)
        #expect(frames.fingerprint(of: "russia", width: 960, height: 480) == nil)
        #expect(try ApprovedFrames(json: try JSONParser().parse(JSONWriter.compact.encode(frames.json))) == frames)
        let fingerprint = Fingerprint(of: try Self.render("russia")).description
        for (text, reason) in [(#"[]"#, "frames: an object of screen sizes"),
                               (#"{"900":{}}"#, "frames.900: a screen size WIDTHxHEIGHT"),
                               (#"{"0x600":{}}"#, "frames.0x600: a screen size WIDTHxHEIGHT"),
                               (#"{"900x600":[]}"#, "frames.900x600: an object of slide fingerprints"),
                               (#"{"900x600":{"russia":"v1:00"}}"#, "frames.900x600.russia: a fingerprint (v1: and 384 hex digits)"),
                               (#"{"900x600":{"russia":"\#(fingerprint)","ukraine":7}}"#, "frames.900x600.ukraine: a fingerprint (v1: and 384 hex digits)")] {
            #expect(throws: RenderError(String(reason.split(separator: ":")[0]), String(reason.split(separator: ":", maxSplits: 1)[1].dropFirst())),
                    "\(text)") { try ApprovedFrames(json: try JSONParser().parse(Array(text.utf8))) }
        }
    }

    static func blurred(_ canvas: Canvas, radius: Int) -> Canvas {
        func pass(_ source: Canvas, horizontal: Bool) -> Canvas {
            var result = source
            for y in 0..<source.height {
                for x in 0..<source.width {
                    var sums = [0, 0, 0]
                    for step in -radius...radius {
                        let pixel = horizontal ? source[min(max(x + step, 0), source.width - 1), y]
                                               : source[x, min(max(y + step, 0), source.height - 1)]
                        sums[0] += Int(pixel.red)
                        sums[1] += Int(pixel.green)
                        sums[2] += Int(pixel.blue)
                    }
                    for channel in 0..<3 { result.pixels[(y * source.width + x) * 4 + channel] = UInt8(sums[channel] / (2 * radius + 1)) }
                }
            }
            return result
        }
        return pass(pass(canvas, horizontal: true), horizontal: false)
    }

    @Test func fingerprintsSurviveScalingBrightnessAndBlurButNotAFlagSwap() throws {
        let russia = Fingerprint(of: try Self.render("russia"))
        let ukraine = Fingerprint(of: try Self.render("ukraine"))
        let apart = russia.distance(to: ukraine)
        #expect(apart > 150, "Russia vs Ukraine: \(apart)")
        #expect(!russia.matches(ukraine))

        let small = try Self.render("russia", width: 150, height: 100)
        let variants: [(String, Canvas)] = [
            ("scaled to 150x100", small),
            ("dimmed to 40 %", OutputAdjustment(brightness: 0.4, gamma: 2.2).apply(to: try Self.render("russia"))),
            ("blurred (radius 3)", Self.blurred(small, radius: 3)),
            ("scaled, dimmed and blurred", Self.blurred(OutputAdjustment(brightness: 0.6, gamma: 2.2).apply(to: small), radius: 2)),
        ]
        for (name, canvas) in variants {
            let distance = russia.distance(to: Fingerprint(of: canvas))
            #expect(distance <= 14, "\(name): \(distance)")
            #expect(Fingerprint(of: canvas).distance(to: ukraine) > 150, "\(name) vs Ukraine")
        }
        // One flag of two swapped, the rest of the slide the same: still far apart.
        let welcome = Fingerprint(of: try Self.render("welcome-ru")), swapped = Fingerprint(of: try Self.render("welcome-ua"))
        #expect(welcome.distance(to: swapped) > 150, "one flag swapped: \(welcome.distance(to: swapped))")
        // The same welcome frame as a camera might see it: a third of the size, half the light, blurred.
        let seen = try Self.render("welcome-ru").resampledPremultiplied(width: 300, height: 200)
        let dimmedBlurredWelcome = Self.blurred(OutputAdjustment(brightness: 0.5, gamma: 2.2).apply(to: seen), radius: 2)
        #expect(welcome.distance(to: Fingerprint(of: dimmedBlurredWelcome)) <= 14)
        // A capture card's RGB24 gives the same fingerprint as the RGBA frame.
        let frame = try Self.render("ukraine")
        #expect(Fingerprint(rgb: frame.rgb, width: 900, height: 600) == ukraine)
        #expect(Fingerprint(ukraine.description) == ukraine)
        #expect(Fingerprint("v1:00") == nil)
    }

    /// Look-alike pairs never match, however either is dimmed, blurred or scaled; each flag
    /// dimmed to 70 % (or 40 %) with mild blur always matches itself. Chad and Romania differ only
    /// in their shades (the blue most: #002664 against #002B7F).
    @Test(arguments: [("russia", "ukraine"), ("netherlands", "russia"), ("indonesia", "poland"), ("chad", "romania")])
    func lookAlikeFlagsNeverMatchAndEachMatchesItselfDimmedAndBlurred(first: String, second: String) throws {
        var worstSelf = 0, closestPair = 255
        for (flag, other) in [(first, second), (second, first)] {
            let approved = Fingerprint(of: try Self.render(flag)), look = Fingerprint(of: try Self.render(other))
            for (width, height) in [(960, 480), (300, 200), (150, 100)] {
                let frame = try Self.render(flag, width: width, height: height)
                for brightness in [1.0, 0.7, 0.4] {
                    for radius in [0, 1, 2] {
                        var seen = OutputAdjustment(brightness: brightness, gamma: 2.2).apply(to: frame)
                        if radius > 0 { seen = Self.blurred(seen, radius: radius) }
                        let fingerprint = Fingerprint(of: seen)
                        worstSelf = max(worstSelf, fingerprint.distance(to: approved))
                        closestPair = min(closestPair, fingerprint.distance(to: look))
                        #expect(fingerprint.matches(approved), "\(flag) at \(width)x\(height), \(brightness), blur \(radius): \(fingerprint.distance(to: approved))")
                        #expect(!fingerprint.matches(look), "\(flag) at \(width)x\(height), \(brightness), blur \(radius) matches \(other)")
                    }
                }
            }
        }
        // Room on both sides of the threshold, not a knife edge.
        #expect(worstSelf <= Fingerprint.threshold - 5, "\(first), \(second): a frame \(worstSelf) from its own")
        #expect(closestPair >= Fingerprint.threshold + 5, "\(first), \(second): only \(closestPair) apart")
    }

    @Test func fadesBlendAndBrightnessScalesLight() throws {
        let russia = try Self.render("russia", width: 30, height: 30), ukraine = try Self.render("ukraine", width: 30, height: 30)
        #expect(Canvas.blend(from: russia, to: ukraine, progress: 0) == russia)
        #expect(Canvas.blend(from: russia, to: ukraine, progress: 65_536) == ukraine)
        let half = Canvas.blend(from: russia, to: ukraine, progress: 32_768)
        // Top left: white halfway to #0057B7.
        #expect(half[0, 0].red == 128 && half[0, 0].green == 171 && half[0, 0].blue == 219)
        let dimmed = OutputAdjustment(brightness: 0.5, gamma: 2.2)
        #expect(dimmed.rgb(russia).prefix(3).elementsEqual([186, 186, 186]))  // half the light of white
        #expect(OutputAdjustment.identity.isIdentity)
        #expect(OutputAdjustment.identity.rgb(russia) == russia.rgb)
        #expect(OutputAdjustment(brightness: 1, gamma: 1).rgb(russia).prefix(3).elementsEqual([255, 255, 255]))
    }
}
