using Xunit;

namespace MilkCheck.Cli.Tests;

/// <summary>Upstream's optparse command line: help, version, errors and their texts (spec §5.1, §5.2, §5.7).</summary>
public sealed class OptionTests : IDisposable
{
    private readonly CommandRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    public static string Help => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Expected", "help.txt"));

    [Fact]
    public void Help_PrintsUpstreamsOptparseText_AndExitsZero()
    {
        CommandOutput r = _cli.Run("-h");
        Assert.Equal(Help, r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void Version_PrintsTheProgramAndUpstreamsRelease()
    {
        CommandOutput r = _cli.Run("--version");
        Assert.Equal("milkcheck 1.2.4\n", r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "Invalid options:  no such option: --bogus")]
    [InlineData(new[] { "-z" }, "Invalid options:  no such option: -z")]
    [InlineData(new[] { "--d" }, "Invalid options:  ambiguous option: --d (--debug, --define, --dry-run?)")]
    [InlineData(new[] { "-r", "sometimes" }, "Invalid options:  -r/--report should be \"no\", \"default\" or \"full\"")]
    [InlineData(new[] { "-c", "/nonexistent/dir" }, "Invalid options:  -c/--config-dir should be a valid directory")]
    [InlineData(new[] { "-n", "node[1-" }, "Invalid options: node[1- is not a valid nodeset")]
    [InlineData(new[] { "-x" }, "Invalid options:  -x option requires 1 argument")]
    [InlineData(new[] { "--verbose=2" }, "Invalid options:  --verbose option does not take a value")]
    public void BadOption_LogsCriticalThenAnEmptyLine_PrintsHelp_AndExitsNine(string[] args, string message)
    {
        CommandOutput r = _cli.Run(args);
        Assert.Equal($"[00:00:00] CRITICAL - {message}\n\n", r.Stderr);
        Assert.Equal(Help, r.Stdout);
        Assert.Equal(9, r.ExitCode);
    }

    [Fact]
    public void CombinedShortOptions_AndAbbreviatedLongOptions_AreRead()
    {
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'echo hi' } } } }");
        CommandOutput r = _cli.Run("-vvs", "--config=" + _cli.ConfigDir, "start");
        Assert.Contains(" > localhost: hi\n", r.Stdout);
        Assert.EndsWith("\n SUMMARY - 1 action (0 failed)\n", r.Stdout);
    }

    [Fact]
    public void QuietThenVerbose_IsReadLeftToRight()
    {
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'echo no; exit 1' } } } }");
        CommandOutput r = _cli.Run("-q", "-v", "-c", _cli.ConfigDir, "start");
        Assert.StartsWith("start svc ran in X.XX s\n > localhost: no\n", r.Stdout); // verbosity 1: the failure block is back
    }

    [Fact]
    public void NoAction_ChecksTheConfiguration()
    {
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir);
        Assert.Equal($"No actions specified, checking configuration...\n{_cli.ConfigDir} seems good\n", r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void NoAction_OnABadConfiguration_LogsTheErrorAndExitsNine()
    {
        _cli.WriteService("services: { svc: { require: [ ghost ], actions: { start: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir);
        Assert.Equal("No actions specified, checking configuration...\n", r.Stdout);
        Assert.StartsWith("[00:00:00] ERROR    - ", r.Stderr);
        Assert.Contains("ghost", r.Stderr);
        Assert.Equal(9, r.ExitCode);
    }

    [Fact]
    public void EmptyConfiguredConfigDir_WithoutAction_PrintsHelp()
    {
        _cli.WriteGlobal("config_dir: ''");
        CommandOutput r = _cli.Run();
        Assert.Equal(Help, r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }
}
