// libFuzzer target: the JPEG path (header, DCT-scaled decode, orientation, resize). Built by fuzz/build.sh.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    var options = DecodeOptions(maxPixels: 4_000_000, maxSide: 4000)
    _ = try? JPEGDecoder.decode(data, options: options)
    options.target = FitTarget(size: 32, mode: .crop)
    if let img = try? JPEGDecoder.decode(data, options: options) { _ = Resampler.fit(img, to: FitTarget(size: 32, mode: .pad)) }
    return 0
}
