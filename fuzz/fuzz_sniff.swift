// libFuzzer target: the format sniffer and the full makeThumbnail entry point. Built by fuzz/build.sh.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSniff(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    _ = ImageFormat.sniff(data)
    _ = ImageFormat.hint(data)
    _ = try? Thumbnailer(size: 16, mode: .pad, maxPixels: 4_000_000, maxSide: 4000).thumbnail(data)
    return 0
}
