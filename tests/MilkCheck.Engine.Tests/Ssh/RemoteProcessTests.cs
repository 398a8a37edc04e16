using System.Diagnostics;
using MilkCheck.Execution;
using MilkCheck.Execution.Ssh;
using Xunit;

namespace MilkCheck.Engine.Tests.Ssh;

/// <summary>
/// What a remote command leaves on the node (the farm's sshd runs commands as root, where sshd refuses the SSH
/// "signal" request): found with pgrep by a marker unique to each test, waited for with a deadline.
/// </summary>
[Collection("sshd")]
public sealed class RemoteProcessTests : IDisposable
{
    private readonly ConnectionPool _pool = new();
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly SshdFarm _farm;

    public RemoteProcessTests(SshFarmFixture fixture) => _farm = fixture.Farm;

    public void Dispose() => _pool.Dispose();

    private SshNetTransport Transport() =>
        new(new SshTransportOptions(_farm.Home, _farm.ConfigFile, _farm.User, TimeSpan.FromSeconds(10), 10));

    /// <summary>The other transport (transport: openssh), through a kept master connection or not.</summary>
    private ITransport Transport(string kind) => kind switch
    {
        "ssh.net" => Transport(),
        "openssh" => new OpenSshTransport(TimeSpan.FromSeconds(10), new[] { "-F", _farm.ConfigFile }),
        "openssh-master" => new OpenSshTransport(TimeSpan.FromSeconds(10), new[] { "-F", _farm.ConfigFile }, connections: _pool, persist: TimeSpan.FromMinutes(1)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown transport."),
    };

    /// <summary>A sleep length no other process uses: "sleep 8xxxxx.5" in every process of the command.</summary>
    private static string Marker() => $"8{Random.Shared.Next(10000, 99999)}{Random.Shared.Next(10, 99)}.5";

    /// <summary>
    /// A command of three processes carrying the marker (a background sleep, a child shell and its sleep) that
    /// creates <paramref name="started"/> once they all run.
    /// </summary>
    private static string Tree(string marker, string started) =>
        $"sleep {marker} & sh -c 'sleep {marker}; true {marker}' & touch {started}; wait";

    private string StartedFile() => Path.Combine(_farm.Dir, "started-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("ssh.net", "node30")]
    [InlineData("openssh", "node35")]
    [InlineData("openssh-master", "node38")]
    public async Task A_timed_out_command_leaves_no_process_on_the_node(string kind, string node)
    {
        string marker = Marker(), started = StartedFile();
        ITransport ssh = Transport(kind);
        using var _ = ssh as IDisposable;
        NodeOutcome outcome = await ssh.RunAsync(node, Tree(marker, started), TimeSpan.FromSeconds(3), CancellationToken.None);
        Assert.Equal(NodeStatus.Timeout, outcome.Status);
        Assert.True(File.Exists(started), "the command never started: nothing was tested");
        Assert.DoesNotContain("signalled", outcome.Reason);
        await AssertNoProcessLeftAsync(marker);
    }

    [Theory]
    [InlineData("ssh.net", "node31")]
    [InlineData("openssh", "node36")]
    [InlineData("openssh-master", "node39")]
    public async Task A_cancelled_command_leaves_no_process_on_the_node(string kind, string node)
    {
        string marker = Marker(), started = StartedFile();
        ITransport ssh = Transport(kind);
        using var _ = ssh as IDisposable;
        using var cancel = new CancellationTokenSource();
        Task<NodeOutcome> running = ssh.RunAsync(node, Tree(marker, started), null, cancel.Token);
        Assert.True(SpinWait.SpinUntil(() => File.Exists(started) || running.IsCompleted, Deadline), "the command never started");
        Assert.False(running.IsCompleted, "the command ended before it was cancelled");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await AssertNoProcessLeftAsync(marker);
    }

    [Fact]
    public async Task Closing_the_transport_ends_the_commands_still_running()
    {
        string marker = Marker(), started = StartedFile();
        SshNetTransport ssh = Transport();
        Task<NodeOutcome> running = ssh.RunAsync("node32", Tree(marker, started), null, CancellationToken.None);
        Assert.True(SpinWait.SpinUntil(() => File.Exists(started) || running.IsCompleted, Deadline), "the command never started");
        Assert.False(running.IsCompleted, "the command ended before the transport was closed");
        ssh.Dispose();
        // How the call ends is the transport's lifetime contract (cancelled or disposed); here only the node matters.
        Exception? ended = await Record.ExceptionAsync(() => running);
        Assert.True(ended is OperationCanceledException or ObjectDisposedException, $"ended with {ended}");
        await AssertNoProcessLeftAsync(marker);
    }

    [Fact]
    public async Task What_a_command_leaves_running_on_purpose_survives_its_end()
    {
        string marker = Marker();
        using SshNetTransport ssh = Transport();
        NodeOutcome outcome = await ssh.RunAsync("node33", $"nohup sleep {marker} >/dev/null 2>&1 & echo started", null, CancellationToken.None);
        Assert.Equal(NodeStatus.Ok, outcome.Status);
        // A second command on the same connection: the first channel is closed by then.
        Assert.Equal(NodeStatus.Ok, (await ssh.RunAsync("node33", "true", null, CancellationToken.None)).Status);
        try
        {
            Assert.NotEmpty(Pids(marker));
        }
        finally
        {
            foreach (int pid in Pids(marker))
                Process.GetProcessById(pid).Kill();
        }
    }

    [Theory]
    [InlineData("ssh.net", "node34")]
    [InlineData("openssh", "node37")]
    public async Task A_command_sees_its_own_text_exit_status_and_an_empty_stdin(string kind, string node)
    {
        ITransport ssh = Transport(kind);
        using var _ = ssh as IDisposable;
        NodeOutcome quoted = await ssh.RunAsync(node, "printf '%s|' 'it'\\''s' \"$((6*7))\" a\\ b; echo; exit 3", null, CancellationToken.None);
        Assert.Equal(3, quoted.ExitCode);
        Assert.Equal("it's|42|a b|", quoted.Output);

        NodeOutcome reader = await ssh.RunAsync(node, "cat; echo read to the end", TimeSpan.FromSeconds(60), CancellationToken.None);
        Assert.Equal(NodeStatus.Ok, reader.Status);
        Assert.Equal("read to the end", reader.Output);

        string script = EmbeddedScript.ToShellCommand("#!/bin/sh\necho \"from $0\" | cut -c1-4\nexit 5\n");
        NodeOutcome embedded = await ssh.RunAsync(node, script, null, CancellationToken.None);
        Assert.Equal(5, embedded.ExitCode);
        Assert.Equal("from", embedded.Output);
    }

    private static async Task AssertNoProcessLeftAsync(string marker)
    {
        var watch = Stopwatch.StartNew();
        while (Pids(marker) is { Count: > 0 } left)
        {
            if (watch.Elapsed > Deadline)
                Assert.Fail($"still running {Deadline.TotalSeconds} s later: {string.Join(", ", left.Select(Describe))}");
            // Wait for one of them to exit (no fixed sleep): each is a process of this machine.
            using var process = Process.GetProcessById(left[0]);
            try
            {
                await process.WaitForExitAsync(new CancellationTokenSource(Deadline - watch.Elapsed).Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static string Describe(int pid)
    {
        try
        {
            return $"{pid} {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}";
        }
        catch (IOException)
        {
            return pid.ToString();
        }
    }

    private static List<int> Pids(string marker)
    {
        var start = new ProcessStartInfo("pgrep", new[] { "-f", "sleep " + marker }) { RedirectStandardOutput = true, UseShellExecute = false };
        using Process pgrep = Process.Start(start)!;
        string text = pgrep.StandardOutput.ReadToEnd();
        pgrep.WaitForExit();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Where(p => p != Environment.ProcessId).ToList();
    }
}
