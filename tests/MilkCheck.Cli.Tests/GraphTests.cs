using Xunit;

namespace MilkCheck.Cli.Tests;

/// <summary><c>-g</c>: upstream's DOT text (spec §5.6).</summary>
public sealed class GraphTests : IDisposable
{
    private readonly CommandRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private void WriteSpecExample() => _cli.WriteService("""
        services:
          S1: { require: [ S2, S3 ], actions: { start: { cmd: "true" } } }
          S2: { actions: { start: { cmd: "true" } } }
          S3: { require_weak: [ G1 ], actions: { start: { cmd: "true" } } }
          G1:
            require: [ S2 ]
            services:
              I1: { actions: { start: { cmd: "true" } } }
              I2: { filter: [ I1 ], actions: { start: { cmd: "true" } } }
        """);

    [Fact]
    public void Graph_PrintsTheSpecsVerifiedDot_FollowedByAnEmptyLine()
    {
        WriteSpecExample();
        CommandOutput r = _cli.Run("-g", "-c", _cli.ConfigDir);
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Expected", "graph.dot")), r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void Graph_WithAnUnknownService_SaysWhichAndExitsNine()
    {
        WriteSpecExample();
        CommandOutput r = _cli.Run("-g", "-c", _cli.ConfigDir, "start");
        Assert.Equal("[00:00:00] ERROR    - Undefined service [start]\n", r.Stderr);
        Assert.Equal(9, r.ExitCode);
    }
}
