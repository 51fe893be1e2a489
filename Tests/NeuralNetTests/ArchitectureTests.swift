import Testing
@testable import NeuralNet

/// Shapes and learnable-parameter counts equal torchvision's (counts from torchvision's model
/// documentation "num_params": mobilenet_v2 3,504,872; resnet18 11,689,512; resnet50 25,557,032;
/// vgg16 138,357,544; vgg19 143,667,240).
@Suite struct ArchitectureTests {
    @Test(arguments: [(Architecture.mobilenet_v2, 3_504_872), (.resnet18, 11_689_512), (.resnet50, 25_557_032),
                      (.vgg16, 138_357_544), (.vgg19, 143_667_240)])
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

    @Test func widthMultiplierShrinks() throws {
        let full = try Network(NetworkConfig(architecture: .resnet18, numClasses: 4), seed: 1, initialize: false)
        let small = try Network(NetworkConfig(architecture: .resnet18, width: 0.25, numClasses: 4), seed: 1, initialize: false)
        #expect(small.learnableCount < full.learnableCount / 8)
    }
}
