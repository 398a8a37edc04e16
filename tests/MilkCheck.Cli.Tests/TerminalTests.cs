using Xunit;

namespace MilkCheck.Cli.Tests;

/// <summary>
/// What upstream draws only on a terminal (spec §5.4.1, §5.4.6, §5.4.7): colours, the running-tasks line on stderr
/// ended by \r, stdout lines padded over it, and the actions in progress when Enter is typed. Run on a real
/// pseudo-terminal of 77 columns (upstream's own tests use that width).
/// </summary>
public sealed class TerminalTests : IDisposable
{
    private const string Esc = "\u001b";
    private readonly CommandRunner _cli = new();

    public TerminalTests() => _cli.WriteGlobal("fanout: 64\n");

    public void Dispose() => _cli.Dispose();

    private static string Paint(string text, string code) => $"{Esc}[0;{code}m{text}{Esc}[0m";

    private string Gate => Path.Combine(_cli.Directory, "go");

    private string WaitForGate => $"while [ ! -e {Gate} ]; do sleep 0.05; done";

    [Fact]
    public void TheRunningTasksLine_IsDrawnWhenAnActionStartsAndAfterItsCommand_AndTheNextLinesArePaddedOverIt()
    {
        _cli.WriteService("services: { S1: { desc: I am the service S1, actions: { start: { cmd: 'true' } } } }");
        using var terminal = new TerminalRunner(_cli, 77, "-c", _cli.ConfigDir, "-v", "start");
        Assert.Equal(0, terminal.Wait());
        string block = $"{Paint("start", "35")} S1 {Paint("on", "35")} localhost\n > {Paint("true", "36")}";
        string status = "S1 - I am the service S1".PadRight(64) + "[" + Paint("    OK   ", "32") + "]";
        // The running line erases what the command block left (its length, escapes counted, as upstream counts).
        Assert.Equal("[S1]\r" + block + "\n" + "[S1]" + new string(' ', block.Length - 4) + "\r" + status + "\n", terminal.Screen);
    }

    [Fact]
    public void TheRunningTasksLine_FoldsTheShortNamesOfTheServicesRunning_AsANodeSet()
    {
        _cli.WriteService($"""
            services:
              S1: {"{"} actions: {"{"} start: {"{"} cmd: '{WaitForGate}' {"}"} {"}"} {"}"}
              S2: {"{"} actions: {"{"} start: {"{"} cmd: '{WaitForGate}' {"}"} {"}"} {"}"}
            """);
        using var terminal = new TerminalRunner(_cli, 77, "-c", _cli.ConfigDir, "start");
        terminal.WaitFor("[S[1-2]]");
        File.WriteAllText(Gate, "");
        Assert.Equal(0, terminal.Wait());
        foreach (string name in new[] { "S1", "S2" })
            Assert.Contains(name.PadRight(64) + "[" + Paint("    OK   ", "32") + "]", terminal.Screen);
    }

    [Theory]
    [InlineData(77, 72)]
    [InlineData(122, 117)]
    public void ARunningTasksLineWiderThanTheTerminal_IsCut_AsUpstream(int columns, int kept)
    {
        string name = new('S', 200);
        _cli.WriteService($"services: {{ {name}: {{ actions: {{ start: {{ cmd: 'true' }} }} }} }}");
        using var terminal = new TerminalRunner(_cli, columns, "-c", _cli.ConfigDir, "start");
        Assert.Equal(0, terminal.Wait());
        Assert.StartsWith("[" + new string('S', kept) + "...]\r", terminal.Screen);
        // The status line is cut at 120 columns at most, whatever the terminal's width.
        Assert.Contains(new string('S', Math.Min(columns, 120) - 16) + "...[", terminal.Screen);
    }

    /// <summary>Runs <paramref name="service"/> (exec on <paramref name="target"/>, waiting for the gate), types Enter once
    /// <paramref name="running"/> shows, opens the gate once the actions in progress show; returns the screen.</summary>
    private string EnterWhileRunning(string service, string target, string running)
    {
        _cli.WriteService($"services: {{ {service}: {{ target: '{target}', mode: exec, actions: {{ start: {{ cmd: '{WaitForGate}' }} }} }} }}");
        using var terminal = new TerminalRunner(_cli, 77, "-c", _cli.ConfigDir, "start");
        terminal.WaitFor(running);
        terminal.Type("");
        terminal.WaitFor("Actions in progress");
        File.WriteAllText(Gate, "");
        Assert.Equal(0, terminal.Wait());
        return terminal.Screen;
    }

