import CFreeType

/// A font file's bytes, checked once with FreeType. Faces are opened per use, so a typeface can
/// be shared freely between tasks (FreeType faces themselves are not thread-safe).
public struct Typeface: Sendable {
    public let name: String
    let bytes: [UInt8]

    /// Refuses bytes FreeType cannot open as a scalable font.
    public init(name: String, bytes: [UInt8]) throws(RenderError) {
        self.name = name
        self.bytes = bytes
        let scalable = try withFace { face throws(RenderError) in (face.pointee.face_flags & FT_Long(FT_FACE_FLAG_SCALABLE)) != 0 }
        guard scalable else { throw RenderError("font \(name)", "not a scalable font") }
    }

    /// Opens a FreeType face over the bytes for the duration of `body`.
    func withFace<T>(_ body: (FT_Face) throws(RenderError) -> T) throws(RenderError) -> T {
        var library: FT_Library?
        guard FT_Init_FreeType(&library) == 0, let library else { throw RenderError("font \(name)", "FreeType did not start") }
        defer { FT_Done_FreeType(library) }
        return try bytes.withUnsafeBufferPointer { buffer throws(RenderError) -> T in
            var face: FT_Face?
            let status = FT_New_Memory_Face(library, buffer.baseAddress, FT_Long(buffer.count), 0, &face)
            guard status == 0, let face else {
                let reason = FT_Error_String(status).map { String(cString: $0) } ?? "error \(status)"
                throw RenderError("font \(name)", "FreeType cannot load it: \(reason)")
            }
            defer { FT_Done_Face(face) }
            return try body(face)
        }
    }
}
