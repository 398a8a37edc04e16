using System.Text;
using MilkCheck.Configuration;
using MilkCheck.Engine.Tests.Groups;
using MilkCheck.Model;
using Xunit;

namespace MilkCheck.Engine.Tests.Hostile;

/// <summary>
/// Configuration files written to take the host down (memory, stack) are refused with one positioned diagnostic,
/// or load, as plain data should; none crashes the process.
/// </summary>
public sealed class HostileConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A hostile file, and the error it gets at (line, column), or null when it must load cleanly.</summary>
    public sealed record Case(string Name, Func<string> Yaml, string? ErrorId, int Line = 0, int Column = 0)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        new("billion laughs in variables", () => BillionLaughs("  LOL: [*l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8]\n"), "MilkCheck.Config.AliasExpansion", 7, 47),
        new("billion laughs as tags", () => BillionLaughs("services:\n  s:\n    tags: *l8\n    actions: {start: {cmd: 'true'}}\n"), "MilkCheck.Config.AliasExpansion", 7, 47),
        new("aliases of group definitions multiplying the services",
            () => """
                services:
                  g0: &g0 {services: {a: {actions: {start: {cmd: 'true'}}}, b: {actions: {start: {cmd: 'true'}}}}}
                """ + "\n" + string.Concat(Enumerable.Range(1, 30).Select(i =>
                $"  g{i}: &g{i} {{services: {{x: *g{i - 1}, y: *g{i - 1}}}}}\n")),
            "MilkCheck.Config.AliasExpansion", 17, 28),
        new("30,000 nested '['", () => "variables:\n  DEEP: " + new string('[', 30_000) + new string(']', 30_000) + "\n",
            "MilkCheck.Config.TooDeep", 2, 263),
        new("30,000 nested '{'", () => "variables:\n  DEEP: " + string.Concat(Enumerable.Repeat("{a: ", 30_000)) + "1" + new string('}', 30_000) + "\n",
            "MilkCheck.Config.TooDeep", 2, 1025),
        new("30,000 unclosed '['", () => "services: " + new string('[', 30_000) + "\n", "MilkCheck.Config.TooDeep", 1, 266),
        new("a target of a billion nodes", () => """
                services:
                  s:
                    target: "node[1-999999999]"
                    actions: {start: {cmd: 'true'}}
                """, "MilkCheck.Config.TooManyNodes", 3, 13),
        new("a target of 10^24 nodes (its count must not wrap)", () => """
                services:
                  s:
                    target: "a[0-999999]b[0-999999]c[0-999999]d[0-999999]"
                    actions: {start: {cmd: 'true'}}
                """, "MilkCheck.Config.TooManyNodes", 3, 13),
        new("an action target of a billion nodes", () => """
                services:
                  s:
                    actions:
                      start:
                        target: "node[1-999999999]"
                        cmd: 'true'
                """, "MilkCheck.Config.TooManyNodes", 5, 17),
        new("a name pattern of a billion services", () => """
                services:
                  "svc[1-999999999]":
                    actions: {start: {cmd: 'true'}}
                """, "MilkCheck.Config.TooManyNodes", 2, 3),
        new("a service's variables referring to each other 1,000 deep", () =>
                "services:\n  s:\n    desc: \"%V1\"\n    actions: {start: {cmd: 'true'}}\n    variables:\n" +
                string.Concat(Enumerable.Range(1, 1_000).Select(i => $"      V{i}: \"%V{i + 1}\"\n")) + "      V1001: end\n",
            "MilkCheck.Config.VariableRecursion", 6, 11),
        new("50,000 chained services", () => ChainedServices(50_000), null),
        new("groups nested 100 deep", () => NestedGroups(100), null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void HostileFile_IsRefusedWithAPositionedErrorOrLoads_NeverCrashing(Case hostile)
    {
        _dir.Write("hostile.yaml", hostile.Yaml());
        ServiceModel model = ServiceConfigurationLoader.Load(_dir.Path);
        var errors = model.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (hostile.ErrorId is null)
        {
            Assert.Empty(errors);
            return;
        }
        // The first error is the one at the hostile place (a deep variable chain also fails at each variable of it).
        Assert.All(errors, d => Assert.Equal(hostile.ErrorId, d.ErrorId));
        ConfigDiagnostic error = errors[0];
        Assert.Equal((_dir["hostile.yaml"], hostile.Line, hostile.Column), (error.File, error.Line, error.Column));
    }

    [Theory]
    [InlineData("billion laughs", "MilkCheck.Config.AliasExpansion")]
    [InlineData("deep nesting", "MilkCheck.Config.TooDeep")]
    public void HostileMilkCheckConf_IsRefusedWithAPositionedError(string name, string errorId)
    {
        string text = name == "billion laughs"
            ? BillionLaughs("reverse_actions: [*l8, *l8]\n").Replace("variables:\n", "x:\n")
            : "reverse_actions: " + new string('[', 30_000) + "\n";
        string path = _dir.Write("milkcheck.conf", text);
        (_, IReadOnlyList<ConfigDiagnostic> diagnostics) = GlobalConfigurationLoader.Load(path);
        ConfigDiagnostic error = Assert.Single(diagnostics);
        Assert.Equal(errorId, error.ErrorId);
        Assert.True(error.Line > 0, name);
    }

    [Fact]
    public void MaxNodes_FromMilkCheckConf_BoundsTargets()
    {
        _dir.Write("s.yaml", "services:\n  s:\n    target: 'n[1-11]'\n    actions: {start: {cmd: 'true'}}\n");
        var configuration = MilkCheckConfiguration.Load(_dir.Path, runCommands: false, GlobalConfiguration.Default with { MaxNodes = 10 });
        ConfigDiagnostic error = Assert.Single(configuration.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("MilkCheck.Config.TooManyNodes", error.ErrorId);
        Assert.Contains("max_nodes (10)", error.Message);
    }

    [Fact]
    public void FiftyThousandChainedServices_HaveEveryDependencyResolved()
    {
        _dir.Write("chain.yaml", ChainedServices(50_000));
        ServiceModel model = ServiceConfigurationLoader.Load(_dir.Path);
        Assert.Equal(50_000, model.Entities.Count);
        Assert.All(model.Entities.Skip(1), e => Assert.NotNull(Assert.Single(e.Dependencies).Target));
    }

    [Fact]
    public void FiftyThousandChainedServices_ArePlannedInOrderWithoutDeepeningTheStack()
    {
        _dir.Write("chain.yaml", ChainedServices(50_000));
        var configuration = MilkCheckConfiguration.Load(_dir.Path, runCommands: false);
        var run = MilkCheck.Scheduling.MilkCheckRun.Create(configuration,
            new MilkCheck.Scheduling.RunOptions { Action = "start", Services = new[] { "s50000" } });
        Assert.Equal(50_000, run.Preview.Count); // the -WhatIf walk: it recursed once per link before
        Assert.Equal(("s1", "s50000"), (run.Preview[0].Service, run.Preview[^1].Service));
    }

    [Fact]
    public void ACycleAtTheEndOfALongChain_IsReportedWithItsPath()
    {
        _dir.Write("chain.yaml", ChainedServices(20_000) + "  s1:\n    require: [s20000]\n    actions: {start: {cmd: 'true'}}\n");
        ServiceModel model = ServiceConfigurationLoader.Load(_dir.Path);
        ConfigDiagnostic cycle = Assert.Single(model.Diagnostics, d => d.ErrorId == "MilkCheck.Config.Cycle");
        Assert.StartsWith("Dependency cycle: s", cycle.Message);
    }

    /// <summary>The classic: nine levels of ten aliases each under variables:, 10^9 strings once expanded, then <paramref name="use"/>.</summary>
    internal static string BillionLaughs(string use)
    {
        var text = new StringBuilder("variables:\n");
        text.Append("  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level <= 8; level++)
            text.Append($"  l{level}: &l{level} [" + string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 10)) + "]\n");
        return text.Append(use).ToString();
    }

    /// <summary>s1 ← s2 ← … ← sN, each requiring the previous one.</summary>
    internal static string ChainedServices(int count)
    {
        var yaml = new StringBuilder("services:\n");
        yaml.Append("  s1:\n    actions: {start: {cmd: 'true'}}\n");
        for (int i = 2; i <= count; i++)
            yaml.Append("  s").Append(i).Append(":\n    require: [s").Append(i - 1).Append("]\n    actions: {start: {cmd: 'true'}}\n");
        return yaml.ToString();
    }

    private static string NestedGroups(int depth)
    {
        var yaml = new StringBuilder("services:\n");
        string indent = "  ";
        for (int i = 0; i < depth; i++)
        {
            yaml.Append(indent).Append('g').Append(i).Append(":\n").Append(indent).Append("  services:\n");
            indent += "    ";
        }
        yaml.Append(indent).Append("leaf:\n").Append(indent).Append("  actions: {start: {cmd: 'true'}}\n");
        return yaml.ToString();
    }
}
