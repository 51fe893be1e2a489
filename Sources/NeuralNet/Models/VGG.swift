/// torchvision's VGG-16/19 without batch norm (`features.*`, `classifier.0/3/6`).
enum VGG {
    /// Channel plan; 0 marks a 2×2 max pool.
    static func plan(depth: Int) -> [Int] {
        let per = depth >= 19 ? [2, 2, 4, 4, 4] : [2, 2, 3, 3, 3]
        var out: [Int] = []
        for (i, n) in per.enumerated() { out += Array(repeating: min(64 << i, 512), count: n) + [0] }
        return out
    }

    /// The convolutional features followed by global average pooling (512-d at width 1).
    static func backbone(depth: Int, width: Double) -> (Sequential, Int) {
        var layers: [any Layer] = []
        var cin = 3, index = 0
        for c in plan(depth: depth) {
            if c == 0 { layers.append(MaxPool2D(kernel: 2)); index += 1; continue }
            let cout = makeDivisible(Double(c) * width)
            layers.append(Conv2D("features.\(index)", cin, cout, kernel: 3, padding: .explicit(1, 1), bias: true))
            layers.append(Activation(.relu))
            index += 2; cin = cout
        }
        layers.append(GlobalAvgPool())
        return (Sequential(layers), cin)
    }

    /// The ImageNet classifier's weights (input 512·7·7 after torchvision's adaptive pool).
    static func classifier(features: Int, classes: Int) -> Sequential {
        Sequential([Dense("classifier.0", features * 49, 4096), Activation(.relu), Dropout(0.5),
                    Dense("classifier.3", 4096, 4096), Activation(.relu), Dropout(0.5),
                    Dense("classifier.6", 4096, classes)])
    }
}
