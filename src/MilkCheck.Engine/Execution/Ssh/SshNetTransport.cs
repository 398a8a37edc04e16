using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace MilkCheck.Execution.Ssh;

/// <summary>Where the SSH transport takes its settings from: explicit, so tests never touch the real ~/.ssh.</summary>
/// <param name="Home">The home of ~ in ssh_config (normally $HOME).</param>
/// <param name="ConfigFile">The OpenSSH client configuration (normally ~/.ssh/config); missing is fine.</param>
/// <param name="ConnectTimeout">Per node, covering TCP connect, banner, key exchange and authentication, unless
/// ssh_config's ConnectTimeout says otherwise for the host.</param>
/// <param name="MaxSessions">Channels open at once on one connection; the others wait their turn.</param>
/// <param name="MaxHandshakes">SSH handshakes in progress at once (default 32 per core).</param>
internal sealed record SshTransportOptions(string Home, string ConfigFile, string LocalUser, TimeSpan ConnectTimeout, int MaxSessions,
    int OutputLimit = LocalTransport.DefaultOutputLimit, int? MaxHandshakes = null)
{
    /// <summary>$HOME/.ssh/config of the current user.</summary>
    public static SshTransportOptions FromEnvironment(TimeSpan connectTimeout, int maxSessions)
    {
        string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new SshTransportOptions(home, Path.Combine(home, ".ssh", "config"), Environment.UserName, connectTimeout, maxSessions);
    }
}

/// <summary>
/// Remote commands over SSH.NET with ONE connection per node for the whole run: opened on first use (async, so no
/// thread waits while nodes connect), reused by every later action on that node, at most MaxSessions channels at
/// once on it. A node that cannot be reached costs one attempt: later commands get the same failure at once.
/// Host keys are checked against known_hosts (never a prompt). Dispose closes every connection, or, with a
/// <see cref="ConnectionPool"/> (the session's), gives them back to it: the next runs of the session borrow the
/// connection of a node whose resolved settings are the same instead of logging in again, and a kept connection
/// found dead is reopened once, transparently (reported through the notice callback, not as a node failure).
/// </summary>
internal sealed class SshNetTransport : ITransport, IDisposable
{
    private readonly SshTransportOptions _options;
    private readonly SshConfig _config;
    private readonly ConcurrentDictionary<string, Lazy<Task<SshConnection>>> _connections = new(StringComparer.Ordinal);
    private readonly ConnectionPool? _pool;
    private readonly TimeSpan _persist;
    private readonly Action<string>? _notice;

    /// <summary>Connections of this run that came from the pool and have not yet served a command in it.</summary>
    private readonly ConcurrentDictionary<SshConnection, byte> _unproven = new();

    /// <summary>Nodes whose kept connection was found dead and reopened: once per node per run.</summary>
    private readonly ConcurrentDictionary<string, byte> _reopened = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, KnownHosts> _knownHosts = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();

    /// <summary>
    /// Handshakes in progress at once (32 per core unless MaxHandshakes says otherwise). Key exchange is CPU work
    /// (≈26 ms of client CPU each) but the server forks and waits too: with 8 per core the client sat idle
    /// (200 nodes × sleep 2, fresh process, 2 cores: 8.8 s at 16, 6.9 s at 64, 8.0 s at 256 in flight, where
    /// xargs -P 200 ssh took 14.1 s on the same loaded machine). Waiting here does not count against the connect timeout.
    /// </summary>
    private readonly SemaphoreSlim _handshakes;
    private int _opened;
    private int _reused;
    private bool _disposed;

    /// <param name="pool">The session's kept connections: borrowed from and given back to; null: the run's own.</param>
    /// <param name="persist">How long a connection given back stays open (connection_persist).</param>
    /// <param name="notice">Told when a kept connection was found dead and reopened (-Verbose).</param>
    public SshNetTransport(SshTransportOptions options, ConnectionPool? pool = null, TimeSpan persist = default, Action<string>? notice = null)
    {
        _options = options;
        _pool = pool;
        _persist = persist;
        _notice = notice;
        int handshakes = options.MaxHandshakes ?? Math.Max(16, Environment.ProcessorCount * 32);
        _handshakes = new SemaphoreSlim(handshakes, handshakes);
        _config = SshConfig.Load(options.ConfigFile, options.Home);
    }

    /// <summary>Connections opened so far in this run (each node at most once).</summary>
    public int ConnectionsOpened => Volatile.Read(ref _opened);

