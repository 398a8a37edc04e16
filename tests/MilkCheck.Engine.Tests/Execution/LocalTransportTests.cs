using MilkCheck.Engine.Tests.Groups;
using MilkCheck.Execution;
using Xunit;

namespace MilkCheck.Engine.Tests.Execution;

public sealed class LocalTransportTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly LocalTransport _transport = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SuccessfulCommand_IsOkWithItsOutputWithoutTheFinalNewline()
    {
        NodeOutcome outcome = await _transport.RunAsync("localhost", "echo hello; echo world", null, CancellationToken.None);
        Assert.Equal((NodeStatus.Ok, (int?)0, "hello\nworld"), (outcome.Status, outcome.ExitCode, outcome.Output));
    }

    [Fact]
    public async Task NonZeroExit_IsFailedWithTheExitCode()
    {
        NodeOutcome outcome = await _transport.RunAsync("localhost", "echo oops >&2; exit 3", null, CancellationToken.None);
        Assert.Equal((NodeStatus.Failed, (int?)3, "oops"), (outcome.Status, outcome.ExitCode, outcome.Output));
        Assert.Null(outcome.Reason);
    }

    [Fact]
    public async Task StdoutAndStderr_AreMergedIntoOneBuffer()
    {
        NodeOutcome outcome = await _transport.RunAsync("localhost", "echo out; echo err >&2", null, CancellationToken.None);
        Assert.Equal(new[] { "err", "out" }, outcome.Output.Split('\n').Order());
    }

    [Fact]
    public async Task Timeout_KillsTheCommandAndItsChildren()
    {
        string pidFile = _dir["child.pid"];
        NodeOutcome outcome = await _transport.RunAsync("localhost", $"sleep 30 & echo $! > {pidFile}; wait", TimeSpan.FromMilliseconds(500), CancellationToken.None);
        Assert.Equal(NodeStatus.Timeout, outcome.Status);
        Assert.Null(outcome.ExitCode);
        Assert.Contains("timed out", outcome.Reason);
        int child = int.Parse(File.ReadAllText(pidFile).Trim());
        // SIGKILL is sent before RunAsync returns; the kernel finishes the process a moment later.
        Assert.True(SpinWait.SpinUntil(() => IsGone(child), TimeSpan.FromSeconds(5)), $"child {child} survived the timeout");
    }

    private static bool IsGone(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z') || stat[(stat.LastIndexOf(')') + 2)..].StartsWith('X');
        }
        catch (IOException)
        {
            return true; // no /proc entry: gone
        }
    }

    [Fact]
    public async Task Timeout_EndsTheRunEvenWhenADetachedChildKeepsTheOutputOpen()
    {
        string pidFile = _dir["detached.pid"];
        NodeOutcome outcome = await _transport.RunAsync("localhost",
            $"echo before; (sh -c 'echo $$ > {pidFile}; exec sleep 120' &); sleep 30", TimeSpan.FromMilliseconds(500), CancellationToken.None);
        try
        {
            Assert.Equal(NodeStatus.Timeout, outcome.Status);
            Assert.Equal("before", outcome.Output);
        }
        finally
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid))
                Kill(pid);
        }
    }

    private static void Kill(int pid)
    {
        try
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    [Fact]
    public async Task ZeroTimeout_TimesOutAtOnceWithoutRunning()
    {
        string marker = _dir["ran"];
        NodeOutcome outcome = await _transport.RunAsync("localhost", $"touch {marker}", TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(NodeStatus.Timeout, outcome.Status);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Cancellation_KillsTheCommandAndThrows()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _transport.RunAsync("localhost", "sleep 30", null, cancel.Token));
    }

    [Fact]
    public async Task HugeOutput_IsCappedAndTheCutIsSaid()
    {
        var small = new LocalTransport(outputLimit: 1000);
        NodeOutcome outcome = await small.RunAsync("localhost", "seq 1 100000", null, CancellationToken.None);
        Assert.Equal(NodeStatus.Ok, outcome.Status);
        Assert.EndsWith("[output truncated at 1000 characters]", outcome.Output);
        Assert.True(outcome.Output.Length < 1100);
    }

    [Fact]
    public async Task MultiLineScript_RunsAsOneShellScript()
    {
        const string script = """
            greet() { echo "hi $1"; }
            for n in 1 2; do greet $n; done
            cat <<EOT
            here
            EOT
            """;
        NodeOutcome outcome = await _transport.RunAsync("localhost", script, null, CancellationToken.None);
        Assert.Equal("hi 1\nhi 2\nhere", outcome.Output);
    }
}
