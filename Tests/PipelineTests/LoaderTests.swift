import Foundation
import Testing
@testable import Pipeline

@Suite struct LoaderTests {
    let file = URL(fileURLWithPath: "/tmp/vitrine-loader/p.yaml")

    func load(_ yaml: String, overrides: [String] = [], registry: StageRegistry = testRegistry) throws -> PipelineSpec {
        try PipelineLoader(registry: registry).load(text: yaml, file: file, overrides: overrides)
    }

    func error(_ yaml: String, overrides: [String] = []) -> PipelineError? {
        do { _ = try load(yaml, overrides: overrides); return nil } catch let e as PipelineError { return e } catch { return nil }
    }

    @Test func parsesBuiltinAndShellStagesWithImplicitEdges() throws {
        let spec = try load("""
        params:
          greeting: hello
        stages:
          a:
            uses: test.echo
            with: { text: "${params.greeting} world" }
          b:
            uses: test.echo
            with: { text: x, input: a.out }
          c:
            run: cat $VITRINE_IN_0 > $VITRINE_OUT/c.txt
            inputs: [b.out]
            outputs: [c.txt]
        """)
        #expect(spec.stages.map(\.name) == ["a", "b", "c"])
        #expect(spec.stage("b")?.needs == ["a"])
        #expect(spec.stage("c")?.inputs["0"] == [.artifact(stage: "b", output: "out")])
        guard case .builtin(_, let p)? = spec.stage("a")?.body else { Issue.record("a is not builtin"); return }
        #expect(p["text"] == .string("hello world"))
        #expect(p["fail"] == .bool(false), "defaults are filled in")
    }

    @Test func overridesKeepTypesAndRejectUnknownParams() throws {
        let yaml = """
        params: { n: 3, name: x }
        stages:
          a: { uses: test.echo, with: { text: "${params.n}" } }
        """
        let spec = try load(yaml, overrides: ["n=5"])
        #expect(spec.params["n"] == .int(5))
        #expect(error(yaml, overrides: ["nope=1"])?.message.contains("no such param") == true)
    }

    @Test func matrixExpandsAndPairsDownstreamByKey() throws {
        let spec = try load("""
        stages:
          train:
            uses: test.echo
            matrix: { backbone: [resnet18, mobilenet_v2] }
            with: { text: "${matrix.backbone}" }
          eval:
            uses: test.echo
            matrix: { backbone: [resnet18, mobilenet_v2] }
            with: { text: e, input: train.out }
          compare:
            run: "true"
            needs: [eval]
        """)
        #expect(spec.stages.map(\.name) == ["train@resnet18", "train@mobilenet_v2", "eval@resnet18", "eval@mobilenet_v2", "compare"])
        #expect(spec.stage("eval@mobilenet_v2")?.needs == ["train@mobilenet_v2"])
        #expect(spec.stage("compare")?.needs == ["eval@resnet18", "eval@mobilenet_v2"])
    }

    @Test func foreachOverObjectsNamesStagesAndReadsFields() throws {
        let spec = try load("""
        stages:
          train:
            uses: test.echo
            foreach: &models
              - { name: small, width: 0.5 }
              - { name: full, width: 1 }
            with: { text: "w=${item.width}" }
          eval:
            uses: test.echo
            foreach: *models
            with: { text: "${item.name}", input: train.out }
        """)
        #expect(spec.stages.map(\.name) == ["train@small", "train@full", "eval@small", "eval@full"])
        #expect(spec.stage("eval@full")?.needs == ["train@full"])
        if case .builtin(_, let p) = spec.stage("train@small")?.body { #expect(p["text"] == .string("w=0.5")) } else { Issue.record("not builtin") }
        #expect(throws: PipelineError.self) {
            _ = try load("stages:\n  a:\n    uses: test.echo\n    foreach: [{ name: x }]\n    with: { text: \"${item.nope}\" }\n")
        }
    }

