import Randomness

/// A backbone (ending in global average pooling) plus a top: the research head or an ImageNet classifier.
/// Images go in as CNHW `[3, N, H, W]`, logits come out as `[N, classes]`.
public final class Network {
    /// What was built.
    public let config: NetworkConfig
    /// Convolutional feature extractor: `[3, N, H, W]` → `[N, featureDim]`.
    public let backbone: Sequential
    /// Width of the pooled features (1280 for MobileNetV2 and EfficientNet-Lite0, 512 for ResNet-18, 2048 for Inception-v3).
    public let featureDim: Int
    /// The head or classifier: `[N, featureDim]` → `[N, classes]`.
    public let top: Sequential

    /// Builds the network; `initialize` draws torchvision-style initial weights from `seed`.
    public init(_ config: NetworkConfig, seed: UInt64, initialize: Bool = true) throws {
        guard config.numClasses >= 1, config.width > 0, config.width <= 4 else {
            throw NeuralNetError.invalidOption(name: "width/classes", value: "\(config.width)/\(config.numClasses)", allowed: ["width in (0, 4]", "classes ≥ 1"])
        }
        self.config = config
        Buffers.tuneAllocator
        switch config.architecture {
        case .mobilenet_v2: (backbone, featureDim) = MobileNetV2.backbone(width: config.width)
        case .efficientnet_lite0: (backbone, featureDim) = EfficientNetLite.backbone(width: config.width)
        case .inception_v3: (backbone, featureDim) = InceptionV3.backbone(width: config.width)
        case .resnet18: (backbone, featureDim) = ResNet.backbone(depth: 18, width: config.width)
        case .resnet50: (backbone, featureDim) = ResNet.backbone(depth: 50, width: config.width)
        case .vgg16: (backbone, featureDim) = VGG.backbone(depth: 16, width: config.width)
        case .vgg19: (backbone, featureDim) = VGG.backbone(depth: 19, width: config.width)
        }
        if config.imagenetClassifier {
            switch config.architecture {
            case .mobilenet_v2: top = MobileNetV2.classifier(features: featureDim, classes: config.numClasses)
            case .efficientnet_lite0: top = EfficientNetLite.classifier(features: featureDim, classes: config.numClasses)
            case .inception_v3: top = InceptionV3.classifier(features: featureDim, classes: config.numClasses)
            case .resnet18, .resnet50: top = Sequential([Dense("fc", featureDim, config.numClasses)])
            case .vgg16, .vgg19: top = VGG.classifier(features: featureDim, classes: config.numClasses)
            }
        } else {
            var layers: [any Layer] = []
            var cin = featureDim, index = 0
            for h in config.hidden {
                layers += [Dense("head.\(index)", cin, h), BatchNorm("head.\(index + 1)", h, channelsFirst: false),
                           Activation(.relu), Dropout(Float(config.dropout))]
                index += 4; cin = h
            }
            layers.append(Dense("head.\(index)", cin, config.numClasses))
            top = Sequential(layers)
        }
        convolutions.first?.needsInputGradient = false
        for (i, d) in dropouts.enumerated() { d.generator = SeededGenerator(seed: seed, stream: "dropout-\(i)") }
        if initialize { initializeWeights(seed: seed) }
    }

    /// Every weight and buffer, backbone first, in torchvision's order.
    public var parameters: [Parameter] { backbone.parameters + top.parameters }

    /// Number of learnable values (what torchvision's `sum(p.numel() for p in model.parameters())` counts).
    public var learnableCount: Int { parameters.filter { !$0.isBuffer }.reduce(0) { $0 + $1.count } }

    /// Dropout layers, in order (their generators are part of a training checkpoint).
    public var dropouts: [Dropout] { (backbone.allLayers + top.allLayers).compactMap { $0 as? Dropout } }

    /// Convolutions, in order (for FLOP accounting).
    public var convolutions: [Conv2D] { backbone.allLayers.compactMap { $0 as? Conv2D } }

    /// Pooled backbone features for CNHW images.
    public func features(_ images: Tensor, training: Bool) -> Tensor { backbone.forward(images, training: training) }

    /// Logits for CNHW images.
    public func forward(_ images: Tensor, training: Bool) -> Tensor {
        top.forward(backbone.forward(images, training: training), training: training)
    }

    /// Back-propagates logit gradients through the top and, unless `headOnly`, the backbone.
    public func backward(_ grad: Tensor, headOnly: Bool = false) {
        let g = top.backward(grad)
        if !headOnly { _ = backbone.backward(g) }
    }

    /// Checks that `images` is CNHW with 3 channels and at least the architecture's minimum size.
    public func validate(_ images: Tensor) throws {
        let least = config.architecture.minimumInputSize
        guard images.shape.count == 4, images.shape[0] == 3, images.shape[2] >= least, images.shape[3] >= least else {
            throw NeuralNetError.shapeMismatch(what: "input images (CNHW)", expected: [3, -1, least, least], got: images.shape)
        }
    }

    /// torchvision-style initialisation: Kaiming-normal (fan-out) convolutions, unit batch norms,
    /// and per-architecture dense layers; all draws from `seed`.
    func initializeWeights(seed: UInt64) {
        var g = SeededGenerator(seed: seed, stream: "init")
        for p in parameters where p.trainable && p.name.hasSuffix(".weight") {
            if p.shape.count == 4 {
                let fanOut = p.shape[0] * p.shape[2] * p.shape[3]
                let std = (2.0 / Double(fanOut)).squareRoot()
                for i in 0..<p.count { p.value[i] = Float(g.nextGaussian() * std) }
            } else if p.shape.count == 2 {
                let fanIn = p.shape[1]
                let useNormal = config.imagenetClassifier && config.architecture != .resnet18 && config.architecture != .resnet50
                if useNormal {
                    for i in 0..<p.count { p.value[i] = Float(g.nextGaussian() * 0.01) }
                } else {
                    let bound = 1 / Double(fanIn).squareRoot()
                    for i in 0..<p.count { p.value[i] = Float((g.nextDouble() * 2 - 1) * bound) }
                    if let bias = parameters.first(where: { $0.name == String(p.name.dropLast(6)) + "bias" }) {
                        for i in 0..<bias.count { bias.value[i] = Float((g.nextDouble() * 2 - 1) * bound) }
                    }
                }
            }
        }
    }
}
