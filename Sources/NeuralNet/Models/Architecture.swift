/// The backbones the engine builds, named as torchvision names them.
public enum Architecture: String, CaseIterable, Sendable, Codable {
    case mobilenet_v2, efficientnet_lite0, resnet18, resnet50, vgg16, vgg19, inception_v3

    /// Parses a name, throwing a clear error listing the known ones.
    public static func named(_ name: String) throws -> Architecture {
        guard let a = Architecture(rawValue: name) else {
            throw NeuralNetError.invalidOption(name: "backbone", value: name, allowed: allCases.map(\.rawValue))
        }
        return a
    }

    /// Smallest square input (pixels) whose features the backbone can compute: Inception-v3's unpadded
    /// stem and three stride-2 reductions need 75 px; the others run from 32 px.
    public var minimumInputSize: Int { self == .inception_v3 ? 75 : 32 }

    /// Per-channel input mean and standard deviation (0–1 scale) the ImageNet weights expect: TF
    /// EfficientNet-Lite's `(x - 127) / 128` for efficientnet_lite0 (its stem batch-norm statistics
    /// match that scaling, see scripts/efficientnet-lite0-reference.py), ImageNet's for the others.
    public var inputNormalization: (mean: [Float], std: [Float]) {
        self == .efficientnet_lite0 ? ([Float](repeating: 127 / 255, count: 3), [Float](repeating: 128 / 255, count: 3))
            : ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    }
}

/// torchvision's `_make_divisible`: round channel counts to a multiple of 8, never dropping more than 10 %.
func makeDivisible(_ v: Double, _ divisor: Int = 8) -> Int {
    var n = max(divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
    if Double(n) < 0.9 * v { n += divisor }
    return n
}

/// Conv → BatchNorm → activation, named `name.0` and `name.1` (torchvision `Conv2dNormActivation`).
func convBNAct(_ name: String, _ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1, groups: Int = 1,
               act: Activation.Kind? = .relu6) -> Sequential {
    convBN(Conv2D(name + ".0", cin, cout, kernel: kernel, stride: stride, padding: .explicit((kernel - 1) / 2, (kernel - 1) / 2), groups: groups),
           BatchNorm(name + ".1", cout), act: act)
}

/// `conv` → `bn` → optional activation, as one block.
func convBN(_ conv: Conv2D, _ bn: BatchNorm, act: Activation.Kind? = nil) -> Sequential {
    Sequential([conv, bn] + (act.map { [Activation($0)] } ?? []))
}
