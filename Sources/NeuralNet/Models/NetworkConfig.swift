/// What to build: backbone, width, classes and the top of the network.
public struct NetworkConfig: Sendable, Codable, Equatable {
    /// The backbone.
    public var architecture: Architecture
    /// Channel multiplier (1 = torchvision's shapes).
    public var width: Double
    /// Output classes.
    public var numClasses: Int
    /// Hidden sizes of the research head (dense → batch norm → ReLU → dropout, per entry).
    public var hidden: [Int]
    /// Dropout probability in the head.
    public var dropout: Double
    /// True: torchvision's ImageNet classifier (`classifier.*`/`fc`) instead of the research head (`head.*`).
    public var imagenetClassifier: Bool

    /// A configuration; defaults are the research's head (2 hidden layers).
    public init(architecture: Architecture, width: Double = 1, numClasses: Int, hidden: [Int] = [256, 128],
                dropout: Double = 0.5, imagenetClassifier: Bool = false) {
        self.architecture = architecture; self.width = width; self.numClasses = numClasses
        self.hidden = hidden; self.dropout = dropout; self.imagenetClassifier = imagenetClassifier
    }

    /// torchvision's ImageNet model (1000 classes).
    public static func imagenet(_ architecture: Architecture) -> NetworkConfig {
        NetworkConfig(architecture: architecture, numClasses: 1000, imagenetClassifier: true)
    }
}
