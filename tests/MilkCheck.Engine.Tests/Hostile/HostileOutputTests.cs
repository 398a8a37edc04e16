using System.Diagnostics;
using MilkCheck.Execution;
using MilkCheck.Engine.Tests.Scheduling;
using Xunit;

namespace MilkCheck.Engine.Tests.Hostile;

/// <summary>
/// Memory measurements need the process to themselves: no other test class runs while these do.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuredCollection
{
    public const string Name = "Memory measured";
}

/// <summary>Commands that print without end: the output kept per node stays within the cap, and so does memory.</summary>
[Collection(MemoryMeasuredCollection.Name)]
public sealed class HostileOutputTests
{
    private const long MiB = 1 << 20;

    public static TheoryData<string, string> EndlessOutput => new()
    {
        // name, command: each prints far more than the 1 MiB cap
        { "200 MB of NUL bytes, no newline", "head -c 200000000 /dev/zero" },
        { "100 MB on one line", "head -c 100000000 /dev/zero | tr '\\0' x" },
        { "100 MB of short lines", "yes 123456789 | head -c 100000000" },
        { "100 MB on stderr", "head -c 100000000 /dev/zero | tr '\\0' x >&2" },
    };

    [Theory]
    [MemberData(nameof(EndlessOutput))]
    public async Task EndlessOutput_KeepsTheHeadUpToTheCapAndSaysItWasCut(string name, string command)
    {
        NodeOutcome outcome = await new LocalTransport().RunAsync("localhost", command, null, CancellationToken.None);
        Assert.True(outcome.Status == NodeStatus.Ok, $"{name}: {outcome.Status} {outcome.Reason}");
        string marker = $"\n[output truncated at {LocalTransport.DefaultOutputLimit} characters]";
        Assert.EndsWith(marker, outcome.Output);
        // The head is kept up to the cap: within one line of it for line output, exactly for one endless line.
        Assert.InRange(outcome.Output.Length - marker.Length, LocalTransport.DefaultOutputLimit - 11, LocalTransport.DefaultOutputLimit);
    }

    [Fact]
    public async Task OneHundredMegabyteLine_KeepsExactlyTheFirstCapCharacters()
    {
        NodeOutcome outcome = await new LocalTransport().RunAsync("localhost", "head -c 100000000 /dev/zero | tr '\\0' x", null, CancellationToken.None);
        string head = outcome.Output[..outcome.Output.IndexOf('\n')];
        Assert.Equal(new string('x', LocalTransport.DefaultOutputLimit), head);
    }

    [Fact]
    public void FourExecNodesPrintingTwoHundredMegabytesEach_FinishCutWithinOneHundredMegabytesOfMemory()
    {
        using var harness = new RunHarness("""
            services:
              zero:
                target: "n[1-4]"
                mode: exec
                actions:
                  start:
                    cmd: head -c 200000000 /dev/zero
            """);
        using Process self = Process.GetCurrentProcess();
        GC.Collect();
        self.Refresh();
        long before = Math.Max(self.PeakWorkingSet64, 0);
        long workingSet = self.WorkingSet64;

        ActionResult result = harness.Run("start", local: new LocalTransport()).Of("zero");

        self.Refresh();
        Assert.Equal(ActionStatus.Done, result.Status);
        Assert.Equal(4, result.Nodes.Count);
        Assert.All(result.Nodes, node => Assert.EndsWith("[output truncated at 1048576 characters]", node.Output));
        // The peak is the process's lifetime peak: growth past it, or past today's working set, is what the run took.
        long grown = self.PeakWorkingSet64 - Math.Max(before, workingSet);
        Assert.True(grown < 100 * MiB, $"the peak working set grew by {grown / MiB} MiB");
    }

    public static TheoryData<string, string, string> ControlCharacters => new()
    {
        // name, raw output, what the view shows
        { "OSC that retitles the terminal", "\u001B]0;pwned\u0007", "\u241B]0;pwned\u2407" },
        { "CSI that recolours", "\u001B[31mred\u001B[0m", "\u241B[31mred\u241B[0m" },
        { "8-bit CSI (C1)", "\u009B2J", "\u241B[2J" },
        { "backspaces hiding text", "rm -rf /\b\b\b\bok", "rm -rf /\u2408\u2408\u2408\u2408ok" },
        { "DEL and NUL", "a\u007Fb\u0000c", "a\u2421b\u2400c" },
        { "tabs stay", "a\tb", "a\tb" },
    };

    [Theory]
    [MemberData(nameof(ControlCharacters))]
    public void ControlCharacters_InOutput_AreShownAsVisibleSymbols(string name, string raw, string shown)
    {
        Assert.Equal(shown, ResultText.Visible(raw));
        var node = new NodeResult("n1", "svc", "start", NodeStatus.Failed, 1, raw, TimeSpan.Zero, null);
        var result = new ActionResult("svc", "", EntityKind.Service, "start", ActionStatus.Error, true, "n1", "n1",
            new[] { node }, Array.Empty<ActionResult>(), "cmd", DateTimeOffset.Now, TimeSpan.Zero, 1, null);
        string block = ResultText.ActionBlock(result);
        Assert.Contains(" > n1: " + shown, block);
        Assert.Equal(raw, result.Nodes[0].Output); // the object keeps the raw text
        Assert.False(block.Any(c => c is < ' ' and not '\n' and not '\t' || c is >= '\u007F' and <= '\u009F'), name);
    }
}
