/// The stage graph: topological order, cycle detection, ancestors and renderings.
public struct DAG: Sendable {
    /// Stages in declaration order.
    public let stages: [StageSpec]
    private let index: [String: Int]

    /// A graph over `stages` (edges are each stage's `needs`).
    public init(stages: [StageSpec]) {
        self.stages = stages
        self.index = Dictionary(stages.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Throws a `PipelineError` printing the cycle (`a → b → a`) when there is one.
    public func checkAcyclic() throws {
        var state = [Int](repeating: 0, count: stages.count)  // 0 new, 1 on stack, 2 done
        var stack: [Int] = []
        func visit(_ i: Int) throws {
            state[i] = 1; stack.append(i)
            for n in stages[i].needs {
                guard let j = index[n] else { continue }
                if state[j] == 1 {
                    let start = stack.firstIndex(of: j) ?? 0
                    let cycle = stack[start...].map { stages[$0].name } + [stages[j].name]
                    throw PipelineError("the stages form a cycle: \(cycle.joined(separator: " → "))", at: stages[j].location)
                }
                if state[j] == 0 { try visit(j) }
            }
            stack.removeLast(); state[i] = 2
        }
        for i in stages.indices where state[i] == 0 { try visit(i) }
    }

    /// Stages ordered so that every stage comes after what it needs (ties keep declaration order).
    public func topologicalOrder() -> [StageSpec] {
        var indegree = stages.map { s in s.needs.filter { index[$0] != nil }.count }
        var dependents = [[Int]](repeating: [], count: stages.count)
        for (i, s) in stages.enumerated() { for n in s.needs { if let j = index[n] { dependents[j].append(i) } } }
        var ready = stages.indices.filter { indegree[$0] == 0 }
        var out: [StageSpec] = []
        while !ready.isEmpty {
            ready.sort()
            let i = ready.removeFirst()
            out.append(stages[i])
            for d in dependents[i] { indegree[d] -= 1; if indegree[d] == 0 { ready.append(d) } }
        }
        return out
    }

    /// `name` and every stage it transitively needs.
    public func ancestors(of name: String) -> Set<String> {
        var seen = Set<String>()
        var todo = [name]
        while let n = todo.popLast() {
            guard seen.insert(n).inserted, let i = index[n] else { continue }
            todo.append(contentsOf: stages[i].needs)
        }
        return seen
    }

    /// `name` and every stage that transitively needs it.
    public func descendants(of name: String) -> Set<String> {
        var seen: Set<String> = [name]
        var changed = true
        while changed {
            changed = false
            for s in stages where !seen.contains(s.name) && s.needs.contains(where: seen.contains) {
                seen.insert(s.name); changed = true
            }
        }
        return seen
    }

    /// A Mermaid flowchart; `status` labels nodes (e.g. "up to date").
    public func mermaid(status: [String: String] = [:]) -> String {
        var lines = ["flowchart TD"]
        for (i, s) in stages.enumerated() {
            let label = s.name + " (" + s.typeName + ")" + (status[s.name].map { "<br/>" + $0 } ?? "")
            lines.append("    s\(i)[\"\(label.replacingOccurrences(of: "\"", with: "'"))\"]")
        }
        for (i, s) in stages.enumerated() { for n in s.needs { if let j = index[n] { lines.append("    s\(j) --> s\(i)") } } }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Graphviz DOT digraph.
    public func dot(status: [String: String] = [:]) -> String {
        var lines = ["digraph pipeline {", "    rankdir=TB;", "    node [shape=box, style=rounded, fontname=\"Helvetica\"];"]
        for s in stages {
            var label = "\(s.name)\\n\(s.typeName)"
            if let st = status[s.name] { label += "\\n\(st)" }
            lines.append("    \"\(s.name)\" [label=\"\(label)\"];")
        }
        for s in stages { for n in s.needs { lines.append("    \"\(n)\" -> \"\(s.name)\";") } }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
