/// A differentiable layer: `forward` caches what `backward` needs; `backward` takes the gradient
/// of the loss with respect to the output, accumulates parameter gradients and returns the
/// gradient with respect to the input.
public protocol Layer: AnyObject {
    /// Output for `x`; `training` selects batch statistics and dropout.
    func forward(_ x: Tensor, training: Bool) -> Tensor
    /// Gradient with respect to the last forward's input.
    func backward(_ grad: Tensor) -> Tensor
    /// Learnable weights and persistent buffers, in torchvision's order.
    var parameters: [Parameter] { get }
    /// Directly contained layers (for walking the tree, e.g. to find dropout generators).
    var sublayers: [any Layer] { get }
}

extension Layer {
    /// Leaf layers have no sublayers.
    public var sublayers: [any Layer] { [] }

    /// This layer and every layer below it, depth first.
    public var allLayers: [any Layer] { [self] + sublayers.flatMap { $0.allLayers } }
}

/// Layers applied one after another.
public final class Sequential: Layer {
    /// The layers, in order.
    public var layers: [any Layer]

    /// A chain of `layers`.
    public init(_ layers: [any Layer]) { self.layers = layers }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        var y = x, i = 0
        while i < layers.count {
            // A batch norm and the activation after it run as one pass (see BatchNorm.forward(_:training:then:)),
            // at inference in place.
            if let bn = layers[i] as? BatchNorm {
                let act = i + 1 < layers.count ? layers[i + 1] as? Activation : nil
                if !training && bn.channelsFirst { bn.inferInPlace(&y, then: act) } else { y = bn.forward(y, training: training, then: act) }
                i += act == nil ? 1 : 2
            } else if let conv = layers[i] as? Conv2D, i + 1 < layers.count, let act = layers[i + 1] as? Activation {
                y = conv.forward(y, training: training, then: act)   // VGG: bias and ReLU in one pass
                i += 2
            } else {
                y = layers[i].forward(y, training: training)
                i += 1
            }
        }
        return y
    }

    public func backward(_ grad: Tensor) -> Tensor {
        var g = grad
        for l in layers.reversed() { g = l.backward(g) }
        return g
    }

    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }
    public var sublayers: [any Layer] { layers }
}
