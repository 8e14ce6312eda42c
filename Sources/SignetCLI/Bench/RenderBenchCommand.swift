import ArgumentParser
import Foundation
import SignetCore
import SignetRender
import SignetSystem

/// `signet bench render`: one 1920x1080 slide (a full-screen JPEG photo, two striped flags, two
/// lines of text) rendered by Signet and composed by ImageMagick, alternating, in one run.
struct RenderBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Time a 1920x1080 slide: Signet's renderer vs ImageMagick composing the same slide."
    )

    @Option(help: "Timed runs each (the median is reported).") var iterations = 7
    @Option(help: "Frames Signet renders per run.") var frames = 20
    @Option(help: "ImageMagick's convert.") var convert = "/usr/bin/convert"
    @Flag(help: "Print the result as JSON.") var json = false

    static let width = 1920, height = 1080
    static let font = ProgrammeFiles.defaultFont
    static let lines = ("Қош келдіңіз! Welcome!", "Добро пожаловать в Астану")

    func run() async throws {
        guard iterations >= 1, frames >= 1 else { throw ValidationError("need at least one run and one frame") }
        guard FileManager.default.isExecutableFile(atPath: convert) else {
            throw CLIError("ImageMagick's convert is not at \(convert) (Debian: apt-get install imagemagick)")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("signet-bench-render-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        status("making a 1920x1080 JPEG photo (ImageMagick plasma, fixed seed) …")
        let photoPath = "\(work)/photo.jpg"
        try ChildProcess(convert, ["-size", "1920x1080", "-seed", "7", "plasma:fractal", "-blur", "0x2", "-quality", "90", photoPath]).finish()
        let photo = Array(try Data(contentsOf: URL(fileURLWithPath: photoPath)))
        let hash = HashAlgorithm.digest("sha256", of: photo)!
        let programme = try Programme(bytes: Array(Self.document(photo: hash).utf8))
        let screen = programme.screens["bench"]!
        let renderer = SlideRenderer(typeface: try ProgrammeFiles.typeface(Self.font))

        // Correctness first: both must have composed the same picture.
        let ours = try renderer.prepare("slide", of: programme, for: screen) { $0 == hash ? photo : nil }.render()
        let theirs = try imageMagickFrame(photoPath)
        let distance = Fingerprint(of: ours).distance(to: Fingerprint(rgb: theirs, width: Self.width, height: Self.height))
        // Two renderers antialias text and filter the scaled photo each their own way, so the same
        // composition differs by a little more than one renderer's frames under dimming and blur;
        // anything missing, moved or recoloured is over 150.
        let sameComposition = 32
        status("frames agree: fingerprint distance \(distance) (same composition by two renderers: at most \(sameComposition))")
        guard distance <= sameComposition else { throw CLIError("Signet's and ImageMagick's frames differ (distance \(distance))") }

        status("\(iterations) runs each, alternating; Signet renders \(frames) frames per run, ImageMagick composes one (MAGICK_THREAD_LIMIT=1) …")
        var frameTimes: [Double] = [], coldTimes: [Double] = [], magickTimes: [Double] = []
        for run in 1...iterations {
            // Cold: decode the JPEG, scale it, set the text, then composite: a slide's first frame.
            var start = DispatchTime.now()
            let prepared = try renderer.prepare("slide", of: programme, for: screen) { $0 == hash ? photo : nil }
            var frame = prepared.render()
            let cold = Self.seconds(since: start)
            // Warm: every further frame is composited from the prepared layers into the same frame
            // buffer, as a player does.
            start = DispatchTime.now()
            for _ in 0..<frames { prepared.render(into: &frame) }
            let perFrame = Self.seconds(since: start) / Double(frames)
            precondition(frame.width == Self.width)
            start = DispatchTime.now()
            _ = try imageMagickFrame(photoPath)
            let magick = Self.seconds(since: start)
            coldTimes.append(cold)
            frameTimes.append(perFrame)
            magickTimes.append(magick)
            status(String(format: "  run %d: Signet %.2f ms per frame (first frame %.1f ms), ImageMagick %.1f ms", run,
                          perFrame * 1000, cold * 1000, magick * 1000))
        }
        let frame = BenchResult.median(frameTimes), cold = BenchResult.median(coldTimes), magick = BenchResult.median(magickTimes)
        if json {
            let result: JSONValue = [
                "benchmark": "render", "width": .integer(Int64(Self.width)), "height": .integer(Int64(Self.height)),
                "runs": .integer(Int64(iterations)), "frames_per_run": .integer(Int64(frames)),
                "signet_frame_median_us": .integer(Int64((frame * 1e6).rounded())),
                "signet_first_frame_median_us": .integer(Int64((cold * 1e6).rounded())),
                "imagemagick_median_us": .integer(Int64((magick * 1e6).rounded())),
                "ratio": .string(String(format: "%.1f", magick / frame)),
                "ratio_first_frame": .string(String(format: "%.1f", magick / cold)),
                "fingerprint_distance": .integer(Int64(distance)),
            ]
            print(JSONWriter.pretty.string(result), terminator: "")
            return
        }
        print("""
            1920x1080 slide (full-screen JPEG photo, two striped flags, two lines of text), median of \(iterations) runs, one core each
              Signet, per frame (slide prepared):    \(String(format: "%8.2f ms", frame * 1000))
              Signet, first frame (decode + set):   \(String(format: "%8.2f ms", cold * 1000))
              ImageMagick convert, one slide:        \(String(format: "%8.2f ms", magick * 1000))
              ratio: ImageMagick / Signet = \(String(format: "%.1f", magick / frame))x per frame, \(String(format: "%.1f", magick / cold))x for a first frame
            """)
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// ImageMagick composing the slide from the same photo and font, as raw RGB on stdout.
    func imageMagickFrame(_ photoPath: String) throws -> [UInt8] {
        setenv("MAGICK_THREAD_LIMIT", "1", 1)
        let arguments = [
            photoPath, "-resize", "1920x1080!",
            "-fill", "#FFFFFF", "-draw", "rectangle 80,80 559,179", "-fill", "#0039A6", "-draw", "rectangle 80,180 559,279",
            "-fill", "#D52B1E", "-draw", "rectangle 80,280 559,399",
            "-fill", "#0055A4", "-draw", "rectangle 1360,80 1519,399", "-fill", "#FFFFFF", "-draw", "rectangle 1520,80 1679,399",
            "-fill", "#EF4135", "-draw", "rectangle 1680,80 1839,399",
            "-font", Self.font, "-gravity", "North", "-fill", "#FFD700", "-pointsize", "80", "-annotate", "+0+760", Self.lines.0,
            "-fill", "#FFFFFF", "-pointsize", "64", "-annotate", "+0+900", Self.lines.1,
            "-depth", "8", "rgb:-",
        ]
        let output = try ChildProcess(convert, arguments).finish()
        guard output.count == Self.width * Self.height * 3 else { throw CLIError("ImageMagick gave \(output.count) bytes") }
        return output
    }

    static func document(photo hash: String) -> String {
        """
        {"format": 1,
         "policies": {"p": {"min_dwell_ms": 10000, "transitions": ["cut"], "static_only": true,
                            "luminance": {"day_cd_m2": 5000, "night_cd_m2": 300, "night_from": "22:00", "night_to": "06:00"}}},
         "screens": {"bench": {"width": 1920, "height": 1080, "time_zone": "Europe/Berlin", "policy": "p",
                               "default_playlist": "l", "safe_slide": "slide"}},
         "assets": {"\(hash)": {"type": "jpeg", "width": 1920, "height": 1080}},
         "slides": {"slide": {"elements": [
           {"type": "image", "x": 0, "y": 0, "width": 1920, "height": 1080, "asset": "\(hash)", "fit": "fill"},
           {"type": "stripes", "x": 80, "y": 80, "width": 480, "height": 320, "direction": "horizontal",
            "colours": ["#FFFFFF", "#0039A6", "#D52B1E"]},
           {"type": "stripes", "x": 1360, "y": 80, "width": 480, "height": 320, "direction": "vertical",
            "colours": ["#0055A4", "#FFFFFF", "#EF4135"]},
           {"type": "text", "x": 0, "y": 740, "width": 1920, "height": 130, "text": "\(lines.0)", "size": 80,
            "colour": "#FFD700", "align": "center"},
           {"type": "text", "x": 0, "y": 880, "width": 1920, "height": 110, "text": "\(lines.1)", "size": 64,
            "colour": "#FFFFFF", "align": "center"}]}},
         "playlists": {"l": {"items": [{"slide": "slide", "dwell_ms": 10000}], "transition": {"type": "cut"}}},
         "schedule": []}
        """
    }
}
