/// A value built by the restricted unpickler.
indirect enum PickleValue {
    case none, bool(Bool), int(Int), float(Double), string(String), bytes([UInt8])
    case tuple([PickleValue]), list([PickleValue]), dict([(PickleValue, PickleValue)])
    case global(module: String, name: String)
    /// A storage reference from a persistent id: key, dtype.
    case storage(key: String, dtype: String)
    /// A tensor view of a storage.
    case tensor(storage: String, dtype: String, offset: Int, shape: [Int], stride: [Int])
    case mark

    var int: Int? { if case .int(let i) = self { return i }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var items: [PickleValue]? {
        switch self { case .tuple(let a), .list(let a): return a; default: return nil }
    }
}

/// Interprets only the pickle subset that PyTorch state dicts use. Nothing is executed: the only
/// globals understood are `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`,
/// `torch._utils._rebuild_parameter` and the `torch.*Storage` classes; any other global is an error.
struct Unpickler {
    var r: ByteReader

    init(_ reader: ByteReader) { r = reader }

    static let allowedGlobals: Set<String> = [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage",
        "torch.LongStorage", "torch.IntStorage", "torch.ByteStorage",
    ]

    private func bad(_ why: String) -> NeuralNetError { .badWeightFile(path: r.path, reason: "pickle: \(why) (byte \(r.pos))") }

    /// Reads one pickle up to its STOP opcode and returns the top of the stack.
    mutating func load() throws -> PickleValue {
        var stack: [PickleValue] = []
        var memo: [Int: PickleValue] = [:]
        func pop() throws -> PickleValue { guard let v = stack.popLast() else { throw bad("stack underflow") }; return v }
        func popMark() throws -> [PickleValue] {
            guard let i = stack.lastIndex(where: { if case .mark = $0 { return true }; return false }) else { throw bad("no mark") }
            let items = Array(stack[(i + 1)...]); stack.removeSubrange(i...); return items
        }
        func addToDict(_ pairs: [PickleValue]) throws {
            guard case .dict(var d) = try pop() else { throw bad("SETITEMS on a non-dict") }
            var i = 0
            while i + 1 < pairs.count { d.append((pairs[i], pairs[i + 1])); i += 2 }
            stack.append(.dict(d))
        }
        while true {
            let op = try r.byte()
            switch op {
            case 0x80: _ = try r.byte()                                  // PROTO
            case 0x95: _ = try r.take(8)                                 // FRAME
            case 0x2E: return try pop()                                  // STOP
            case 0x28: stack.append(.mark)                               // MARK
            case 0x7D: stack.append(.dict([]))                           // EMPTY_DICT
            case 0x5D: stack.append(.list([]))                           // EMPTY_LIST
            case 0x29: stack.append(.tuple([]))                          // EMPTY_TUPLE
            case 0x74: stack.append(.tuple(try popMark()))               // TUPLE
            case 0x85: stack.append(.tuple([try pop()]))                 // TUPLE1
            case 0x86: let b = try pop(), a = try pop(); stack.append(.tuple([a, b]))
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); stack.append(.tuple([a, b, c]))
            case 0x71: memo[Int(try r.byte())] = stack.last               // BINPUT
            case 0x72: memo[Int(try r.uint(4))] = stack.last              // LONG_BINPUT
            case 0x94: memo[memo.count] = stack.last                      // MEMOIZE
            case 0x68, 0x6A:                                              // BINGET, LONG_BINGET
                let k = op == 0x68 ? Int(try r.byte()) : Int(try r.uint(4))
                guard let v = memo[k] else { throw bad("memo \(k) missing") }
                stack.append(v)
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try r.uint(4)))))
            case 0x4B: stack.append(.int(Int(try r.byte())))
            case 0x4D: stack.append(.int(Int(try r.uint(2))))
            case 0x8A:                                                    // LONG1
                let n = Int(try r.byte())
                guard n <= 8 else { stack.append(.bytes(Array(try r.take(n)))); break }
                var v = n == 0 ? 0 : try r.uint(n)
                if n > 0, n < 8, v & (1 << (8 * UInt64(n) - 1)) != 0 { v |= ~0 << (8 * UInt64(n)) }
                stack.append(.int(Int(Int64(bitPattern: v))))
            case 0x47: stack.append(.float(Double(bitPattern: try r.take(8).reduce(0) { $0 << 8 | UInt64($1) })))
            case 0x58, 0x8C, 0x8D:                                        // BINUNICODE, SHORT_, 8
                let n = op == 0x8C ? Int(try r.byte()) : Int(clamping: try r.uint(op == 0x58 ? 4 : 8))
                stack.append(.string(String(decoding: try r.take(n), as: UTF8.self)))
            case 0x55, 0x43: stack.append(.bytes(Array(try r.take(Int(try r.byte())))))      // SHORT_BINSTRING/BYTES
            case 0x54, 0x42: stack.append(.bytes(Array(try r.take(Int(clamping: try r.uint(4))))))
            case 0x4E: stack.append(.none)
            case 0x88: stack.append(.bool(true))
            case 0x89: stack.append(.bool(false))
            case 0x63:                                                    // GLOBAL
                let module = try r.line(), name = try r.line()
                stack.append(try global(module, name))
            case 0x93:                                                    // STACK_GLOBAL
                guard let name = try pop().string, let module = try pop().string else { throw bad("STACK_GLOBAL needs strings") }
                stack.append(try global(module, name))
            case 0x51:                                                    // BINPERSID
                stack.append(try persistent(try pop()))
            case 0x52:                                                    // REDUCE
                let args = try pop(), fn = try pop()
                stack.append(try reduce(fn, args))
            case 0x62: _ = try pop()                                      // BUILD: state ignored (dict _metadata)
            case 0x73: let v = try pop(), k = try pop(); try addToDict([k, v])
            case 0x75: let pairs = try popMark(); try addToDict(pairs)
            case 0x61:
                let v = try pop()
                guard case .list(var l) = try pop() else { throw bad("APPEND on a non-list") }
                l.append(v); stack.append(.list(l))
            case 0x65:
                let items = try popMark()
                guard case .list(var l) = try pop() else { throw bad("APPENDS on a non-list") }
                l += items; stack.append(.list(l))
            case 0x30: _ = try pop()
            case 0x31: _ = try popMark()
            case 0x32: guard let v = stack.last else { throw bad("DUP on empty stack") }; stack.append(v)
            default: throw bad("unsupported opcode 0x\(String(op, radix: 16))")
            }
        }
    }

    private func global(_ module: String, _ name: String) throws -> PickleValue {
        guard Unpickler.allowedGlobals.contains(module + "." + name) else { throw NeuralNetError.forbiddenGlobal(module: module, name: name) }
        return .global(module: module, name: name)
    }

    private func persistent(_ pid: PickleValue) throws -> PickleValue {
        guard let t = pid.items, t.count >= 5, t[0].string == "storage", case .global(_, let type) = t[1], let key = t[2].string else {
            throw bad("unexpected persistent id")
        }
        return .storage(key: key, dtype: type)
    }

    private func reduce(_ fn: PickleValue, _ args: PickleValue) throws -> PickleValue {
        guard case .global(let module, let name) = fn, let a = args.items else { throw bad("REDUCE of a non-global") }
        switch module + "." + name {
        case "collections.OrderedDict": return .dict([])
        case "torch._utils._rebuild_parameter":
            guard let t = a.first else { throw bad("_rebuild_parameter without a tensor") }
            return t
        case "torch._utils._rebuild_tensor_v2":
            guard a.count >= 4, case .storage(let key, let dtype) = a[0], let offset = a[1].int,
                  let shape = a[2].items?.compactMap(\.int), let stride = a[3].items?.compactMap(\.int), shape.count == stride.count else {
                throw bad("malformed _rebuild_tensor_v2 arguments")
            }
            return .tensor(storage: key, dtype: dtype, offset: offset, shape: shape, stride: stride)
        default: throw NeuralNetError.forbiddenGlobal(module: module, name: name)
        }
    }
}
