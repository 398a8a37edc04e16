using System.Text.RegularExpressions;
using Xunit;

namespace MilkCheck.Cli.Tests;

/// <summary>
/// <c>--nagios</c> and <c>check_milkcheck</c>: the plugin guidelines' output (first line <c>LABEL STATE - text |
/// perfdata</c>, long output after it) and exit codes 0/1/2/3.
/// </summary>
public sealed partial class NagiosTests : IDisposable
{
    private readonly CommandRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>The guidelines' first line: service label, status word, text without a pipe, perfdata items.</summary>
    [GeneratedRegex(@"^MILKCHECK (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+( \| ('[^'=]+'|[^'= ]+)=-?[0-9.]+(s|ms|us|%|B|KB|MB|TB|c)?(;[0-9.:~@-]*){0,4}( ('[^'=]+'|[^'= ]+)=-?[0-9.]+(s|ms|us|%|B|KB|MB|TB|c)?(;[0-9.:~@-]*){0,4})*)?$")]
    private static partial Regex PluginFirstLine();

    private static void AssertGrammar(string stdout)
    {
        string[] lines = stdout.Replace("X.XX", "0.00").TrimEnd('\n').Split('\n');
        Assert.Matches(PluginFirstLine(), lines[0]);
        Assert.All(lines.Skip(1), line => Assert.DoesNotContain("|", line));
    }

    [Fact]
    public void AllOk_IsOk_ExitZero()
    {
        _cli.WriteService("services: { a: { actions: { status: { cmd: 'true' } } }, b: { actions: { status: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "status", "--nagios");
        Assert.Equal("MILKCHECK OK - status: 2 services ok | services=2;;;0 failed=0;;;0 warning=0;;;0 nodes_failed=0;;;0 duration=X.XXs;;;0\n", r.Stdout);
        AssertGrammar(r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void TopLevelWarning_IsWarning_ExitOne()
    {
        _cli.WriteService("services: { svc: { actions: { status: { cmd: 'echo degraded; exit 1', errors: 1 } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "status", "--nagios");
        Assert.Equal("MILKCHECK WARNING - status: 1 of 1 service warning (svc) | services=1;;;0 failed=0;;;0 warning=1;;;0 nodes_failed=1;;;0 duration=X.XXs;;;0\nsvc.status WARNING on localhost: degraded\n", r.Stdout);
        AssertGrammar(r.Stdout);
        Assert.Equal(1, r.ExitCode);
    }

    [Fact]
    public void FailedEntry_IsCritical_WithOneLinePerFailedActionAndItsFirstOutputLine_ExitTwo()
    {
        _cli.WriteService("""
            services:
              nodes:
                target: "n[1-3]"
                mode: exec
                actions: { status: { cmd: "if [ %%h = n3 ]; then printf 'disk | full\nsecond line\n'; exit 1; fi" } }
              app: { require: [ nodes ], actions: { status: { cmd: "true" } } }
            """);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "status", "--nagios");
        Assert.Equal("MILKCHECK CRITICAL - status: 2 of 2 services failed (nodes, app) | services=2;;;0 failed=2;;;0 warning=0;;;0 nodes_failed=1;;;0 duration=X.XXs;;;0\n"
            + "nodes.status ERROR on n3: disk / full\napp.status DEP_ERROR\n", r.Stdout);
        AssertGrammar(r.Stdout);
        Assert.Equal(2, r.ExitCode);
    }

    [Fact]
    public void ConfigurationError_IsUnknown_ExitThree()
    {
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "ghost", "status", "--nagios");
        Assert.Equal("MILKCHECK UNKNOWN - Undefined service [ghost]\n", r.Stdout);
        AssertGrammar(r.Stdout);
        Assert.Equal(3, r.ExitCode);
    }

    [Fact]
    public void OptionError_IsUnknown_ExitThree()
    {
        CommandOutput r = _cli.Run("--nagios", "--bogus");
        Assert.Equal("MILKCHECK UNKNOWN - Invalid options: no such option: --bogus\n", r.Stdout);
        Assert.Equal("", r.Stderr);
        Assert.Equal(3, r.ExitCode);
    }

    [Fact]
    public void Timeout_KillsTheRun_AndIsUnknownWithWhatWasKnown()
    {
        _cli.WriteService("""
            services:
              quick: { actions: { status: { cmd: "true" } } }
              slow: { require: [ quick ], actions: { status: { cmd: "sleep 60" } } }
            """);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "status", "--nagios", "--timeout", "1");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the timeout stops the run");
        Assert.StartsWith("MILKCHECK UNKNOWN - status: timed out after 1 s; 1 of ", r.Stdout);
        AssertGrammar(r.Stdout);
        Assert.Equal(3, r.ExitCode);
    }

    [Fact]
    public void CheckMilkCheckLink_ImpliesNagios()
    {
        string link = Path.Combine(Path.GetDirectoryName(CommandRunner.CommandPath)!, "check_milkcheck");
        _cli.WriteService("services: { a: { actions: { status: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run(new[] { "-c", _cli.ConfigDir, "status" }, input: null, program: link);
        Assert.StartsWith("MILKCHECK OK - status: 1 service ok | ", r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void Timeout_WithoutNagios_LogsAndExitsTwelve()
    {
        _cli.WriteService("services: { slow: { actions: { status: { cmd: 'sleep 60' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "status", "--timeout=0.5");
        Assert.Equal("[00:00:00] ERROR    - Run timed out after 0.5 s\n", r.Stderr);
        Assert.Equal(12, r.ExitCode);
    }
}