    [Fact]
    public void Enter_ShowsTheActionsInProgress_WithTheNodesTheyStillWaitFor()
    {
        string screen = EnterWhileRunning("S1", "n[1-2]", "[S1]");
        Assert.Contains(Paint("\nActions in progress\n", "35") + $" > {Paint("S1.start", "33")}{Paint("", "33")} on {Paint("n[1-2]", "36")} (2)\n\n", screen);
    }

    [Fact]
    public void TheActionsInProgress_CutLongNamesAndNodeSetsToTheWidth_AsUpstream()
    {
        string service = new('s', 100);
        string longNode = new string('a', 60) + "." + new string('b', 40);
        string screen = EnterWhileRunning(service, $"n1,{longNode}", "]\r");
        // Upstream's rule: the label keeps 77 - 24 characters, then the node set is cut to fit what is left.
        string label = new string('s', 53) + "...";
        // The line follows the end of the title's colour.
        string line = screen.Split('\n').Single(l => l.StartsWith(Esc + "[0m > ", StringComparison.Ordinal))[4..];
        Assert.StartsWith($" > {Paint(label, "33")}{Paint("", "33")} on {Esc}[0;36m", line);
        string nodes = line[(line.IndexOf(Esc + "[0;36m", StringComparison.Ordinal) + 7)..line.LastIndexOf(Esc + "[0m", StringComparison.Ordinal)];
        Assert.EndsWith("...", nodes);
        Assert.Equal(76, $" > {label} on {nodes} (2)".Length); // one column short of the width, as upstream's arithmetic gives
        Assert.EndsWith(" (2)", line);
    }

    [Fact]
    public void Enter_DuringADelay_SaysSo_AndCtrlC_StopsTheRunWith130()
    {
        _cli.WriteService("services: { S1: { actions: { start: { cmd: 'true', delay: 30 } } } }");
        using var terminal = new TerminalRunner(_cli, 77, "-c", _cli.ConfigDir, "-vv", "start");
        terminal.WaitFor("will fire in");
        terminal.Type("");
        terminal.WaitFor("Actions in progress");
        terminal.Press("\u0003"); // the terminal turns it into SIGINT for the foreground process group
        Assert.Equal(130, terminal.Wait());
        Assert.Contains($" > {Paint("S1.start", "33")}{Paint(" (delayed for 30s)", "33")} on {Paint("localhost", "36")}\n", terminal.Screen);
        Assert.Contains("ERROR    - Keyboard Interrupt", terminal.Screen);
    }

    [Fact]
    public void CtrlC_AtTheConfirmationQuestion_IsAKeyboardInterrupt_130()
    {
        _cli.WriteGlobal("fanout: 64\nconfirm_actions: [ stop ]\n");
        _cli.WriteService("services: { S1: { actions: { stop: { cmd: 'true' } } } }");
        using var terminal = new TerminalRunner(_cli, 77, "-c", _cli.ConfigDir, "stop");
        terminal.WaitFor("Are you sure to run stop action? (y/N) ");
        terminal.Press("\u0003");
        Assert.Equal(130, terminal.Wait());
        Assert.Contains("ERROR    - Keyboard Interrupt", terminal.Screen);
        Assert.DoesNotContain("[    OK   ]", terminal.Screen);
    }

    [Fact]
    public void TheConfigurationCheck_PadsItsSecondLineOverTheFirst()
    {
        _cli.WriteService("services: { S1: { actions: { start: { cmd: 'true' } } } }");
        using var terminal = new TerminalRunner(_cli, 77, "-c", _cli.ConfigDir);
        Assert.Equal(0, terminal.Wait());
        string first = "No actions specified, checking configuration...";
        string second = $"{_cli.ConfigDir} seems good";
        Assert.Equal(first + "\n" + second + new string(' ', Math.Max(0, first.Length - second.Length)) + "\n", terminal.Screen);
    }

    [Fact]
    public void OffATerminal_NothingOfItIsDrawn()
    {
        _cli.WriteService("services: { S1: { actions: { start: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-v", "start");
        Assert.False((r.Stdout + r.Stderr).Contains('\r', StringComparison.Ordinal), "a carriage return off a terminal");
        Assert.False((r.Stdout + r.Stderr).Contains(Esc, StringComparison.Ordinal), "a colour off a terminal");
        Assert.Equal("start S1 on localhost\n > true\n" + "S1".PadRight(67) + "  [    OK   ]\n", r.Stdout);
    }
}