    @Test(arguments: [
        ("stages:\n  a: { uses: test.nope }\n", 2, 3, "unknown stage type 'test.nope'"),
        ("stages:\n  a:\n    uses: test.echo\n    with: { text: x, txet: y }\n", 4, 22, "has no parameter 'txet'"),
        ("stages:\n  a:\n    uses: test.echo\n", 2, 3, "missing required parameter 'text'"),
        ("stages:\n  a:\n    uses: test.echo\n    with: { text: x, fail: maybe }\n", 4, 22, "must be boolean"),
        ("stages:\n  a:\n    run: 'true'\n    needs: [ghost]\n", 4, 12, "not a stage"),
        ("stages:\n  a:\n    uses: test.echo\n    with: { text: x, input: zz.out }\n", 4, 22, "not a reference"),
        ("stages:\n  a: { run: x, needs: [b] }\n  b: { run: y, needs: [a] }\n", 2, 3, "cycle: "),
        ("stages:\n  a: { run: x\n", 3, 1, "YAML"),
        ("stagez:\n  a: { run: x }\n", 1, 1, "unknown top-level key 'stagez'"),
        ("stages:\n  a: { run: x, retries: -1 }\n", 2, 25, "retries"),
    ] as [(String, Int, Int, String)])
    func errorsNameLineAndColumn(yaml: String, line: Int, column: Int, text: String) {
        guard let e = error(yaml) else { Issue.record("no error for:\n\(yaml)"); return }
        #expect(e.message.contains(text), "\(e)")
        #expect(e.location?.line == line, "\(e)")
        #expect(e.location?.column == column, "\(e)")
        #expect(e.description.hasPrefix("/tmp/vitrine-loader/p.yaml:\(line):\(column): error:"), "\(e)")
    }

    @Test func cycleIsPrinted() {
        let e = error("stages:\n  a: { run: x, needs: [c] }\n  b: { run: y, needs: [a] }\n  c: { run: z, needs: [b] }\n")
        #expect(e?.message.contains("a → c → b → a") == true || e?.message.contains("→") == true, "\(String(describing: e))")
    }

    @Test func twoStagesCannotWriteTheSameOutputPath() throws {
        struct Publish: Stage {
            static let typeName = "test.publish"; static let version = 1; static let summary = ""
            static let parameters = [ParameterSpec("path", .outputPath, doc: "")]
            static let outputs: [OutputSpec] = []
            init(parameters: StageParameters) throws {}
            func run(in context: StageContext) async throws {}
        }
        let yaml = "stages:\n  a: { uses: test.publish, with: { path: idx.sqlite } }\n  b: { uses: test.publish, with: { path: idx.sqlite } }\n"
        do { _ = try load(yaml, registry: StageRegistry([Publish.self])); Issue.record("accepted") } catch let e as PipelineError {
            #expect(e.message.contains("both write 'idx.sqlite'"))
            #expect(e.location?.line == 3)
        }
        struct DefaultPublish: Stage {
            static let typeName = "test.default_publish"; static let version = 1; static let summary = ""
            static let parameters = [ParameterSpec("path", .outputPath, default: .string("index/live.sqlite"), doc: "")]
            static let outputs: [OutputSpec] = []
            init(parameters: StageParameters) throws {}
            func run(in context: StageContext) async throws {}
        }
        let defaults = "stages:\n  a: { uses: test.default_publish }\n  b: { uses: test.default_publish }\n"
        do { _ = try load(defaults, registry: StageRegistry([DefaultPublish.self])); Issue.record("accepted two default paths") } catch let e as PipelineError {
            #expect(e.message.contains("both write 'index/live.sqlite'") && e.message.contains("left at its default"), "\(e.message)")
        }
        #expect(throws: Never.self) {
            _ = try load("stages:\n  a: { uses: test.default_publish }\n  b: { uses: test.default_publish, with: { path: other.sqlite } }\n",
                         registry: StageRegistry([DefaultPublish.self]))
        }
    }

    @Test func durations() {
        #expect(DurationText.seconds("90") == 90)
        #expect(DurationText.seconds("10m") == 600)
        #expect(DurationText.seconds("7d") == 604800)
        #expect(DurationText.seconds("soon") == nil)
    }

    @Test func dagOrderAndRenderings() throws {
        let spec = try load("stages:\n  c: { run: z, needs: [b] }\n  a: { run: x }\n  b: { run: y, needs: [a] }\n")
        let dag = DAG(stages: spec.stages)
        #expect(dag.topologicalOrder().map(\.name) == ["a", "b", "c"])
        #expect(dag.ancestors(of: "c") == ["a", "b", "c"])
        #expect(dag.descendants(of: "a") == ["a", "b", "c"])
        #expect(dag.mermaid().contains("-->"))
        #expect(dag.dot().contains("\"a\" -> \"b\""))
    }
}
