/// The backbones the engine builds, named as torchvision names them.
public enum Architecture: String, CaseIterable, Sendable, Codable {
    case mobilenet_v2, resnet18, resnet50, vgg16, vgg19

    /// Parses a name, throwing a clear error listing the known ones.
    public static func named(_ name: String) throws -> Architecture {
        guard let a = Architecture(rawValue: name) else {
            throw NeuralNetError.invalidOption(name: "backbone", value: name, allowed: allCases.map(\.rawValue))
        }
        return a
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
    var layers: [any Layer] = [
        Conv2D(name + ".0", cin, cout, kernel: kernel, stride: stride, padding: .explicit((kernel - 1) / 2, (kernel - 1) / 2), groups: groups),
        BatchNorm(name + ".1", cout),
    ]
    if let act { layers.append(Activation(act)) }
    return Sequential(layers)
}
