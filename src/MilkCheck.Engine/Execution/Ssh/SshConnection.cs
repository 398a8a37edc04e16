using Renci.SshNet;

namespace MilkCheck.Execution.Ssh;

/// <summary>
/// One open SSH.NET connection to a node: at most MaxSessions channels at once. It belongs to one run, or, when the
/// session keeps connections (<see cref="ConnectionPool"/>), to the pool that lends it to the runs of the session.
/// </summary>
internal sealed class SshConnection
{
    private long _lastUsed;
    private int _closed;

    public SshConnection(string key, string node, SshHostSettings settings, SshClient client, int maxSessions)
    {
        Key = key;
        Node = node;
        User = settings.User;
        HostName = settings.HostName;
        Port = settings.Port;
        Client = client;
        MaxSessions = maxSessions;
        Channels = new SemaphoreSlim(maxSessions, maxSessions);
        OpenedAt = DateTimeOffset.Now;
        _lastUsed = OpenedAt.UtcTicks;
    }

    /// <summary>The resolved destination and settings: connections are shared only between equal keys.</summary>
    public string Key { get; }
    public string Node { get; }
    public string User { get; }
    public string HostName { get; }
    public int Port { get; }
    public SshClient Client { get; }
    public int MaxSessions { get; }
    public SemaphoreSlim Channels { get; }
    public DateTimeOffset OpenedAt { get; }

    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsed), TimeSpan.Zero);

    /// <summary>False when the pool already kept another connection for the key: the run that opened it closes it.</summary>
    public bool Pooled { get; set; } = true;

    /// <summary>A changed host key accepted under StrictHostKeyChecking no: every result on the node says so.</summary>
    public TransportWarning? HostKeyWarning { get; init; }

    /// <summary>What the run warns about once: the changed host key, ssh_config settings left to OpenSSH.</summary>
    public IReadOnlyList<TransportWarning> Warnings { get; init; } = Array.Empty<TransportWarning>();

    /// <summary>Why the connection broke while in use; null while it works.</summary>
    public string? Failed { get; set; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Usable for another run: not broken, not closed, and SSH.NET still sees its socket up.</summary>
    public bool IsAlive => Failed is null && !IsClosed && Client.IsConnected;

    public int ChannelsOpen => MaxSessions - Channels.CurrentCount;

    public void Touch() => Interlocked.Exchange(ref _lastUsed, DateTimeOffset.UtcNow.UtcTicks);

    public ConnectionInfo Describe() =>
        new(Node, User, HostName, Port, OpenedAt, LastUsed.ToLocalTime(), ChannelsOpen, Configuration.TransportKind.SshNet);

    /// <summary>
    /// Disconnects (once). SSH.NET's Dispose sends the disconnect message and waits for its listener thread to end,
    /// which it does as soon as the socket is shut down here: local work, no round trip.
    /// </summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        try
        {
            Client.Dispose();
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException or Renci.SshNet.Common.SshException)
        {
            // Already broken: nothing more to close.
        }
    }
}