    /// <summary>Connections this run borrowed from the session's pool (no login).</summary>
    public int ConnectionsReused => Volatile.Read(ref _reused);

    public async Task<NodeOutcome> RunAsync(string node, string command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        var watch = Stopwatch.StartNew();
        if (timeout is { } zero && zero <= TimeSpan.Zero)
            return new NodeOutcome(NodeStatus.Timeout, null, string.Empty, watch.Elapsed, "timed out (timeout: 0)");

        Lazy<Task<SshConnection>> lazy = _connections.GetOrAdd(node, n => new Lazy<Task<SshConnection>>(() => ConnectAsync(n, fromPool: true)));
        SshConnection connection;
        try
        {
            connection = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectFailure failure)
        {
            return new NodeOutcome(failure.Status, null, string.Empty, watch.Elapsed,
                failure.FirstReport() ? failure.Message : failure.Message + " (connect attempted once this run)")
            {
                Warnings = failure.Warnings,
            };
        }
        if (connection.Failed is { } broken)
            return new NodeOutcome(NodeStatus.Unreachable, null, string.Empty, watch.Elapsed, broken + " (connection lost earlier this run)");

        await connection.Channels.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            NodeOutcome outcome = await ExecuteAsync(connection, command, timeout, watch, _unproven.ContainsKey(connection), cancellationToken).ConfigureAwait(false);
            return WithConnectionWarnings(connection, outcome);
        }
        catch (StaleConnection stale)
        {
            // A kept connection that died while idle (node rebooted, sshd restarted): the command never started on
            // it. Reopen it once for this run and run the command again; only a second failure is the node's.
            return await RunOnReopenedAsync(node, lazy, connection, stale.Message, command, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection.Channels.Release();
            connection.Touch();
        }
    }

    private async Task<NodeOutcome> RunOnReopenedAsync(string node, Lazy<Task<SshConnection>> stale, SshConnection dead, string why,
        string command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        _unproven.TryRemove(dead, out _);
        dead.Failed ??= why;
        if (_reopened.TryAdd(node, 0))
        {
            _pool?.Discard(dead);
            _notice?.Invoke($"{node}: the kept SSH connection was closed ({why}); reopening it.");
            _connections.TryUpdate(node, new Lazy<Task<SshConnection>>(() => ConnectAsync(node, fromPool: false)), stale);
        }
        return await RunAsync(node, command, timeout, cancellationToken).ConfigureAwait(false);
    }

    private async Task<NodeOutcome> ExecuteAsync(SshConnection connection, string command, TimeSpan? timeout, Stopwatch watch, bool unproven,
        CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        if (timeout is { } t)
            limit.CancelAfter(t);
        var buffer = new OutputBuffer(_options.OutputLimit);
        SshCommand ssh = connection.Client.CreateCommand(RemoteCommand.Wrap(command));
        var stdout = new OutputSink(buffer);
        var stderr = new OutputSink(buffer);
        Streams.Attach(ssh, stdout, stderr);
        var stop = new Stopper(ssh);
        try
        {
            // ExecuteAsync opens the channel and sends the exec request synchronously (two round trips, each
            // awaited with WaitHandle.WaitAny): not on a pool thread. No token for SSH.NET: its own cancellation
            // waits on the cancelling thread; the stopper does it on a thread of its own, once the command started.
            Task execute;
            try
            {
                execute = await BlockingCall.RunAsync("MilkCheck SSH exec", () => ssh.ExecuteAsync(CancellationToken.None)).ConfigureAwait(false);
            }
            catch (Exception e) when (unproven && !limit.IsCancellationRequested
                && e is SshConnectionException or SocketException or SshException or ObjectDisposedException or IOException)
            {
                throw new StaleConnection(e.Message);
            }
            _unproven.TryRemove(connection, out _);
            using (limit.Token.Register(static state => ((Stopper)state!).Stop(), stop))
                await execute.ConfigureAwait(false);
            // SSH.NET completes the command, then disposes the sinks (which adds the last unterminated line).
            await Task.WhenAll(stdout.Completion, stderr.Completion).ConfigureAwait(false);
            int? exit = ssh.ExitStatus;
            if (exit is null)
                return new NodeOutcome(NodeStatus.Failed, null, buffer.Text, watch.Elapsed,
                    ssh.ExitSignal is { } signal ? $"killed by signal {signal}" : "no exit status from the server");
            return new NodeOutcome(exit == 0 ? NodeStatus.Ok : NodeStatus.Failed, exit, buffer.Text, watch.Elapsed, null);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            if (cancellationToken.IsCancellationRequested || _closing.IsCancellationRequested)
                throw new OperationCanceledException(cancellationToken);
            return new NodeOutcome(NodeStatus.Timeout, null, buffer.Text, watch.Elapsed,
                $"timed out after {timeout!.Value.TotalSeconds:0.###} s (its channel was closed: the node stops the command and its process group, TERM then KILL 5 s later)");
        }
        catch (Exception e) when (e is SshConnectionException or SocketException or SshException or ObjectDisposedException or IOException)
        {
            if (cancellationToken.IsCancellationRequested)
                throw new OperationCanceledException(cancellationToken);
            connection.Failed = $"connection lost: {e.Message}";
            return new NodeOutcome(NodeStatus.Unreachable, null, buffer.Text, watch.Elapsed, connection.Failed);
        }
        finally
        {
            stop.Release();
        }
    }

