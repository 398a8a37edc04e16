using System.Net;
using System.Net.Sockets;
using MilkCheck.Configuration;
using MilkCheck.Engine.Tests.Scheduling;
using MilkCheck.Execution;
using MilkCheck.Execution.Ssh;
using MilkCheck.Scheduling;
using Xunit;

namespace MilkCheck.Engine.Tests.Ssh;

public sealed class SshFarmFixture : IDisposable
{
    public SshFarmFixture() => Farm = new SshdFarm(200);

    internal SshdFarm Farm { get; }

    public void Dispose() => Farm.Dispose();
}

[CollectionDefinition("sshd")]
public sealed class SshdCollection : ICollectionFixture<SshFarmFixture>
{
}

/// <summary>Against real sshd daemons on 127.77.0.x: the SSH.NET transport and the OpenSSH one.</summary>
[Collection("sshd")]
public sealed class SshTransportTests
{
    private readonly SshdFarm _farm;

    public SshTransportTests(SshFarmFixture fixture) => _farm = fixture.Farm;

    private SshNetTransport Transport(string? config = null, TimeSpan? connectTimeout = null, int maxSessions = 10) =>
        new(new SshTransportOptions(_farm.Home, config ?? _farm.ConfigFile, _farm.User, connectTimeout ?? TimeSpan.FromSeconds(10), maxSessions));

    private OpenSshTransport OpenSsh(string? config = null) =>
        new(TimeSpan.FromSeconds(10), new[] { "-F", config ?? _farm.ConfigFile });

