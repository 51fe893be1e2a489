/// torchvision's Inception-v3 (`Conv2d_1a_3x3` … `Mixed_7c`, `fc`) built with `aux_logits=False`, with a
/// width multiplier. Adapted to 128 px input by leaving out the auxiliary classifier (`AuxLogits.*`, a
/// training-time loss whose 5×5 convolution needs the 17×17 map of 299 px input; at 128 px it would see
/// 1×1): the main path runs from 75 px up and ends on a 2×2 map at 128 px. A torchvision file's
/// `AuxLogits.*` tensors are ignored on load.
enum InceptionV3 {
    /// Channel rounding for the width multiplier (identity at width 1).
    struct Widths {
        /// The multiplier.
        let width: Double
        /// `n` channels scaled by the width, rounded to a multiple of 8.
        func callAsFunction(_ n: Int) -> Int { makeDivisible(Double(n) * width) }
    }

    /// torchvision's `BasicConv2d`: bias-free convolution (`name.conv`), batch norm eps 0.001 (`name.bn`), ReLU.
    static func basic(_ name: String, _ cin: Int, _ cout: Int, kernel: (Int, Int), stride: Int = 1,
                      padding: (Int, Int) = (0, 0)) -> Sequential {
        convBN(Conv2D(name + ".conv", cin, cout, kernel: kernel, stride: stride, padding: .explicit(padding.0, padding.1)),
               BatchNorm(name + ".bn", cout, eps: 0.001), act: .relu)
    }

    /// A square `basic` convolution.
    static func basic(_ name: String, _ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1, padding: Int = 0) -> Sequential {
        basic(name, cin, cout, kernel: (kernel, kernel), stride: stride, padding: (padding, padding))
    }

    /// The feature extractor ending in global average pooling, and its feature width (2048 at width 1).
    static func backbone(width: Double) -> (Sequential, Int) {
        let w = Widths(width: width)
        var layers: [any Layer] = [
            basic("Conv2d_1a_3x3", 3, w(32), kernel: 3, stride: 2),
            basic("Conv2d_2a_3x3", w(32), w(32), kernel: 3),
            basic("Conv2d_2b_3x3", w(32), w(64), kernel: 3, padding: 1),
            MaxPool2D(kernel: 3, stride: 2),
            basic("Conv2d_3b_1x1", w(64), w(80), kernel: 1),
            basic("Conv2d_4a_3x3", w(80), w(192), kernel: 3),
            MaxPool2D(kernel: 3, stride: 2),
        ]
        var c = w(192)
        func add(_ block: (Concat, Int)) { layers.append(block.0); c = block.1 }
        add(blockA("Mixed_5b", c, pool: w(32), w))
        add(blockA("Mixed_5c", c, pool: w(64), w))
        add(blockA("Mixed_5d", c, pool: w(64), w))
        add(blockB("Mixed_6a", c, w))
        add(blockC("Mixed_6b", c, c7: w(128), w))
        add(blockC("Mixed_6c", c, c7: w(160), w))
        add(blockC("Mixed_6d", c, c7: w(160), w))
        add(blockC("Mixed_6e", c, c7: w(192), w))
        add(blockD("Mixed_7a", c, w))
        add(blockE("Mixed_7b", c, w))
        add(blockE("Mixed_7c", c, w))
        layers.append(GlobalAvgPool())
        return (Sequential(layers), c)
    }

    /// The ImageNet classifier: dropout 0.5 then `fc`.
    static func classifier(features: Int, classes: Int) -> Sequential {
        Sequential([Dropout(0.5), Dense("fc", features, classes)])
    }

    /// 3×3 average pool (stride 1, padding 1) then a 1×1 `branch_pool` convolution.
    static func poolBranch(_ name: String, _ cin: Int, _ cout: Int) -> Sequential {
        Sequential([AvgPool2D(kernel: 3, stride: 1, padding: 1), basic(name + ".branch_pool", cin, cout, kernel: 1)])
    }

    /// `InceptionA`: 1×1, 5×5, double 3×3 and pool branches.
    static func blockA(_ n: String, _ cin: Int, pool: Int, _ w: Widths) -> (Concat, Int) {
        let block = Concat([
            basic(n + ".branch1x1", cin, w(64), kernel: 1),
            Sequential([basic(n + ".branch5x5_1", cin, w(48), kernel: 1), basic(n + ".branch5x5_2", w(48), w(64), kernel: 5, padding: 2)]),
            Sequential([basic(n + ".branch3x3dbl_1", cin, w(64), kernel: 1), basic(n + ".branch3x3dbl_2", w(64), w(96), kernel: 3, padding: 1),
                        basic(n + ".branch3x3dbl_3", w(96), w(96), kernel: 3, padding: 1)]),
            poolBranch(n, cin, pool),
        ])
        return (block, w(64) + w(64) + w(96) + pool)
    }