    /// <summary>
    /// Ends a command on timeout or cancellation, and disposes it once nobody needs it. SSH.NET's CancelAsync sends
    /// the "signal" request (sshd refuses it for root sessions), completes the command's task, then closes the
    /// channel and waits for the server to confirm: all of that on a thread of its own, so the timeout is reported
    /// at once and no pool thread waits on the network. Closing the channel is what ends the remote command
    /// (<see cref="RemoteCommand"/>). Whoever comes last of the stop and the command's owner disposes it.
    /// </summary>
    private sealed class Stopper
    {
        private readonly SshCommand _command;
        private int _users = 1;

        public Stopper(SshCommand command) => _command = command;

        /// <summary>Called once, from the token's registration: never blocks.</summary>
        public void Stop()
        {
            Interlocked.Increment(ref _users);
            _ = BlockingCall.RunAsync("MilkCheck SSH stop", () =>
            {
                try
                {
                    _command.CancelAsync(forceKill: false, millisecondsTimeout: 0);
                }
                catch (Exception e) when (e is SshException or ObjectDisposedException or InvalidOperationException or SocketException)
                {
                    // The connection is gone or the command already ended: nothing left to stop.
                }
                Release();
                return true;
            });
        }

        /// <summary>The owner is done with the command (after the registration was disposed, so Stop cannot come later).</summary>
        public void Release()
        {
            if (Interlocked.Decrement(ref _users) == 0)
                _command.Dispose();
        }
    }

