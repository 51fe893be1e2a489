import Foundation
import Testing
@testable import Imaging

/// Every input under Fixtures/images/imaging/fuzz-regressions (inputs that crashed a fuzz target,
/// plus seeds for the known bad-input classes) must decode or throw an ImagingError.
@Suite struct FuzzRegressionTests {
    @Test func regressionInputsNeverCrash() throws {
        let dir = Fixtures.folder.appendingPathComponent("fuzz-regressions")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            for mode in FitMode.allCases {
                do { _ = try makeThumbnail(data, size: 32, mode: mode) } catch let e as ImagingError {
                    #expect(!e.reason.isEmpty, "\(name)")
                }
            }
        }
    }
}
