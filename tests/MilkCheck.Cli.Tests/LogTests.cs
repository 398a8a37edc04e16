using Xunit;

namespace MilkCheck.Cli.Tests;

/// <summary>Upstream's INFO and DEBUG log lines of substitutions (spec §5.4.8), on stderr at -vv and -vvv.</summary>
public sealed class LogTests : IDisposable
{
    private readonly CommandRunner _cli = new();

    public LogTests() => _cli.WriteGlobal("fanout: 64\n"); // a milkcheck.conf, so that no WARNING says it is missing

    public void Dispose() => _cli.Dispose();

    private const string Config = """
        variables:
          foo: bar
          nodes: localhost
          chained: "%foo-x"
        services:
          svc:
            desc: "svc %foo"
            target: "%nodes"
            actions:
              start:
                mode: exec
                cmd: echo %foo %chained %(echo hi; echo) %chained
        """;

    [Fact]
    public void VeryVerbose_LogsEachValueASubstitutionChanged_InUpstreamsOrder_AndEachDefineThatReplacesAVariable()
    {
        _cli.WriteService(Config);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-vv", "-D", "foo=baz", "-D", "foo=qux", "svc", "start");
        Assert.Equal(0, r.ExitCode);
        // Load (the target), the defines, then the run's resolution: variables once, the saved target and the
        // description again (service, then the action that inherits it), the command last.
        Assert.Equal("""
            [00:00:00] INFO     - Variable content '%nodes' replaced by 'localhost'
            [00:00:00] INFO     - Variable 'foo' updating 'baz' (was 'bar')
            [00:00:00] INFO     - Variable 'foo' updating 'qux' (was 'baz')
            [00:00:00] INFO     - Variable content '%foo-x' replaced by 'qux-x'
            [00:00:00] INFO     - Variable content '%nodes' replaced by 'localhost'
            [00:00:00] INFO     - Variable content 'svc %foo' replaced by 'svc qux'
            [00:00:00] INFO     - Variable content 'svc %foo' replaced by 'svc qux'
            [00:00:00] INFO     - Variable content 'echo %foo %chained %(echo hi; echo) %chained' replaced by 'echo qux qux-x hi qux-x'

            """.Replace("\r", ""), r.Stderr);
        Assert.Contains(" > localhost: qux qux-x hi qux-x\n", r.Stdout);
    }

    [Fact]
    public void Debug_AlsoLogsEachCommandSubstitution_WithItsExitStatusAndRawOutput()
    {
        _cli.WriteService(Config);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-vvv", "svc", "start");
        Assert.Contains("[00:00:00] INFO     - Variable content 'svc %foo' replaced by 'svc bar'\n"
            + "[00:00:00] DEBUG    - External command exited with 0: 'hi\n\n'\n"
            + "[00:00:00] INFO     - Variable content 'echo %foo %chained %(echo hi; echo) %chained' replaced by 'echo bar bar-x hi bar-x'\n", r.Stderr);
    }

    [Theory]
    [InlineData("-v")]
    [InlineData("-q")]
    public void BelowVeryVerbose_NoSubstitutionIsLogged(string verbosity)
    {
        _cli.WriteService(Config);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, verbosity, "-D", "foo=baz", "svc", "start");
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("replaced by", r.Stderr);
        Assert.DoesNotContain("updating", r.Stderr);
    }

    [Fact]
    public void AVariableWithACommand_RunsItOnce_HoweverManyCommandsUseIt()
    {
        string count = Path.Combine(_cli.Directory, "count");
        _cli.WriteService($$"""
            variables:
              stamp: "%(echo x >> {{count}}; echo s)"
            services:
              a: { actions: { start: { cmd: "echo %stamp %stamp" } } }
              b: { actions: { start: { cmd: "echo %stamp" } } }
            """);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-vvv", "start");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("x\n", File.ReadAllText(count));
        Assert.Single(r.Stderr.Split('\n'), l => l.Contains("External command exited with 0: 's"));
    }

    [Fact]
    public void TheCheckOfAConfiguration_LogsTheTargetsItResolves()
    {
        _cli.WriteService(Config);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-vv");
        Assert.Equal("[00:00:00] INFO     - Variable content '%nodes' replaced by 'localhost'\n", r.Stderr);
    }
}