    /// `InceptionB`: the 35→17 reduction (stride-2 3×3, double 3×3, max pool).
    static func blockB(_ n: String, _ cin: Int, _ w: Widths) -> (Concat, Int) {
        let block = Concat([
            basic(n + ".branch3x3", cin, w(384), kernel: 3, stride: 2),
            Sequential([basic(n + ".branch3x3dbl_1", cin, w(64), kernel: 1), basic(n + ".branch3x3dbl_2", w(64), w(96), kernel: 3, padding: 1),
                        basic(n + ".branch3x3dbl_3", w(96), w(96), kernel: 3, stride: 2)]),
            MaxPool2D(kernel: 3, stride: 2),
        ])
        return (block, w(384) + w(96) + cin)
    }

    /// `InceptionC`: factorised 7×7 branches (1×7 and 7×1 convolutions) with `c7` inner channels.
    static func blockC(_ n: String, _ cin: Int, c7: Int, _ w: Widths) -> (Concat, Int) {
        let (row, col) = ((1, 7), (7, 1)), (rowPad, colPad) = ((0, 3), (3, 0))
        let block = Concat([
            basic(n + ".branch1x1", cin, w(192), kernel: 1),
            Sequential([basic(n + ".branch7x7_1", cin, c7, kernel: 1),
                        basic(n + ".branch7x7_2", c7, c7, kernel: row, padding: rowPad),
                        basic(n + ".branch7x7_3", c7, w(192), kernel: col, padding: colPad)]),
            Sequential([basic(n + ".branch7x7dbl_1", cin, c7, kernel: 1),
                        basic(n + ".branch7x7dbl_2", c7, c7, kernel: col, padding: colPad),
                        basic(n + ".branch7x7dbl_3", c7, c7, kernel: row, padding: rowPad),
                        basic(n + ".branch7x7dbl_4", c7, c7, kernel: col, padding: colPad),
                        basic(n + ".branch7x7dbl_5", c7, w(192), kernel: row, padding: rowPad)]),
            poolBranch(n, cin, w(192)),
        ])
        return (block, 4 * w(192))
    }

    /// `InceptionD`: the 17→8 reduction (3×3 and 7×7-then-3×3 stride-2 branches, max pool).
    static func blockD(_ n: String, _ cin: Int, _ w: Widths) -> (Concat, Int) {
        let block = Concat([
            Sequential([basic(n + ".branch3x3_1", cin, w(192), kernel: 1), basic(n + ".branch3x3_2", w(192), w(320), kernel: 3, stride: 2)]),
            Sequential([basic(n + ".branch7x7x3_1", cin, w(192), kernel: 1),
                        basic(n + ".branch7x7x3_2", w(192), w(192), kernel: (1, 7), padding: (0, 3)),
                        basic(n + ".branch7x7x3_3", w(192), w(192), kernel: (7, 1), padding: (3, 0)),
                        basic(n + ".branch7x7x3_4", w(192), w(192), kernel: 3, stride: 2)]),
            MaxPool2D(kernel: 3, stride: 2),
        ])
        return (block, w(320) + w(192) + cin)
    }

    /// A 1×3 (`a`) and a 3×1 (`b`) convolution side by side on the same input (InceptionE's split).
    static func split(_ a: String, _ b: String, _ c: Int) -> Concat {
        Concat([basic(a, c, c, kernel: (1, 3), padding: (0, 1)), basic(b, c, c, kernel: (3, 1), padding: (1, 0))])
    }

    /// `InceptionE`: the 8×8 blocks with split 1×3/3×1 branches.
    static func blockE(_ n: String, _ cin: Int, _ w: Widths) -> (Concat, Int) {
        let block = Concat([
            basic(n + ".branch1x1", cin, w(320), kernel: 1),
            Sequential([basic(n + ".branch3x3_1", cin, w(384), kernel: 1), split(n + ".branch3x3_2a", n + ".branch3x3_2b", w(384))]),
            Sequential([basic(n + ".branch3x3dbl_1", cin, w(448), kernel: 1), basic(n + ".branch3x3dbl_2", w(448), w(384), kernel: 3, padding: 1),
                        split(n + ".branch3x3dbl_3a", n + ".branch3x3dbl_3b", w(384))]),
            poolBranch(n, cin, w(192)),
        ])
        return (block, w(320) + 4 * w(384) + w(192))
    }
}
