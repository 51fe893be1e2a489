import Foundation
import Testing
@testable import NeuralNet

/// Shapes and learnable-parameter counts equal torchvision's (counts from torchvision's model
/// documentation "num_params": mobilenet_v2 3,504,872; resnet18 11,689,512; resnet50 25,557,032;
/// vgg16 138,357,544; vgg19 143,667,240). inception_v3 23,834,568: torchvision 0.29's
/// `inception_v3(aux_logits=False)`, `sum(p.numel() for p in model.parameters())`, computed by
/// scripts/inception-v3-reference.py (also in Tests/Fixtures/nn/inception_v3_torchvision.json).
/// efficientnet_lite0 4,652,008: the ImageNet checkpoint's tensors without running statistics and
/// `num_batches_tracked`, printed by scripts/efficientnet-lite0-reference.py.
@Suite struct ArchitectureTests {
    @Test(arguments: [(Architecture.mobilenet_v2, 3_504_872), (.resnet18, 11_689_512), (.resnet50, 25_557_032),
                      (.vgg16, 138_357_544), (.vgg19, 143_667_240), (.inception_v3, 23_834_568), (.efficientnet_lite0, 4_652_008)])
    func torchvisionParameterCounts(arch: Architecture, expected: Int) throws {
        let net = try Network(.imagenet(arch), seed: 1, initialize: false)
        #expect(net.learnableCount == expected)
    }

    @Test func mobilenetStateDictNames() throws {
        let net = try Network(.imagenet(.mobilenet_v2), seed: 1, initialize: false)
        let names = Set(net.parameters.map(\.name))
        // torchvision's state_dict has 314 entries (weights, biases, running stats, num_batches_tracked).
        #expect(names.count == net.parameters.count)
        #expect(net.parameters.count == 314)
        for n in ["features.0.0.weight", "features.0.1.running_var", "features.1.conv.0.0.weight", "features.1.conv.1.weight",
                  "features.2.conv.0.0.weight", "features.2.conv.3.num_batches_tracked", "features.18.0.weight", "classifier.1.bias"] {
            #expect(names.contains(n), "missing \(n)")
        }
    }

    @Test(arguments: [(Architecture.mobilenet_v2, 0.5, 1280), (.mobilenet_v2, 1.0, 1280), (.resnet18, 0.25, 128), (.resnet50, 0.25, 512)])
    func forwardShapes(arch: Architecture, width: Double, dim: Int) throws {
        let net = try Network(NetworkConfig(architecture: arch, width: width, numClasses: 4), seed: 3)
        #expect(net.featureDim == dim)
        let x = GradientCheck.random([3, 2, 32, 32], seed: 4)
        let f = net.features(x, training: false)
        #expect(f.shape == [2, dim])
        let y = net.forward(x, training: true)
        #expect(y.shape == [2, 4])
        #expect(y.data.allSatisfy { $0.isFinite })
    }

