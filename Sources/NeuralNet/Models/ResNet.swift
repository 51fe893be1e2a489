/// torchvision's ResNet-18/50 (`conv1`, `bn1`, `layer1..4`, `fc`), with a width multiplier.
enum ResNet {
    /// The feature extractor ending in global average pooling, and its feature width.
    static func backbone(depth: Int, width: Double) -> (Sequential, Int) {
        let bottleneck = depth >= 50
        let blocks = depth >= 50 ? [3, 4, 6, 3] : [2, 2, 2, 2]
        let expansion = bottleneck ? 4 : 1
        let base = makeDivisible(64 * width)
        var layers: [any Layer] = [
            Conv2D("conv1", 3, base, kernel: 7, stride: 2, padding: .explicit(3, 3)),
            BatchNorm("bn1", base), Activation(.relu), MaxPool2D(kernel: 3, stride: 2, padding: 1),
        ]
        var inplanes = base
        for (stage, count) in blocks.enumerated() {
            let planes = makeDivisible(Double(64 << stage) * width)
            for b in 0..<count {
                let stride = b == 0 && stage > 0 ? 2 : 1
                let name = "layer\(stage + 1).\(b)"
                let body: Sequential
                if bottleneck {
                    body = Sequential([
                        Conv2D(name + ".conv1", inplanes, planes, kernel: 1), BatchNorm(name + ".bn1", planes), Activation(.relu),
                        Conv2D(name + ".conv2", planes, planes, kernel: 3, stride: stride, padding: .explicit(1, 1)),
                        BatchNorm(name + ".bn2", planes), Activation(.relu),
                        Conv2D(name + ".conv3", planes, planes * expansion, kernel: 1), BatchNorm(name + ".bn3", planes * expansion),
                    ])
                } else {
                    body = Sequential([
                        Conv2D(name + ".conv1", inplanes, planes, kernel: 3, stride: stride, padding: .explicit(1, 1)),
                        BatchNorm(name + ".bn1", planes), Activation(.relu),
                        Conv2D(name + ".conv2", planes, planes, kernel: 3, padding: .explicit(1, 1)), BatchNorm(name + ".bn2", planes),
                    ])
                }
                var shortcut: Sequential?
                if stride != 1 || inplanes != planes * expansion {
                    shortcut = Sequential([Conv2D(name + ".downsample.0", inplanes, planes * expansion, kernel: 1, stride: stride),
                                           BatchNorm(name + ".downsample.1", planes * expansion)])
                }
                layers.append(Residual(body, shortcut: shortcut, reluAfter: true))
                inplanes = planes * expansion
            }
        }
        layers.append(GlobalAvgPool())
        return (Sequential(layers), inplanes)
    }
}