    private async Task<SshConnection> ConnectAsync(string node, bool fromPool)
    {
        SshHostSettings settings = _config.Resolve(node, _options.LocalUser);
        string key = Key(node, settings);
        if (_pool is not null && fromPool && _pool.Borrow(key) is { } kept)
        {
            if (kept.IsAlive)
            {
                _unproven.TryAdd(kept, 0);
                Interlocked.Increment(ref _reused);
                _notice?.Invoke($"{node}: SSH connection kept from an earlier run reused ({kept.User}@{kept.HostName}:{kept.Port}).");
                return kept;
            }
            _pool.Discard(kept);
            _reopened.TryAdd(node, 0);
            _notice?.Invoke($"{node}: the kept SSH connection was closed ({kept.Failed ?? "the server or the network closed it"}); reopening it.");
        }
        TransportWarning[] configWarnings = settings.Warnings.Select(w => new TransportWarning(ErrorIds.SshConfigNotEvaluated, w)).ToArray();
        TimeSpan connectTimeout = settings.ConnectTimeout ?? _options.ConnectTimeout;
        var keys = new List<IPrivateKeySource>();
        var keyProblems = new List<string>();
        foreach (string file in settings.IdentityFiles)
        {
            if (!File.Exists(file))
                continue;
            if (TooOpen(file) is { } mode)
            {
                keyProblems.Add($"permissions {mode} for '{file}' are too open: a private key must not be accessible by group or others, so it was not used (chmod 600 it)");
                continue;
            }
            try
            {
                keys.Add(new PrivateKeyFile(file));
            }
            catch (SshPassPhraseNullOrEmptyException)
            {
                keyProblems.Add($"{file} is encrypted (MilkCheck uses keys without a passphrase; use the openssh transport for an agent)");
            }
            catch (Exception e) when (e is SshException or InvalidOperationException or NotSupportedException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                keyProblems.Add($"{file}: {e.Message}");
            }
        }
        if (keys.Count == 0 && keyProblems.Count == 0)
            keyProblems.Add($"no identity file found (tried {string.Join(", ", settings.IdentityFiles)})");
        // Without a usable key the connection is still made, so that an unreachable node says so first.
        Renci.SshNet.ConnectionInfo info = keys.Count > 0
            ? new PrivateKeyConnectionInfo(settings.HostName, settings.Port, settings.User, keys.ToArray())
            : new Renci.SshNet.ConnectionInfo(settings.HostName, settings.Port, settings.User, new NoneAuthenticationMethod(settings.User));
        info.Timeout = connectTimeout;
        info.MaxSessions = Math.Max(_options.MaxSessions, 1);
        KnownHosts known = KnownHostsFor(settings);
        string[] names = KnownNames(node, settings);
        PreferKnownHostKeyAlgorithms(info, known.KeyTypes(names, settings.Port));
        var client = new SshClient(info);
        string? hostKeyProblem = null;
        TransportWarning? hostKeyWarning = null;
        client.HostKeyReceived += (_, e) =>
        {
            (e.CanTrust, hostKeyProblem, hostKeyWarning) = VerifyHostKey(node, settings, known, names, e.HostKey);
        };
        await _handshakes.WaitAsync(_closing.Token).ConfigureAwait(false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        deadline.CancelAfter(connectTimeout);
        Interlocked.Increment(ref _opened);
        try
        {
            // Connect, not ConnectAsync: only its TCP connect and banner are asynchronous; key exchange and
            // authentication wait on handles on whatever thread runs them, so all of it runs on a thread of its own.
            // Past the deadline (or when the run ends) the client is disposed, which ends that wait at once.
            Task<bool> handshake = BlockingCall.RunAsync("MilkCheck SSH connect", () => { client.Connect(); return true; });
            try
            {
                await handshake.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                client.Dispose();
                _ = handshake.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                throw;
            }
        }
        catch (Exception e)
        {
            client.Dispose();
            ConnectFailure failure = Classify(e, hostKeyProblem, connectTimeout, settings, keyProblems);
            failure.Warnings = configWarnings;
            _notice?.Invoke($"{node}: SSH connection to {settings.User}@{settings.HostName}:{settings.Port} failed: {failure.Message}");
            throw failure;
        }
        finally
        {
            _handshakes.Release();
        }
        var connection = new SshConnection(key, node, settings, client, Math.Max(_options.MaxSessions, 1))
        {
            HostKeyWarning = hostKeyWarning,
            Warnings = hostKeyWarning is null ? configWarnings : configWarnings.Append(hostKeyWarning).ToArray(),
        };
        if (_pool is not null && !_pool.Adopt(connection))
            connection.Pooled = false;
        _notice?.Invoke($"{node}: SSH connection opened ({settings.User}@{settings.HostName}:{settings.Port}).");
        return connection;
    }

    /// <summary>
    /// What a connection is shared by: the node name (host keys are checked under it), the resolved destination, user,
    /// identities, host-key policy and channel cap. A run that resolves differently opens its own connection.
    /// </summary>
    private string Key(string node, SshHostSettings settings) => string.Join('\n',
        node, settings.User, settings.HostName, settings.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        string.Join('\u001f', settings.IdentityFiles), settings.IdentitiesOnly ? "only" : "any",
        string.Join('\u001f', settings.UserKnownHostsFiles.Concat(settings.GlobalKnownHostsFiles)), settings.StrictHostKeyChecking.ToString(),
        Math.Max(_options.MaxSessions, 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A changed host key accepted under StrictHostKeyChecking no is in every result's Reason; the run warns once.</summary>
    private static NodeOutcome WithConnectionWarnings(SshConnection connection, NodeOutcome outcome)
    {
        if (connection.HostKeyWarning is { } warning)
            outcome = outcome with { Reason = outcome.Reason is null ? warning.Message : $"{outcome.Reason}; {warning.Message}" };
        return connection.Warnings.Count > 0 ? outcome with { Warnings = connection.Warnings } : outcome;
    }

    /// <summary>
    /// The file's mode in octal when group or others may access it (OpenSSH: "UNPROTECTED PRIVATE KEY FILE!",
    /// the key is ignored), else null. OpenSSH checks only keys the user owns; .NET does not say who owns a file,
    /// so every key file is checked.
    /// </summary>
    private static string? TooOpen(string file)
    {
        if (OperatingSystem.IsWindows())
            return null;
        UnixFileMode mode = File.GetUnixFileMode(file);
        const UnixFileMode groupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        return (mode & groupOrOthers) != 0 ? "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0') : null;
    }

    private KnownHosts KnownHostsFor(SshHostSettings settings)
    {
        string[] files = settings.UserKnownHostsFiles.Concat(settings.GlobalKnownHostsFiles).ToArray();
        return _knownHosts.GetOrAdd(string.Join('\n', files), _ => new KnownHosts(files));
    }

    /// <summary>The names a node's host key may be recorded under: the alias used and, when different, its HostName.</summary>
    private static string[] KnownNames(string node, SshHostSettings settings) =>
        string.Equals(settings.HostName, node, StringComparison.Ordinal) ? new[] { node } : new[] { node, settings.HostName };

    /// <summary>
    /// As OpenSSH: the host key algorithms of the key types known_hosts holds for the host go first, so that a server
    /// with several host keys (RSA and ed25519) proves the one we know instead of one we would call changed.
    /// </summary>
    private static void PreferKnownHostKeyAlgorithms(Renci.SshNet.ConnectionInfo info, IReadOnlyList<string> knownTypes)
    {
        if (knownTypes.Count == 0)
            return;
        var all = info.HostKeyAlgorithms.ToList();
        var preferred = new List<KeyValuePair<string, Func<byte[], Renci.SshNet.Security.KeyHostAlgorithm>>>();
        foreach (string type in knownTypes)
            foreach (var algorithm in all)
                if (KeyTypeOf(algorithm.Key) == type && !preferred.Contains(algorithm))
                    preferred.Add(algorithm);
        if (preferred.Count == 0)
            return;
        info.HostKeyAlgorithms.Clear();
        foreach (var algorithm in preferred.Concat(all.Except(preferred)))
            info.HostKeyAlgorithms.Add(algorithm);
    }

    /// <summary>The key type an SSH.NET host key algorithm proves (RSA signatures all prove an ssh-rsa key).</summary>
    private static string KeyTypeOf(string algorithm) => algorithm switch
    {
        "rsa-sha2-512" or "rsa-sha2-256" => "ssh-rsa",
        _ => algorithm,
    };

    private (bool Trust, string? Problem, TransportWarning? Warning) VerifyHostKey(
        string node, SshHostSettings settings, KnownHosts known, string[] names, byte[] key)
    {
        string keyType = KnownHosts.KeyType(key);
        string fingerprint = KnownHosts.Fingerprint(key);
        string files = string.Join(" or ", settings.UserKnownHostsFiles.Concat(settings.GlobalKnownHostsFiles.Where(File.Exists)));
        HostKeyCheck check = known.Check(names, settings.Port, key);
        switch (check.Match)
        {
            case HostKeyMatch.Known:
                return (true, null, null);
            case HostKeyMatch.Revoked:
                // Whatever StrictHostKeyChecking says (OpenSSH 9 goes on with a warning under "no").
                return (false, $"the {keyType} host key of {node} ({fingerprint}) is marked @revoked in known_hosts: refused whatever StrictHostKeyChecking says", null);
            case HostKeyMatch.Changed:
                string was = string.Join(", ", check.KnownFingerprints);
                if (settings.StrictHostKeyChecking == StrictHostKeyChecking.No)
                {
                    return (true, null, new TransportWarning(ErrorIds.HostKeyChanged,
                        $"{node}: the {keyType} host key changed: the server offers {fingerprint}, {files} holds {was}. " +
                        "Connected anyway because StrictHostKeyChecking is no: check the node, then fix known_hosts."));
                }
                return (false, $"the {keyType} host key of {node} ({fingerprint}) differs from the one in {files} ({was}): a changed host key: check the node, then fix known_hosts", null);
            case HostKeyMatch.Unknown:
                if (settings.StrictHostKeyChecking is StrictHostKeyChecking.AcceptNew or StrictHostKeyChecking.No)
                {
                    // As OpenSSH, "no" also records a new key.
                    if (settings.UserKnownHostsFiles.Count > 0)
                    {
                        try
                        {
                            known.Add(settings.UserKnownHostsFiles[0], node, settings.Port, key);
                        }
                        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
                        {
                            if (settings.StrictHostKeyChecking == StrictHostKeyChecking.AcceptNew)
                                return (false, $"the new {keyType} host key of {node} ({fingerprint}) could not be recorded: {e.Message}", null);
                        }
                    }
                    return (true, null, null);
                }
                string others = check.OtherTypes.Count > 0 ? $" (known_hosts holds its {string.Join(", ", check.OtherTypes)} key, which the server did not offer)" : string.Empty;
                return (false, $"no {keyType} host key of {node} in {files}{others} (StrictHostKeyChecking {settings.StrictHostKeyChecking}: add it with ssh-keyscan, or set StrictHostKeyChecking accept-new)", null);
            default:
                throw new InvalidOperationException($"Unknown host key match {check.Match}.");
        }
    }

    private ConnectFailure Classify(Exception e, string? hostKeyProblem, TimeSpan connectTimeout, SshHostSettings settings, List<string> keyProblems)
    {
        string where = $"{settings.User}@{settings.HostName}:{settings.Port}";
        if (hostKeyProblem is not null)
            return new ConnectFailure(NodeStatus.HostKeyRejected, hostKeyProblem);
        return e switch
        {
            SshAuthenticationException auth => new ConnectFailure(NodeStatus.AuthenticationFailed,
                $"authentication failed for {where}: {auth.Message}" + (keyProblems.Count > 0 ? " (" + string.Join("; ", keyProblems) + ")" : string.Empty)),
            OperationCanceledException or SshOperationTimeoutException or TimeoutException => new ConnectFailure(NodeStatus.Unreachable,
                $"connect timeout: {where} did not complete the SSH handshake within {connectTimeout.TotalSeconds:0.###} s"),
            SocketException socket => new ConnectFailure(NodeStatus.Unreachable, $"cannot connect to {where}: {socket.Message}"),
            _ => new ConnectFailure(NodeStatus.Unreachable, $"cannot connect to {where}: {e.Message}"),
        };
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _closing.Cancel();
        foreach (Lazy<Task<SshConnection>> lazy in _connections.Values)
        {
            if (!lazy.IsValueCreated)
                continue;
            Task<SshConnection> task = lazy.Value;
            if (task.IsCompletedSuccessfully)
                Release(task.Result);
            else
                task.ContinueWith(t => { if (t.IsCompletedSuccessfully) Release(t.Result); }, TaskScheduler.Default);
        }
        _closing.Dispose();
    }

    /// <summary>The run is done with a connection: back to the session's pool, or closed when it is the run's own.</summary>
    private void Release(SshConnection connection)
    {
        if (_pool is not null && connection.Pooled)
            _pool.Return(connection, _persist);
        else
            connection.Close();
    }

    /// <summary>
    /// Puts our sinks where SshCommand writes the channel's data. SshCommand's own streams (SSH.NET's PipeStream)
    /// can only be read synchronously: Stream.ReadAsync on them runs a blocking Read on a thread-pool thread
    /// that waits (Monitor.Wait) until data comes or the command ends, i.e. two pool threads parked per running
    /// command. SshCommand has no public way to give it other streams, so the private setters of OutputStream and
    /// ExtendedOutputStream are used (looked up once; SSH.NET is pinned, and the SSH tests fail if they go).
    /// </summary>
    private static class Streams
    {
        private static readonly Action<SshCommand, Stream> SetOutput = Setter(nameof(SshCommand.OutputStream));
        private static readonly Action<SshCommand, Stream> SetError = Setter(nameof(SshCommand.ExtendedOutputStream));

        public static void Attach(SshCommand command, Stream stdout, Stream stderr)
        {
            command.OutputStream.Dispose();
            command.ExtendedOutputStream.Dispose();
            SetOutput(command, stdout);
            SetError(command, stderr);
        }

        private static Action<SshCommand, Stream> Setter(string property)
        {
            MethodInfo setter = typeof(SshCommand).GetProperty(property)?.GetSetMethod(nonPublic: true)
                ?? throw new NotSupportedException($"this SSH.NET has no setter for SshCommand.{property}: MilkCheck needs SSH.NET 2026.0.0");
            return setter.CreateDelegate<Action<SshCommand, Stream>>();
        }
    }

    /// <summary>A kept connection failed before its first command of this run started: reopen and retry.</summary>
    private sealed class StaleConnection : Exception
    {
        public StaleConnection(string message) : base(message) { }
    }

    /// <summary>Why a node could not be reached; kept for the whole run.</summary>
    private sealed class ConnectFailure : Exception
    {
        public ConnectFailure(NodeStatus status, string message) : base(message) => Status = status;

        public NodeStatus Status { get; }

        /// <summary>ssh_config settings left to OpenSSH for this node: they may be why it failed.</summary>
        public IReadOnlyList<TransportWarning> Warnings { get; set; } = Array.Empty<TransportWarning>();

        private int _reported;

        /// <summary>True the first time only: later commands say the node was already tried.</summary>
        public bool FirstReport() => Interlocked.Exchange(ref _reported, 1) == 0;
    }
}
