/// Loading and exporting weights by torchvision name.
extension Network {
    /// Every weight and buffer by name.
    public func stateDict() -> [String: NamedTensor] {
        var out: [String: NamedTensor] = [:]
        for p in parameters { out[p.name] = NamedTensor(shape: p.shape, values: p.value, isInteger: p.isInteger) }
        return out
    }

    /// Copies weights in by name, checking shapes. Every backbone weight must be present; the top's
    /// weights may be absent (a fresh head on a pretrained backbone) and another top's weights
    /// (`classifier.*`, `fc.*`, `_fc.*`, `head.*`, Inception's auxiliary `AuxLogits.*`) in the file are
    /// ignored. Returns how many tensors were loaded.
    @discardableResult
    public func load(_ weights: [String: NamedTensor], requireTop: Bool = false) throws -> Int {
        let ours = parameters
        let known = Set(ours.map(\.name))
        let topNames = Set(top.parameters.map(\.name))
        for name in weights.keys where !known.contains(name) {
            let foreignTop = ["classifier.", "fc.", "_fc.", "head.", "AuxLogits."].contains { name.hasPrefix($0) }
            if !foreignTop { throw NeuralNetError.unexpectedWeight(name: name) }
        }
        var loaded = 0
        for p in ours {
            guard let w = weights[p.name] else {
                if topNames.contains(p.name) && !requireTop { continue }
                throw NeuralNetError.missingWeight(name: p.name)
            }
            let want = p.shape.isEmpty ? [1] : p.shape, got = w.shape.isEmpty ? [1] : w.shape
            guard want == got, w.values.count == p.count else {
                throw NeuralNetError.shapeMismatch(what: "weight '\(p.name)'", expected: p.shape, got: w.shape)
            }
            p.value = w.values
            loaded += 1
        }
        return loaded
    }
}
