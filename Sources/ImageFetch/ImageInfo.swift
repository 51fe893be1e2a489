/// What the header of a fetched image says: format and pixel dimensions (no pixels decoded).
public struct ImageInfo: Sendable, Hashable, Codable {
    /// Container format sniffed from the bytes.
    public let format: ImageFormat
    /// Width in pixels from the header.
    public let width: Int
    /// Height in pixels from the header.
    public let height: Int

    /// An image description.
    public init(format: ImageFormat, width: Int, height: Int) {
        self.format = format; self.width = width; self.height = height
    }

    /// Width × height.
    public var pixelCount: Int { width * height }
}
