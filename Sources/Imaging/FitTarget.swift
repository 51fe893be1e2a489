/// A square thumbnail size and fit mode, and the geometry it implies for a source image.
public struct FitTarget: Sendable, Hashable {
    /// Side of the square output in pixels.
    public var size: Int
    /// How the source fits the square.
    public var mode: FitMode

    /// A target of `size` pixels fitted by `mode`.
    public init(size: Int, mode: FitMode) { self.size = size; self.mode = mode }

    /// Where a `width`×`height` source goes: the source region (possibly fractional) and the
    /// destination rectangle inside the `size`×`size` square.
    public func layout(width: Int, height: Int) -> (source: (x: Double, y: Double, width: Double, height: Double),
                                                   dest: (x: Int, y: Int, width: Int, height: Int)) {
        let s = max(1, size), w = Double(max(1, width)), h = Double(max(1, height))
        switch mode {
        case .stretch:
            return ((0, 0, w, h), (0, 0, s, s))
        case .crop:
            let side = min(w, h)
            return (((w - side) / 2, (h - side) / 2, side, side), (0, 0, s, s))
        case .pad:
            if w >= h {
                let dh = min(s, max(1, Int((Double(s) * h / w).rounded())))
                return ((0, 0, w, h), (0, (s - dh) / 2, s, dh))
            } else {
                let dw = min(s, max(1, Int((Double(s) * w / h).rounded())))
                return ((0, 0, w, h), ((s - dw) / 2, 0, dw, s))
            }
        }
    }

    /// The smallest decoded size that still gives full resolution for this target.
    public func decodeSize(width: Int, height: Int) -> (width: Int, height: Int) {
        switch mode {
        case .stretch, .crop:
            // Both need the short side to reach `size`; the long side then does too.
            return (size, size)
        case .pad:
            let d = layout(width: width, height: height).dest
            return (d.width, d.height)
        }
    }
}
