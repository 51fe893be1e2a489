// libFuzzer target: the PNG path (libpng simplified API, 16-bit narrowing, alpha compositing). Built by fuzz/build.sh.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    if let img = try? PNGDecoder.decode(data, options: DecodeOptions(maxPixels: 4_000_000, maxSide: 4000)) {
        _ = Resampler.fit(img, to: FitTarget(size: 24, mode: .stretch))
    }
    return 0
}
