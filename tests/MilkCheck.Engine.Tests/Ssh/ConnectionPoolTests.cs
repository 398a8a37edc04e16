using MilkCheck.Engine.Tests.Scheduling;
using MilkCheck.Execution;
using MilkCheck.Execution.Ssh;
using Xunit;

namespace MilkCheck.Engine.Tests.Ssh;

/// <summary>
/// Connections kept between runs of one session (<see cref="ConnectionPool"/>), against the real sshd farm: logins
/// are counted by the daemons from their logs, sockets read from /proc/net/tcp.
/// </summary>
[Collection("sshd")]
public sealed class ConnectionPoolTests
{
    private readonly SshdFarm _farm;

    public ConnectionPoolTests(SshFarmFixture fixture) => _farm = fixture.Farm;

    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    private SshNetTransport Transport(ConnectionPool? pool, TimeSpan persist, List<string>? notices = null, string? config = null) =>
        new(new SshTransportOptions(_farm.Home, config ?? _farm.ConfigFile, _farm.User, TimeSpan.FromSeconds(10), 10), pool, persist,
            notices is null ? null : message => { lock (notices) notices.Add(message); });

    private static string Services(int first, int last) => $$"""
        services:
          base: { target: "node[{{first}}-{{last}}]", actions: { status: { cmd: "echo $SSH_CONNECTION | cut -d' ' -f3" } } }
          top: { require: [ base ], target: "node[{{first}}-{{last}}]", actions: { status: { cmd: "echo top" } } }
        """;

    /// <summary>One run with a new transport (as each Invoke-MilkCheckAction makes), disposed at its end.</summary>
    private static IReadOnlyList<ActionResult> RunOnce(RunHarness run, SshNetTransport ssh)
    {
        using (ssh)
            return run.Run("status", remote: ssh);
    }

