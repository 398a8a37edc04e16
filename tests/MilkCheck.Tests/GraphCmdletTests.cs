using Xunit;

namespace MilkCheck.Tests;

public sealed class GraphCmdletTests : IDisposable
{
    private readonly PowerShellHost _host = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "milkcheck-graph-" + Guid.NewGuid().ToString("N"));

    public GraphCmdletTests()
    {
        Directory.CreateDirectory(_dir);
        // The spec's §5.6 example, top-level entities deliberately out of order (the DOT sorts them).
        File.WriteAllText(Path.Combine(_dir, "site.yaml"), """
            services:
              S3:
                require_weak: [ G1 ]
                actions: { start: { cmd: x }, stop: { cmd: x } }
              S1:
                require: [ S2, S3 ]
                actions: { start: { cmd: x }, stop: { cmd: x } }
              G1:
                require: [ S2 ]
                services:
                  I1: { actions: { start: { cmd: x } } }
                  I2:
                    filter: [ I1 ]
                    actions: { start: { cmd: x } }
              S2:
                actions: { start: { cmd: x }, stop: { cmd: x } }
            """);
    }

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Graph(string arguments)
    {
        var (output, errors) = _host.Run($"Get-MilkCheckGraph -Path '{_dir}' {arguments}");
        Assert.Empty(errors);
        return (string)Assert.Single(output).BaseObject;
    }

    [Fact]
    public void Dot_IsExactlyUpstreamsGraphOfTheSpecExample()
    {
        const string expected = """
            digraph dependency {
            compound=true;
            node [style=filled];
            subgraph "cluster_G1" {
            label="G1";
            style=rounded;
            node [style=filled];
            "G1.__hook" [style=invis];
            "G1.I1";
            "G1.I2" -> "G1.I1" [style=dashed];
            }
            "G1.__hook" -> "S2" [ltail="cluster_G1"];
            "S1" -> "S2";
            "S1" -> "S3";
            "S2";
            "S3" -> "G1.__hook" [style=dashed,lhead="cluster_G1"];
            }

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Graph(""));
    }

    [Fact]
    public void ExcludeService_HidesItsDependentsToo()
    {
        string dot = Graph("-ExcludeService S3");
        Assert.DoesNotContain("\"S3\"", dot);
        Assert.DoesNotContain("\"S1\"", dot);
        Assert.Contains("\"S2\";", dot);
    }

    [Fact]
    public void ReversedAction_DrawsEdgesReversed()
    {
        Assert.Contains("\"S2\" -> \"S1\"", Graph("-Action stop"));
        Assert.Contains("\"S1\" -> \"S2\"", Graph("-Action start"));
    }

    [Fact]
    public void Mermaid_IsAFlowchart()
    {
        string mermaid = Graph("-Format Mermaid");
        Assert.StartsWith("flowchart", mermaid);
        Assert.Contains("subgraph", mermaid);
        Assert.Contains("-.->", mermaid);
    }

    [Fact]
    public void UnknownService_IsATerminatingUnknownServiceError()
    {
        var (_, errors) = _host.Run($"Get-MilkCheckGraph nope -Path '{_dir}'");
        Assert.StartsWith("MilkCheck.UnknownService,", Assert.Single(errors).FullyQualifiedErrorId);
    }
}
