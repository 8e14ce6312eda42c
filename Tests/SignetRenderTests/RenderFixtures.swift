import Foundation
import SignetCore
import SignetRender

/// The DejaVu font the renderer uses, and small programmes to render.
enum RenderFixture {
    static let fontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

    static func typeface() throws -> Typeface {
        try Typeface(name: "DejaVuSans", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: fontPath))))
    }

    /// Checked-in expected frames, beside this file.
    static func goldenURL(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").appendingPathComponent(name)
    }

    /// A programme with one screen of `width` x `height` and the given slides (JSON of the
    /// "slides" object) and assets (JSON of "assets").
    static func programme(width: Int, height: Int, slides: String, assets: String = "{}") throws -> Programme {
        let document = """
            {"format": 1,
             "policies": {"p": {"min_dwell_ms": 10000, "transitions": ["cut"], "static_only": true,
                                "luminance": {"day_cd_m2": 5000, "night_cd_m2": 300, "night_from": "22:00", "night_to": "06:00"}}},
             "screens": {"s": {"width": \(width), "height": \(height), "time_zone": "Europe/Berlin", "policy": "p",
                               "default_playlist": "default", "safe_slide": "safe"}},
             "assets": \(assets),
             "slides": \(slides),
             "playlists": {"default": {"items": [{"slide": "safe", "dwell_ms": 10000}], "transition": {"type": "cut"}}},
             "schedule": []}
            """
        return try Programme(bytes: Array(document.utf8))
    }
}