    /// Width 0.25 shrinks the backbone (lite0's fixed stem and 1280-wide head shrink less).
    @Test(arguments: [(Architecture.resnet18, 8), (.inception_v3, 8), (.efficientnet_lite0, 4)])
    func widthMultiplierShrinks(arch: Architecture, factor: Int) throws {
        let full = try Network(NetworkConfig(architecture: arch, numClasses: 4), seed: 1, initialize: false)
        let small = try Network(NetworkConfig(architecture: arch, width: 0.25, numClasses: 4), seed: 1, initialize: false)
        #expect(small.backbone.parameters.filter { !$0.isBuffer }.reduce(0) { $0 + $1.count }
                < full.backbone.parameters.filter { !$0.isBuffer }.reduce(0) { $0 + $1.count } / factor)
    }

    /// At 128 px (the research's size) the new backbones run at full and reduced width: Inception-v3's last
    /// map is 2×2 (2048 channels at width 1), EfficientNet-Lite0's 4×4 (1280 channels at any width).
    @Test(arguments: [(Architecture.inception_v3, 1.0, 2048, 2), (.inception_v3, 0.25, 512, 2),
                      (.efficientnet_lite0, 1.0, 1280, 4), (.efficientnet_lite0, 0.5, 1280, 4)])
    func forwardAt128(arch: Architecture, width: Double, dim: Int, side: Int) throws {
        let net = try Network(NetworkConfig(architecture: arch, width: width, numClasses: 4), seed: 3)
        #expect(net.featureDim == dim)
        let x = GradientCheck.random([3, 2, 128, 128], seed: 4)
        try net.validate(x)
        let map = Sequential(Array(net.backbone.layers.dropLast())).forward(x, training: false)
        #expect(map.shape == [dim, 2, side, side])
        let y = net.forward(x, training: true)
        #expect(y.shape == [2, 4])
        #expect(y.data.allSatisfy { $0.isFinite })
        net.backward(GradientCheck.random(y.shape, seed: 5))
        #expect(net.convolutions[1].weight.grad.contains { $0 != 0 })
    }

    /// Inception-v3 needs 75 px (unpadded stem and reductions); smaller input is refused by `validate`.
    @Test func inceptionMinimumInput() throws {
        let net = try Network(NetworkConfig(architecture: .inception_v3, width: 0.25, numClasses: 4), seed: 3)
        #expect(throws: NeuralNetError.self) { try net.validate(GradientCheck.random([3, 1, 74, 74], seed: 1)) }
        let y = net.forward(GradientCheck.random([3, 1, 75, 75], seed: 1), training: false)
        #expect(y.shape == [1, 4] && y.data.allSatisfy { $0.isFinite })
    }

    /// Every state-dict name and shape equals torchvision's `inception_v3(aux_logits=False)` (566 entries),
    /// so a torchvision `.pth` loads as is.
    @Test func inceptionStateDictMatchesTorchvision() throws {
        struct Reference: Decodable { let learnable: Int; let shapes: [String: [Int]] }
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Fixtures.nn("inception_v3_torchvision.json")))
        let net = try Network(.imagenet(.inception_v3), seed: 1, initialize: false)
        let ours = Dictionary(uniqueKeysWithValues: net.parameters.map { ($0.name, $0.shape) })
        #expect(ours.count == 566 && net.parameters.count == 566)
        #expect(ours == ref.shapes)
        #expect(net.learnableCount == ref.learnable)
    }

    /// Inception-v3's logits at 128 px equal torchvision's for the same (formula-made) weights within 1e-3
    /// max-abs (logits ~N(0, 0.6)), same top-5: fixture from scripts/inception-v3-reference.py.
    @Test func inceptionMatchesTorchvisionLogits() throws {
        let net = try Network(.imagenet(.inception_v3), seed: 1, initialize: false)
        for (k, p) in net.parameters.sorted(by: { $0.name < $1.name }).enumerated() {
            p.value = Self.referenceWeights(p, k: k)
        }
        let (worst, sameTop5) = try ParityCheck.compare(net, fixture: "inception_v3_parity.safetensors", imageBatch: ImageBatch())
        #expect(worst < 1e-3, "max abs diff \(worst)")
        #expect(sameTop5 == [true, true])
    }

    /// The weights of scripts/inception-v3-reference.py: identity batch norms, zero biases, and hashed
    /// Kaiming-uniform values for convolution and dense weights (`k` is the tensor's sorted-name position).
    static func referenceWeights(_ p: Parameter, k: Int) -> [Float] {
        let n = p.count
        if p.name.hasSuffix("running_var") || p.name.hasSuffix("bn.weight") { return [Float](repeating: 1, count: n) }
        if p.shape.count < 2 { return [Float](repeating: 0, count: n) }
        let bound = (6 / Double(n / p.shape[0])).squareRoot()
        return (0..<n).map { i in
            var x = UInt32(truncatingIfNeeded: i) &+ UInt32(k) &* 0x9E37_79B1
            x ^= x >> 16; x = x &* 0x7FEB_352D; x ^= x >> 15; x = x &* 0x846C_A68B; x ^= x >> 16
            return Float(bound * (2 * Double(x) / 4_294_967_296 - 1))
        }
    }
}
