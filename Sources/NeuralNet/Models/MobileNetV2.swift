/// torchvision's MobileNetV2 (`features.*`, `classifier.1`), with a width multiplier.
enum MobileNetV2 {
    /// (expansion t, channels c, repeats n, stride s) per stage, as in the paper and torchvision.
    static let settings: [(Int, Int, Int, Int)] = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                                                    (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    /// The feature extractor ending in global average pooling, and its feature width.
    static func backbone(width: Double) -> (Sequential, Int) {
        var input = makeDivisible(32 * width)
        let last = makeDivisible(1280 * max(1, width))
        var layers: [any Layer] = [convBNAct("features.0", 3, input, kernel: 3, stride: 2)]
        var index = 1
        for (t, c, n, s) in settings {
            let out = makeDivisible(Double(c) * width)
            for i in 0..<n {
                layers.append(invertedResidual("features.\(index)", input, out, stride: i == 0 ? s : 1, expand: t))
                input = out; index += 1
            }
        }
        layers.append(convBNAct("features.\(index)", input, last, kernel: 1))
        layers.append(GlobalAvgPool())
        return (Sequential(layers), last)
    }

    /// The ImageNet classifier: dropout 0.2 then `classifier.1`.
    static func classifier(features: Int, classes: Int) -> Sequential {
        Sequential([Dropout(0.2), Dense("classifier.1", features, classes)])
    }

    /// One inverted-residual block (`name.conv.*`), residual when stride 1 and channels match.
    static func invertedResidual(_ name: String, _ inp: Int, _ oup: Int, stride: Int, expand: Int) -> any Layer {
        let hidden = inp * expand
        var layers: [any Layer] = []
        var j = 0
        if expand != 1 { layers.append(convBNAct("\(name).conv.0", inp, hidden, kernel: 1)); j = 1 }
        layers.append(convBNAct("\(name).conv.\(j)", hidden, hidden, kernel: 3, stride: stride, groups: hidden))
        layers.append(Conv2D("\(name).conv.\(j + 1)", hidden, oup, kernel: 1))
        layers.append(BatchNorm("\(name).conv.\(j + 2)", oup))
        let body = Sequential(layers)
        return stride == 1 && inp == oup ? Residual(body) : body
    }
}
