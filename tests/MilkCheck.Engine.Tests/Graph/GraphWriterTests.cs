using System.Runtime.CompilerServices;
using MilkCheck.Configuration;
using MilkCheck.Engine.Tests.Groups;
using MilkCheck.Graph;
using MilkCheck.Model;
using Xunit;

namespace MilkCheck.Engine.Tests.Graph;

public sealed class GraphWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Upstream §5.6 example: S1 require [S2,S3], S3 require_weak [G1], G1 require [S2], members I1 and I2 filter [I1].
    /// Top-level entities are deliberately not in name order: the output sorts them.
    /// </summary>
    private const string SpecExample = """
        services:
          S3:
            require_weak: [ G1 ]
            actions: { start: { cmd: 'true' } }
          G1:
            require: [ S2 ]
            services:
              I1: { actions: { start: { cmd: 'true' } } }
              I2:
                filter: [ I1 ]
                actions: { start: { cmd: 'true' } }
          S1:
            require: [ S2, S3 ]
            actions: { start: { cmd: 'true' } }
          S2: { actions: { start: { cmd: 'true' } } }
        """;

    private ServiceModel Load(string yaml)
    {
        _dir.Write("services.yaml", yaml);
        ServiceModel model = ServiceConfigurationLoader.Load(_dir.Path);
        Assert.Empty(model.Diagnostics);
        return model;
    }

    /// <summary>
    /// Compares with the checked-in TestData/Graph/<paramref name="name"/> (line endings normalized, nothing else).
    /// With MILKCHECK_UPDATE_SNAPSHOTS=1 the source file is rewritten instead, to be reviewed in the diff.
    /// </summary>
    private static void AssertSnapshot(string name, string actual, [CallerFilePath] string sourceFile = "")
    {
        if (Environment.GetEnvironmentVariable("MILKCHECK_UPDATE_SNAPSHOTS") == "1")
        {
            string source = Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "TestData", "Graph", name);
            File.WriteAllText(source, actual);
            return;
        }
        string expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Graph", name));
        Assert.Equal(expected.ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void Dot_SpecExample_IsExactlyUpstreamOutput()
    {
        string text = GraphWriter.Write(Load(SpecExample), GraphFormat.Dot);
        AssertSnapshot("spec-example.dot.txt", text);
    }

    [Fact]
    public void Dot_EndsWithOneNewlineForPowerShellToAddUpstreamsEmptyLine()
    {
        // Upstream prints "}\n" plus print()'s newline; Set-Content and the console add that last newline here.
        string text = GraphWriter.Write(Load(SpecExample), GraphFormat.Dot);
        Assert.EndsWith("\n}\n", text, StringComparison.Ordinal);
        Assert.False(text.EndsWith("\n\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Dot_TopLevelOrderIsByNameWhateverTheDefinitionOrder()
    {
        string reordered = """
            services:
              S2: { actions: { start: { cmd: 'true' } } }
              S1:
                require: [ S2, S3 ]
                actions: { start: { cmd: 'true' } }
              G1:
                require: [ S2 ]
                services:
                  I1: { actions: { start: { cmd: 'true' } } }
                  I2:
                    filter: [ I1 ]
                    actions: { start: { cmd: 'true' } }
              S3:
                require_weak: [ G1 ]
                actions: { start: { cmd: 'true' } }
            """;
        AssertSnapshot("spec-example.dot.txt", GraphWriter.Write(Load(reordered), GraphFormat.Dot));
    }

    [Fact]
    public void Dot_ServiceList_DrawsOnlyThoseEntitiesInTheGivenOrder_DottedMembersAllowed()
    {
        string text = GraphWriter.Write(Load(SpecExample), GraphFormat.Dot, services: new[] { "S3", "G1.I2", "S1" });
        AssertSnapshot("service-list.dot.txt", text);
    }

    [Fact]
    public void ServiceList_UnknownName_IsRejected()
    {
        ServiceModel model = Load(SpecExample);
        var error = Assert.Throws<ArgumentException>(() => GraphWriter.Write(model, GraphFormat.Dot, services: new[] { "nope" }));
        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dot_Excluded_HidesTheEntityAndEveryTransitiveDependent()
    {
        // S2 excluded: G1 requires S2 (hidden, with its members), S3 needs G1, S1 needs S2 and S3: nothing is left.
        ServiceModel model = Load(SpecExample);
        AssertSnapshot("empty.dot.txt", GraphWriter.Write(model, GraphFormat.Dot, excluded: new[] { "S2" }));
        // G1.I1 excluded: I2 filters on it and goes too; G1 and everything else stays.
        AssertSnapshot("excluded-member.dot.txt", GraphWriter.Write(model, GraphFormat.Dot, excluded: new[] { "G1.I1" }));
        // G1 excluded: S3 depends on it, S1 on S3; only S2 remains.
        AssertSnapshot("excluded-group.dot.txt", GraphWriter.Write(model, GraphFormat.Dot, excluded: new[] { "G1" }));
    }

    [Fact]
    public void Excluded_MemberOfAnExcludedGroup_HidesItsDependentsToo()
    {
        ServiceModel model = Load("""
            services:
              app:
                require: [ lustre.mgs ]
                actions: { start: { cmd: x } }
              lustre:
                services:
                  mgs: { actions: { start: { cmd: x } } }
              other: { actions: { start: { cmd: x } } }
            """);
        string text = GraphWriter.Write(model, GraphFormat.Dot, excluded: new[] { "lustre" });
        Assert.DoesNotContain("app", text, StringComparison.Ordinal);
        Assert.DoesNotContain("lustre", text, StringComparison.Ordinal);
        Assert.Contains("\"other\";\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Dot_Reversed_DrawsEveryEdgeFromDependencyToDependent_SwappingClusterAttributes()
    {
        string text = GraphWriter.Write(Load(SpecExample), GraphFormat.Dot, reversed: true);
        AssertSnapshot("spec-example-reversed.dot.txt", text);
    }

    [Fact]
    public void Mermaid_SpecExample_IsSubgraphsNodesThenEdges()
    {
        string text = GraphWriter.Write(Load(SpecExample), GraphFormat.Mermaid);
        AssertSnapshot("spec-example.mermaid.txt", text);
    }

    [Fact]
    public void Mermaid_Reversed_SwapsEdgeEnds()
    {
        string text = GraphWriter.Write(Load(SpecExample), GraphFormat.Mermaid, reversed: true);
        AssertSnapshot("spec-example-reversed.mermaid.txt", text);
    }

    [Fact]
    public void Mermaid_ServiceList_DeclaresUndrawnTargetsAsPlainNodes()
    {
        string text = GraphWriter.Write(Load(SpecExample), GraphFormat.Mermaid, services: new[] { "S1" });
        AssertSnapshot("service-list.mermaid.txt", text);
    }

    [Fact]
    public void Mermaid_Excluded_HidesDependentsAsDot()
    {
        string text = GraphWriter.Write(Load(SpecExample), GraphFormat.Mermaid, excluded: new[] { "G1" });
        Assert.Equal("flowchart LR\n    n0[\"S2\"]\n", text);
    }

    private const string CheckExample = """
        services:
          base: { actions: { start: { cmd: x }, status: { cmd: x } } }
          chk:
            check: [ base ]
            actions: { start: { cmd: x } }
          weak:
            after: [ base ]
            actions: { start: { cmd: x } }
        """;

    [Fact]
    public void Dot_CheckEdges_AreSolidLikeRequire()
    {
        string text = GraphWriter.Write(Load(CheckExample), GraphFormat.Dot);
        AssertSnapshot("check.dot.txt", text);
    }

    [Fact]
    public void Mermaid_CheckEdges_AreSolidAndLabelled()
    {
        string text = GraphWriter.Write(Load(CheckExample), GraphFormat.Mermaid);
        AssertSnapshot("check.mermaid.txt", text);
    }

    [Fact]
    public void Mermaid_LabelsEscapeQuotes()
    {
        ServiceModel model = Load("services:\n  'a\"b': { actions: { start: { cmd: x } } }\n");
        Assert.Contains("n0[\"a#quot;b\"]", GraphWriter.Write(model, GraphFormat.Mermaid), StringComparison.Ordinal);
    }
}
