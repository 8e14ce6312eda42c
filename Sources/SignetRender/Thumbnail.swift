extension Canvas {
    /// A smaller copy for previews on the console: at most `maxSide` pixels on the longer side,
    /// same aspect (an area average, so thin lines still count).
    public func thumbnail(maxSide: Int = 320) -> Canvas {
        guard width > maxSide || height > maxSide else { return self }
        let longer = max(width, height)
        return resampledPremultiplied(width: max(1, width * maxSide / longer), height: max(1, height * maxSide / longer))
    }
}