    /// <summary>A client config for one extra host, followed by the farm's own settings.</summary>
    private string ConfigWith(string block)
    {
        string path = Path.Combine(_farm.Dir, "config-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, block + "\n" + File.ReadAllText(_farm.ConfigFile));
        return path;
    }

    /// <summary>A client config with only this host, with the farm's known_hosts but the given identity.</summary>
    private string ConfigOnly(int node, string identity)
    {
        string path = Path.Combine(_farm.Dir, "config-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, $"Host node{node}\n    HostName {SshdFarm.Address(node)}\n    Port {_farm.Port}\n    User {_farm.User}\n" +
            $"    IdentityFile {identity}\n    IdentitiesOnly yes\n    UserKnownHostsFile {_farm.KnownHostsFile}\n    BatchMode yes\n");
        return path;
    }

    private const string ThreeServices = """
        services:
          base: { target: "node[1-8]", actions: { start: { cmd: "echo $SSH_CONNECTION | cut -d' ' -f3" } } }
          mid: { require: [ base ], target: "node[1-8]", actions: { start: { cmd: "echo mid" } } }
          top: { require: [ mid ], target: "node[1-8]", actions: { start: { cmd: "echo top" } } }
        """;

    [Fact]
    public void A_multi_service_run_over_eight_nodes_uses_one_connection_per_node()
    {
        using var run = new RunHarness(ThreeServices);
        int before = _farm.AcceptedConnections;
        using SshNetTransport ssh = Transport();
        var results = run.Run("start", remote: ssh);
        Assert.All(results, r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.Equal(Enumerable.Range(1, 8).Select(SshdFarm.Address), results.Of("base").Nodes.Select(n => n.Output));
        Assert.Equal(8, ssh.ConnectionsOpened);
        Assert.Equal(8, _farm.AcceptedConnections - before); // counted by the server: 24 commands, 8 connections
    }

    [Fact]
    public async Task Exit_codes_and_merged_output_come_back_per_node()
    {
        using SshNetTransport ssh = Transport();
        NodeOutcome outcome = await ssh.RunAsync("node3", "echo out; echo err >&2; exit 7", null, CancellationToken.None);
        Assert.Equal(NodeStatus.Failed, outcome.Status);
        Assert.Equal(7, outcome.ExitCode);
        Assert.Equal(new[] { "err", "out" }, outcome.Output.Split('\n').Order());
    }

    [Fact]
    public async Task An_address_with_nothing_listening_is_Unreachable_and_tried_once_per_run()
    {
        string config = ConfigWith($"Host deadnode\n    HostName 127.77.1.250\n    IdentityFile {_farm.ClientKey}\n");
        using SshNetTransport ssh = Transport(config);
        NodeOutcome first = await ssh.RunAsync("deadnode", "true", null, CancellationToken.None);
        NodeOutcome second = await ssh.RunAsync("deadnode", "true", null, CancellationToken.None);
        Assert.Equal(NodeStatus.Unreachable, first.Status);
        Assert.Null(first.ExitCode);
        Assert.Contains("cannot connect", first.Reason);
        Assert.Equal(NodeStatus.Unreachable, second.Status);
        Assert.Contains("attempted once", second.Reason);
        Assert.Equal(1, ssh.ConnectionsOpened);
    }

    [Fact]
    public async Task A_node_that_accepts_TCP_but_never_speaks_is_Unreachable_after_the_connect_timeout()
    {
        using var silent = new TcpListener(IPAddress.Parse("127.77.1.251"), 0);
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        Task<TcpClient> accepted = silent.AcceptTcpClientAsync();
        string config = ConfigWith($"Host mute\n    HostName 127.77.1.251\n    Port {port}\n    IdentityFile {_farm.ClientKey}\n");
        using SshNetTransport ssh = Transport(config, connectTimeout: TimeSpan.FromSeconds(1));
        NodeOutcome outcome = await ssh.RunAsync("mute", "true", null, CancellationToken.None);
        Assert.Equal(NodeStatus.Unreachable, outcome.Status);
        Assert.Contains("connect timeout", outcome.Reason);
        (await accepted).Dispose();
    }

    [Fact]
    public async Task A_key_the_server_does_not_know_is_AuthenticationFailed()
    {
        string other = Path.Combine(_farm.Dir, "other-" + Guid.NewGuid().ToString("N"));
        RunTool("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other);
        using SshNetTransport ssh = Transport(ConfigOnly(5, other));
        NodeOutcome outcome = await ssh.RunAsync("node5", "true", null, CancellationToken.None);
        Assert.Equal(NodeStatus.AuthenticationFailed, outcome.Status);
        Assert.Contains("authentication failed", outcome.Reason);
    }

    [Fact]
    public async Task An_encrypted_key_is_AuthenticationFailed_with_the_reason()
    {
        string locked = Path.Combine(_farm.Dir, "locked-" + Guid.NewGuid().ToString("N"));
        RunTool("ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-f", locked);
        using SshNetTransport ssh = Transport(ConfigOnly(6, locked));
        NodeOutcome outcome = await ssh.RunAsync("node6", "true", null, CancellationToken.None);
        Assert.Equal(NodeStatus.AuthenticationFailed, outcome.Status);
        Assert.Contains("encrypted", outcome.Reason);
    }

    [Fact]
    public async Task A_changed_host_key_is_HostKeyRejected_and_an_unknown_one_too_unless_accept_new()
    {
        string other = Path.Combine(_farm.Dir, "hk-" + Guid.NewGuid().ToString("N"));
        RunTool("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other);
        string[] wrong = File.ReadAllText(other + ".pub").Split(' ');
        string changedKnown = Path.Combine(_farm.Dir, "known-changed-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(changedKnown, $"[node7]:{_farm.Port} {wrong[0]} {wrong[1]}\n");
        using (SshNetTransport ssh = Transport(ConfigWith($"Host node7\n    UserKnownHostsFile {changedKnown}\n")))
        {
            NodeOutcome changed = await ssh.RunAsync("node7", "true", null, CancellationToken.None);
            Assert.Equal(NodeStatus.HostKeyRejected, changed.Status);
            Assert.Contains("differs", changed.Reason);
        }

        string empty = Path.Combine(_farm.Dir, "known-empty-" + Guid.NewGuid().ToString("N"));
        using (SshNetTransport ssh = Transport(ConfigWith($"Host node8\n    UserKnownHostsFile {empty}\n")))
        {
            NodeOutcome unknown = await ssh.RunAsync("node8", "true", null, CancellationToken.None);
            Assert.Equal(NodeStatus.HostKeyRejected, unknown.Status);
            Assert.Contains("accept-new", unknown.Reason);
        }

        string fresh = Path.Combine(_farm.Dir, "known-new-" + Guid.NewGuid().ToString("N"));
        using (SshNetTransport ssh = Transport(ConfigWith($"Host node8\n    UserKnownHostsFile {fresh}\n    StrictHostKeyChecking accept-new\n")))
        {
            NodeOutcome accepted = await ssh.RunAsync("node8", "true", null, CancellationToken.None);
            Assert.Equal(NodeStatus.Ok, accepted.Status);
            Assert.Contains($"[node8]:{_farm.Port} ssh-ed25519 ", File.ReadAllText(fresh));
        }
    }

    [Fact]
    public async Task A_command_timeout_gives_Timeout_and_frees_the_node_for_later_commands()
    {
        using SshNetTransport ssh = Transport();
        NodeOutcome slow = await ssh.RunAsync("node2", "sleep 30", TimeSpan.FromMilliseconds(500), CancellationToken.None);
        Assert.Equal(NodeStatus.Timeout, slow.Status);
        Assert.Null(slow.ExitCode);
        NodeOutcome next = await ssh.RunAsync("node2", "echo still here", null, CancellationToken.None);
        Assert.Equal("still here", next.Output);
        Assert.Equal(1, ssh.ConnectionsOpened);
    }

    [Fact]
    public async Task Cancelling_a_command_throws_and_disposing_closes_the_connections()
    {
        using var cancel = new CancellationTokenSource();
        SshNetTransport ssh = Transport();
        Task<NodeOutcome> running = ssh.RunAsync("node4", "sleep 30", null, cancel.Token);
        await ssh.RunAsync("node4", "true", null, CancellationToken.None); // the connection is up and sleep runs
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        ssh.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ssh.RunAsync("node4", "true", null, CancellationToken.None));
    }

    [Fact]
    public async Task Cancelling_a_run_over_ssh_ends_it_and_leaves_no_connection_open()
    {
        using var run = new RunHarness("""
            services:
              warm: { target: "node[11-14]", actions: { start: { cmd: "true" } } }
              slow: { after: [ warm ], target: "node[11-14]", actions: { start: { cmd: "sleep 30" } } }
            """);
        var ssh = Transport();
        var entered = new CountingTransport(ssh, "sleep 30", 4);
        using var cancel = new CancellationTokenSource();
        Task<IReadOnlyList<ActionResult>> running = new RunEngine(run.Plan("start"), run.Local, entered, run.Observer).RunAsync(cancel.Token);
        await entered.AllEntered;
        Assert.Equal(4, ProcNetTcp.EstablishedTo(_farm.Port, 11, 14));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        ssh.Dispose();
        Assert.Equal(0, ProcNetTcp.EstablishedTo(_farm.Port, 11, 14));
        Assert.Contains("done warm Done", run.Observer.Events);
    }

    /// <summary>Signals once <paramref name="count"/> commands equal to <paramref name="command"/> have reached the transport.</summary>
    private sealed class CountingTransport : ITransport
    {
        private readonly ITransport _inner;
        private readonly string _command;
        private readonly int _count;
        private int _seen;
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CountingTransport(ITransport inner, string command, int count)
        {
            _inner = inner;
            _command = command;
            _count = count;
        }

        public Task AllEntered => _all.Task;

        public Task<NodeOutcome> RunAsync(string node, string command, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            if (command == _command && Interlocked.Increment(ref _seen) == _count)
                _all.TrySetResult();
            return _inner.RunAsync(node, command, timeout, cancellationToken);
        }
    }

    [Fact]
    public void Two_hundred_nodes_with_fanout_64_all_answer_on_their_own_address()
    {
        using var run = new RunHarness("""
            services:
              wide: { target: "node[1-200]", actions: { status: { cmd: "echo $SSH_CONNECTION | cut -d' ' -f3" } } }
            """);
        using SshNetTransport ssh = Transport();
        var results = run.Run("status", o => o with { Fanout = 64 }, remote: ssh);
        ActionResult wide = results.Of("wide");
        Assert.Equal(ActionStatus.Done, wide.Status);
        Assert.Equal(200, wide.Nodes.Count);
        Assert.All(wide.Nodes, n => Assert.Equal(SshdFarm.Address(int.Parse(n.Node[4..])), n.Output));
        Assert.Equal(200, ssh.ConnectionsOpened);
    }

    /// <summary>
    /// A remote command that appends its node to <paramref name="dir"/>/started, then waits (on the node, not
    /// here) until <paramref name="dir"/>/go exists: while the test holds the gate, every started command is in flight.
    /// </summary>
    internal static string GatedCommand(string dir) =>
        $"echo x >> {dir}/started; while [ ! -e {dir}/go ]; do sleep 0.05; done; echo finished";

    internal static int Started(string dir) =>
        File.Exists(Path.Combine(dir, "started")) ? File.ReadAllLines(Path.Combine(dir, "started")).Length : 0;

    [Fact]
    public async Task Sixty_four_commands_run_at_once_at_fanout_64_with_fewer_pool_threads_than_commands()
    {
        string gate = Directory.CreateDirectory(Path.Combine(_farm.Dir, "gate-" + Guid.NewGuid().ToString("N"))).FullName;
        using var run = new RunHarness($$"""
            services:
              held: { target: "node[101-164]", actions: { start: { cmd: "{{GatedCommand(gate)}}", timeout: 120 } } }
            """);
        using SshNetTransport ssh = Transport();
        Task<IReadOnlyList<ActionResult>> running = Task.Run(() => run.Run("start", o => o with { Fanout = 64 }, remote: ssh));
        bool allStarted = SpinWait.SpinUntil(() => Started(gate) == 64 || running.IsCompleted, TimeSpan.FromSeconds(90));
        // Sampled while the 64 commands are running on the nodes, waiting for the gate.
        int poolWhileInFlight = ThreadPool.ThreadCount;
        File.WriteAllText(Path.Combine(gate, "go"), string.Empty);
        ActionResult held = (await running.WaitAsync(TimeSpan.FromSeconds(120))).Of("held");
        Assert.True(allStarted, $"only {Started(gate)} of 64 commands started");
        Assert.Equal(ActionStatus.Done, held.Status);
        Assert.All(held.Nodes, n => Assert.Equal("finished", n.Output));
        // Before, each running command parked two pool threads (one per output stream): 64 commands, 128 threads.
        Assert.True(poolWhileInFlight < 64, $"{poolWhileInFlight} thread-pool threads for 64 commands in flight");
    }

    [Fact]
    public async Task The_OpenSSH_transport_runs_the_same_services_and_maps_ssh_failures()
    {
        using var run = new RunHarness(ThreeServices);
        var results = run.Run("start", remote: OpenSsh());
        Assert.All(results, r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.Equal(Enumerable.Range(1, 8).Select(SshdFarm.Address), results.Of("base").Nodes.Select(n => n.Output));

        NodeOutcome dead = await OpenSsh(ConfigWith($"Host deadnode\n    HostName 127.77.1.250\n    IdentityFile {_farm.ClientKey}\n")).RunAsync("deadnode", "true", null, CancellationToken.None);
        Assert.Equal(NodeStatus.Unreachable, dead.Status);
        Assert.Null(dead.ExitCode);

        string other = Path.Combine(_farm.Dir, "o-" + Guid.NewGuid().ToString("N"));
        RunTool("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other);
        NodeOutcome denied = await OpenSsh(ConfigOnly(5, other)).RunAsync("node5", "true", null, CancellationToken.None);
        Assert.Equal(NodeStatus.AuthenticationFailed, denied.Status);

        string[] wrong = File.ReadAllText(other + ".pub").Split(' ');
        string changedKnown = Path.Combine(_farm.Dir, "oknown-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(changedKnown, $"[node7]:{_farm.Port} {wrong[0]} {wrong[1]}\n");
        NodeOutcome rejected = await OpenSsh(ConfigWith($"Host node7\n    UserKnownHostsFile {changedKnown}\n")).RunAsync("node7", "true", null, CancellationToken.None);
        Assert.Equal(NodeStatus.HostKeyRejected, rejected.Status);
    }

    private static void RunTool(string file, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}

/// <summary>A daemon stopped in the middle of a run: its own farm, so other tests keep theirs.</summary>
public sealed class SshDaemonStopTests
{
    [Fact]
    public void A_node_whose_sshd_stops_mid_run_is_Unreachable_for_the_later_actions()
    {
        using var farm = new SshdFarm(2);
        using var run = new RunHarness("""
            services:
              first: { target: "node[1-2]", actions: { start: { cmd: "echo up" } } }
              second: { after: [ first ], target: "node[1-2]", actions: { start: { cmd: "echo again" } } }
            """);
        using var ssh = new SshNetTransport(new SshTransportOptions(farm.Home, farm.ConfigFile, farm.User, TimeSpan.FromSeconds(5), 10));
        run.Remote.Gate = null;
        var gate = new StopBetweenActions(ssh, farm);
        var results = run.Run("start", remote: gate);
        Assert.Equal(ActionStatus.Done, results.Of("first").Status);
        ActionResult second = results.Of("second");
        Assert.Equal(ActionStatus.Error, second.Status);
        Assert.All(second.Nodes, n => Assert.Equal(NodeStatus.Unreachable, n.Status));
        Assert.Equal("node[1-2]", second.FailedNodes);
    }

    [Fact]
    public async Task Nodes_whose_sshd_is_killed_while_their_commands_run_are_Unreachable_with_a_reason()
    {
        using var farm = new SshdFarm(16);
        string gate = Directory.CreateDirectory(Path.Combine(farm.Dir, "gate")).FullName;
        using var run = new RunHarness($$"""
            services:
              held: { target: "node[1-16]", actions: { start: { cmd: "{{SshTransportTests.GatedCommand(gate)}}", timeout: 120 } } }
            """);
        using var ssh = new SshNetTransport(new SshTransportOptions(farm.Home, farm.ConfigFile, farm.User, TimeSpan.FromSeconds(5), 10));
        Task<IReadOnlyList<ActionResult>> running = Task.Run(() => run.Run("start", remote: ssh));
        Assert.True(SpinWait.SpinUntil(() => SshTransportTests.Started(gate) == 16 || running.IsCompleted, TimeSpan.FromSeconds(60)),
            $"only {SshTransportTests.Started(gate)} of 16 commands started");
        farm.KillDaemonOf(1);
        ActionResult held = (await running.WaitAsync(TimeSpan.FromSeconds(60))).Of("held");
        Assert.Equal(ActionStatus.Error, held.Status);
        Assert.Equal(16, held.Nodes.Count);
        Assert.All(held.Nodes, n =>
        {
            Assert.Equal(NodeStatus.Unreachable, n.Status);
            Assert.Null(n.ExitCode);
            Assert.Contains("connection lost", n.Reason);
        });
    }

    /// <summary>Passes commands to SSH and stops the daemons when the second action's first command arrives.</summary>
    private sealed class StopBetweenActions : ITransport
    {
        private readonly ITransport _inner;
        private readonly SshdFarm _farm;
        private int _stopped;

        public StopBetweenActions(ITransport inner, SshdFarm farm)
        {
            _inner = inner;
            _farm = farm;
        }

        public Task<NodeOutcome> RunAsync(string node, string command, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            if (command == "echo again" && Interlocked.Exchange(ref _stopped, 1) == 0)
                _farm.StopDaemonOf(1);
            return _inner.RunAsync(node, command, timeout, cancellationToken);
        }
    }
}