    [Fact]
    public void A_second_run_within_connection_persist_logs_in_to_no_node()
    {
        using var pool = new ConnectionPool();
        using var run = new RunHarness(Services(21, 26));
        int before = _farm.AcceptedConnections;
        Assert.All(RunOnce(run, Transport(pool, Minute)), r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.Equal(6, _farm.AcceptedConnections - before);

        SshNetTransport second = Transport(pool, Minute);
        var results = RunOnce(run, second);
        Assert.All(results, r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.Equal(Enumerable.Range(21, 6).Select(SshdFarm.Address), results.Of("base").Nodes.Select(n => n.Output));
        Assert.Equal(6, _farm.AcceptedConnections - before);
        Assert.Equal(0, second.ConnectionsOpened);
        Assert.Equal(6, second.ConnectionsReused);
        Assert.Equal(6, ProcNetTcp.EstablishedTo(_farm.Port, 21, 26));
    }

    [Fact]
    public void Verbose_notices_say_each_connection_opened_then_reused()
    {
        using var pool = new ConnectionPool();
        using var run = new RunHarness(Services(64, 65));
        var first = new List<string>();
        RunOnce(run, Transport(pool, Minute, first));
        Assert.Equal(new[] { "node64", "node65" }, first.Where(n => n.Contains("SSH connection opened")).Select(n => n[..n.IndexOf(':')]).Order());
        var second = new List<string>();
        RunOnce(run, Transport(pool, Minute, second));
        Assert.Equal(new[] { "node64", "node65" }, second.Where(n => n.Contains("reused")).Select(n => n[..n.IndexOf(':')]).Order());
        Assert.DoesNotContain(second, n => n.Contains("opened"));
    }

    [Fact]
    public void The_pool_lists_its_connections_and_Disconnect_makes_the_next_run_log_in_again()
    {
        using var pool = new ConnectionPool();
        using var run = new RunHarness(Services(31, 33));
        RunOnce(run, Transport(pool, Minute));
        IReadOnlyList<ConnectionInfo> open = pool.Connections();
        Assert.Equal(new[] { "node31", "node32", "node33" }, open.Select(c => c.Node));
        Assert.All(open, c =>
        {
            Assert.Equal(_farm.User, c.User);
            Assert.Equal(_farm.Port, c.Port);
            Assert.Equal(0, c.Channels);
            Assert.True(c.LastUsed >= c.OpenedAt);
        });

        Assert.Equal(1, pool.Disconnect(node => node == "node32"));
        Assert.Equal(new[] { "node31", "node33" }, pool.Connections().Select(c => c.Node));
        Assert.Equal(2, pool.Disconnect(null));
        Assert.Empty(pool.Connections());
        WaitUntil(() => ProcNetTcp.EstablishedTo(_farm.Port, 31, 33) == 0, "the disconnected sockets to close");

        int before = _farm.AcceptedConnections;
        SshNetTransport again = Transport(pool, Minute);
        Assert.All(RunOnce(run, again), r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.Equal(3, _farm.AcceptedConnections - before);
        Assert.Equal(3, again.ConnectionsOpened);
    }

    [Fact]
    public void Another_session_logs_in_on_its_own()
    {
        using var mine = new ConnectionPool();
        using var theirs = new ConnectionPool();
        using var run = new RunHarness(Services(41, 44));
        int before = _farm.AcceptedConnections;
        RunOnce(run, Transport(mine, Minute));
        SshNetTransport other = Transport(theirs, Minute);
        Assert.All(RunOnce(run, other), r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.Equal(8, _farm.AcceptedConnections - before);
        Assert.Equal(4, other.ConnectionsOpened);
        Assert.Equal(4, mine.Connections().Count);
        Assert.Equal(4, theirs.Connections().Count);
    }

    [Fact]
    public void A_run_whose_settings_resolve_differently_opens_its_own_connection()
    {
        using var pool = new ConnectionPool();
        using var run = new RunHarness(Services(45, 45));
        RunOnce(run, Transport(pool, Minute));
        // The same node with another identity file (a copy of the same key): not the same settings.
        string copy = Path.Combine(_farm.Dir, "copy-" + Guid.NewGuid().ToString("N"));
        File.Copy(_farm.ClientKey, copy);
        string config = Path.Combine(_farm.Dir, "config-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(config, $"Host node45\n    IdentityFile {copy}\n" + File.ReadAllText(_farm.ConfigFile));
        SshNetTransport other = Transport(pool, Minute, config: config);
        Assert.All(RunOnce(run, other), r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.Equal(1, other.ConnectionsOpened);
        Assert.Equal(0, other.ConnectionsReused);
    }

    [Fact]
    public void Idle_connections_close_when_connection_persist_is_up()
    {
        using var pool = new ConnectionPool();
        using var run = new RunHarness(Services(51, 54));
        RunOnce(run, Transport(pool, TimeSpan.FromMilliseconds(300)));
        WaitUntil(() => ProcNetTcp.EstablishedTo(_farm.Port, 51, 54) == 0, "the idle sockets to close");
        Assert.Equal(4, pool.Expired);
        Assert.Empty(pool.Connections());
    }

    [Fact]
    public void A_zero_connection_persist_closes_the_connections_at_the_end_of_the_run()
    {
        using var pool = new ConnectionPool();
        using var run = new RunHarness(Services(55, 57));
        RunOnce(run, Transport(pool, TimeSpan.Zero));
        Assert.Empty(pool.Connections());
        WaitUntil(() => ProcNetTcp.EstablishedTo(_farm.Port, 55, 57) == 0, "the sockets to close");
    }

    [Fact]
    public void Disposing_the_pool_closes_every_kept_connection()
    {
        var pool = new ConnectionPool();
        using var run = new RunHarness(Services(58, 60));
        RunOnce(run, Transport(pool, Minute));
        Assert.Equal(3, ProcNetTcp.EstablishedTo(_farm.Port, 58, 60));
        pool.Dispose();
        WaitUntil(() => ProcNetTcp.EstablishedTo(_farm.Port, 58, 60) == 0, "the sockets to close");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_OpenSSH_transport_keeps_a_control_master_per_node_between_runs()
    {
        using var pool = new ConnectionPool();
        using var run = new RunHarness(Services(61, 63));
        OpenSshTransport OpenSsh() => new(TimeSpan.FromSeconds(10), new[] { "-F", _farm.ConfigFile }, connections: pool, persist: Minute);
        int before = _farm.AcceptedConnections;
        Assert.All(run.Run("status", remote: OpenSsh()), r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.Equal(3, _farm.AcceptedConnections - before);
        var results = run.Run("status", remote: OpenSsh());
        Assert.All(results, r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.Equal(Enumerable.Range(61, 3).Select(SshdFarm.Address), results.Of("base").Nodes.Select(n => n.Output));
        Assert.Equal(3, _farm.AcceptedConnections - before);

        string dir = pool.ControlDirectory()!;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
        IReadOnlyList<ConnectionInfo> open = pool.Connections();
        Assert.Equal(new[] { "node61", "node62", "node63" }, open.Select(c => c.Node));
        Assert.All(open, c => Assert.Equal((_farm.User, _farm.Port, MilkCheck.Configuration.TransportKind.OpenSsh), (c.User, c.Port, c.Transport)));

        Assert.Equal(3, pool.Disconnect(null));
        WaitUntil(() => pool.Connections().Count == 0, "the control masters to exit");
        Assert.All(run.Run("status", remote: OpenSsh()), r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.Equal(6, _farm.AcceptedConnections - before);
    }

    /// <summary>Client sockets in ESTABLISHED state towards the farm's nodes first..last (/proc/net/tcp, tcp6).</summary>
    [Fact]
    public async Task A_kept_connection_that_dies_after_a_run_took_it_is_reopened_once_and_the_command_runs()
    {
        using var pool = new ConnectionPool();
        using (SshNetTransport first = Transport(pool, Minute))
            Assert.Equal(NodeStatus.Ok, (await first.RunAsync("node70", "true", null, CancellationToken.None)).Status);
        // The daemon's processes that serve the kept connection: stopped, the connection still looks alive.
        int[] serving = ProcNetTcp.ServingProcesses(SshdFarm.Address(70), _farm.Port);
        Assert.NotEmpty(serving);
        Signal("STOP", serving);
        var notices = new List<string>();
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var second = new SshNetTransport(new SshTransportOptions(_farm.Home, _farm.ConfigFile, _farm.User, TimeSpan.FromSeconds(10), 10),
            pool, Minute, message =>
            {
                lock (notices)
                    notices.Add(message);
                if (message.Contains("reused", StringComparison.Ordinal))
                    taken.TrySetResult();
            });
        Task<NodeOutcome> running = second.RunAsync("node70", "echo again", null, CancellationToken.None);
        await taken.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // Taken as alive for this run, then it dies before its first command could start on it.
        Signal("KILL", serving);
        NodeOutcome outcome = await running.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((NodeStatus.Ok, "again"), (outcome.Status, outcome.Output));
        Assert.Single(notices, n => n.Contains("the kept SSH connection was closed", StringComparison.Ordinal) && n.Contains("reopening it", StringComparison.Ordinal));
        Assert.Equal(1, second.ConnectionsOpened);
    }

    private static void Signal(string signal, IEnumerable<int> pids)
    {
        using var kill = System.Diagnostics.Process.Start("kill", new[] { "-" + signal }.Concat(pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))))!;
        kill.WaitForExit();
    }

    /// <summary>Waits for a condition with a deadline (30 s), re-checking as the kernel's tables change.</summary>
    internal static void WaitUntil(Func<bool> condition, string what)
    {
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(30)), $"timed out waiting for {what}");
    }
}

/// <summary>A daemon restarted between two runs: its own farm, so the shared one keeps its connections.</summary>
public sealed class ConnectionPoolRestartTests
{
    [Fact]
    public void A_node_whose_sshd_restarted_between_two_runs_is_Ok_on_the_second_and_reopened_once_with_a_notice()
    {
        using var farm = new SshdFarm(3);
        using var pool = new ConnectionPool();
        using var run = new RunHarness("""
            services:
              base: { target: "node[1-3]", actions: { status: { cmd: "echo up" } } }
              top: { require: [ base ], target: "node[1-3]", actions: { status: { cmd: "echo top" } } }
            """);
        SshNetTransport Transport(List<string> notices) =>
            new(new SshTransportOptions(farm.Home, farm.ConfigFile, farm.User, TimeSpan.FromSeconds(10), 10), pool, TimeSpan.FromSeconds(60),
                message => { lock (notices) notices.Add(message); });
        var first = new List<string>();
        using (SshNetTransport ssh = Transport(first))
            Assert.All(run.Run("status", remote: ssh), r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.DoesNotContain(first, n => n.Contains("reopening"));

        farm.RestartDaemonOf(1);
        int before = farm.AcceptedConnections;
        var notices = new List<string>();
        using SshNetTransport second = Transport(notices);
        var results = run.Run("status", remote: second);
        Assert.All(results, r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.All(results.SelectMany(r => r.Nodes), n => Assert.Equal(NodeStatus.Ok, n.Status));
        Assert.Equal(3, farm.AcceptedConnections - before);
        var reopened = notices.Where(n => n.Contains("reopening")).ToList();
        Assert.Equal(3, reopened.Count);
        Assert.Equal(new[] { "node1", "node2", "node3" }, reopened.Select(n => n[..n.IndexOf(':')]).Order());
    }
}
