using System.Diagnostics;
using MilkCheck.Configuration;
using MilkCheck.Execution.Ssh;

namespace MilkCheck.Execution;

/// <summary>
/// The SSH connections of one PowerShell session (runspace) that outlive their run: a run borrows the connection of
/// a node whose resolved destination and settings are the same (its key), and gives it back at its end; a connection
/// nobody uses closes <c>connection_persist</c> after its last run. OpenSSH's own control masters, for the openssh
/// transport, live in a private 0700 folder of this pool. The module creates one per runspace and disposes it on
/// Remove-Module, when the runspace closes and when the process exits; nothing here keeps the process alive (a
/// timer, no thread). Thread-safe: runs of a session may overlap (a stopped run still closing, jobs of the session).
/// </summary>
internal sealed class ConnectionPool : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Entry> _ssh = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OpenSshMaster> _masters = new(StringComparer.Ordinal);
    private readonly Timer _sweep;
    private DateTimeOffset _nextSweep = DateTimeOffset.MaxValue;
    private string? _controlDirectory;
    private bool _disposed;

    public ConnectionPool()
    {
        // Created stopped; armed for the earliest expiry. A Timer holds no thread and does not keep the process alive.
        _sweep = new Timer(static state => ((ConnectionPool)state!).Sweep(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Raised once, when the pool is disposed (the module unhooks its process-exit handler).</summary>
    public event Action? Disposed;

    /// <summary>Connections closed because their idle time was up (tests and benchmarks read it).</summary>
    public int Expired { get; private set; }

    /// <summary>
    /// A kept connection for <paramref name="key"/>, lent to the caller until it calls <see cref="Return"/>; null when
    /// none is kept. The caller checks that it still works (<see cref="SshConnection.IsAlive"/>).
    /// </summary>
    public SshConnection? Borrow(string key)
    {
        lock (_lock)
        {
            if (_disposed || !_ssh.TryGetValue(key, out Entry? entry))
                return null;
            entry.Leases++;
            entry.ExpiresAt = null;
            return entry.Connection;
        }
    }

    /// <summary>
    /// Takes a connection the caller just opened into the pool, lent to the caller. False when another run of the
    /// session kept one for the same key meanwhile (or the pool is gone): the caller then owns and closes it.
    /// </summary>
    public bool Adopt(SshConnection connection)
    {
        lock (_lock)
        {
            if (_disposed || _ssh.ContainsKey(connection.Key))
                return false;
            _ssh.Add(connection.Key, new Entry(connection) { Leases = 1 });
            return true;
        }
    }

    /// <summary>
    /// A run is done with a connection it borrowed or adopted: it stays open <paramref name="persist"/> after the last
    /// run using it gives it back; a broken one, or with a zero persist, closes now.
    /// </summary>
    public void Return(SshConnection connection, TimeSpan persist)
    {
        bool close;
        lock (_lock)
        {
            if (!_ssh.TryGetValue(connection.Key, out Entry? entry) || !ReferenceEquals(entry.Connection, connection))
            {
                close = true; // discarded or disconnected meanwhile
            }
            else
            {
                entry.Leases = Math.Max(0, entry.Leases - 1);
                if (entry.Leases > 0)
                    return;
                close = _disposed || persist <= TimeSpan.Zero || !connection.IsAlive;
                if (close)
                {
                    _ssh.Remove(connection.Key);
                }
                else
                {
                    entry.ExpiresAt = DateTimeOffset.UtcNow + persist;
                    ArmLocked(entry.ExpiresAt.Value);
                }
            }
        }
        if (close)
            CloseAll(new[] { connection });
    }

    /// <summary>A kept connection found dead: out of the pool, closed.</summary>
    public void Discard(SshConnection connection)
    {
        lock (_lock)
        {
            if (_ssh.TryGetValue(connection.Key, out Entry? entry) && ReferenceEquals(entry.Connection, connection))
                _ssh.Remove(connection.Key);
        }
        connection.Close();
    }

    /// <summary>The folder of OpenSSH's control sockets (0700, created on first use); null once disposed.</summary>
    public string? ControlDirectory()
    {
        lock (_lock)
        {
            if (_disposed)
                return null;
            if (_controlDirectory is null)
            {
                // Unix sockets take at most 107 bytes of path: a short folder under /tmp, not under $TMPDIR.
                string dir = Directory.CreateTempSubdirectory("mc-ssh-").FullName;
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                _controlDirectory = dir;
            }
            return _controlDirectory;
        }
    }

    /// <summary>
    /// The control master of <paramref name="node"/> for these ssh options (created on first use): its socket path
    /// pattern, for <c>-oControlPath</c>; the master itself is started by the first ssh that finds none.
    /// </summary>
    public OpenSshMaster? Master(string node, string ssh, IReadOnlyList<string> options)
    {
        string key = node + "\n" + ssh + "\n" + string.Join('\n', options);
        string? dir = ControlDirectory();
        if (dir is null)
            return null;
        lock (_lock)
        {
            if (!_masters.TryGetValue(key, out OpenSshMaster? master))
            {
                master = new OpenSshMaster(node, ssh, options, Path.Combine(dir, "m" + _masters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                _masters.Add(key, master);
            }
            return master;
        }
    }

    /// <summary>Every connection open now, SSH.NET's and OpenSSH's control masters, by node.</summary>
    public IReadOnlyList<ConnectionInfo> Connections()
    {
        var list = new List<ConnectionInfo>();
        OpenSshMaster[] masters;
        lock (_lock)
        {
            foreach (Entry entry in _ssh.Values)
            {
                if (!entry.Connection.IsClosed)
                    list.Add(entry.Connection.Describe());
            }
            masters = _masters.Values.ToArray();
        }
        foreach (OpenSshMaster master in masters)
        {
            if (master.Describe() is { } info)
                list.Add(info);
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Node, b.Node) is var byNode and not 0 ? byNode : a.Port.CompareTo(b.Port));
        return list;
    }

    /// <summary>
    /// Closes the connections of the nodes <paramref name="node"/> accepts (all when null), in use or not: a command
    /// running on one ends Unreachable. Returns how many were closed (on the caller's thread: the cmdlet's).
    /// </summary>
    public int Disconnect(Func<string, bool>? node)
    {
        var closing = new List<SshConnection>();
        var masters = new List<OpenSshMaster>();
        lock (_lock)
        {
            foreach (Entry entry in _ssh.Values.ToArray())
            {
                if (node is null || node(entry.Connection.Node))
                {
                    _ssh.Remove(entry.Connection.Key);
                    closing.Add(entry.Connection);
                }
            }
            foreach (OpenSshMaster master in _masters.Values)
            {
                if (node is null || node(master.Node))
                    masters.Add(master);
            }
        }
        foreach (SshConnection connection in closing)
            connection.Close();
        return closing.Count + OpenSshMaster.ExitAll(masters);
    }

    /// <summary>Closes everything: Remove-Module, the runspace closing, the process exiting (on the caller's thread).</summary>
    public void Dispose()
    {
        List<SshConnection> closing;
        OpenSshMaster[] masters;
        string? dir;
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            closing = _ssh.Values.Select(e => e.Connection).ToList();
            _ssh.Clear();
            masters = _masters.Values.ToArray();
            _masters.Clear();
            dir = _controlDirectory;
        }
        _sweep.Dispose();
        // Here and in Disconnect the caller is a pipeline thread (Remove-Module, the cmdlet) or the process exiting:
        // closing synchronously is what they ask for, and at exit a thread of our own might never run.
        foreach (SshConnection connection in closing)
            connection.Close();
        OpenSshMaster.ExitAll(masters);
        Disposed?.Invoke();
        if (dir is not null)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private void ArmLocked(DateTimeOffset at)
    {
        if (at >= _nextSweep || _disposed)
            return;
        _nextSweep = at;
        TimeSpan due = at - DateTimeOffset.UtcNow;
        _sweep.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Timer callback (a pool thread): takes the expired connections out and closes them off the pool.</summary>
    private void Sweep()
    {
        var expired = new List<SshConnection>();
        lock (_lock)
        {
            if (_disposed)
                return;
            DateTimeOffset now = DateTimeOffset.UtcNow;
            _nextSweep = DateTimeOffset.MaxValue;
            DateTimeOffset next = DateTimeOffset.MaxValue;
            foreach (Entry entry in _ssh.Values.ToArray())
            {
                if (entry.Leases > 0 || entry.ExpiresAt is not { } at)
                    continue;
                if (at <= now)
                {
                    _ssh.Remove(entry.Connection.Key);
                    expired.Add(entry.Connection);
                }
                else if (at < next)
                {
                    next = at;
                }
            }
            Expired += expired.Count;
            if (next != DateTimeOffset.MaxValue)
                ArmLocked(next);
        }
        CloseAll(expired);
    }

    /// <summary>
    /// Closes connections on a thread of its own (one for the lot): SSH.NET's Dispose waits for each listener thread
    /// to end, and the caller may be a pool thread (the idle timer) or a run that is finishing.
    /// </summary>
    private static void CloseAll(IReadOnlyCollection<SshConnection> connections)
    {
        if (connections.Count == 0)
            return;
        _ = BlockingCall.RunAsync("MilkCheck SSH close", () =>
        {
            foreach (SshConnection connection in connections)
                connection.Close();
            return true;
        });
    }

    private sealed class Entry
    {
        public Entry(SshConnection connection) => Connection = connection;

        public SshConnection Connection { get; }

        /// <summary>Runs using the connection now.</summary>
        public int Leases { get; set; }

        /// <summary>When it closes if no run borrows it before; null while in use.</summary>
        public DateTimeOffset? ExpiresAt { get; set; }
    }
}

/// <summary>
/// An OpenSSH control master of the pool: the first <c>ssh</c> to a node starts it (ControlMaster=auto), later ones
/// multiplex over it; OpenSSH closes it after ControlPersist idle seconds. The socket name carries the user and port
/// (<c>%r</c>, <c>%p</c>), so the listing says them without resolving ssh_config again.
/// </summary>
internal sealed class OpenSshMaster
{
    private readonly string _ssh;
    private readonly IReadOnlyList<string> _options;
    private long _lastUsed;
    private long _openedAt;
    private int _inFlight;

    public OpenSshMaster(string node, string ssh, IReadOnlyList<string> options, string prefix)
    {
        Node = node;
        _ssh = ssh;
        _options = options;
        Prefix = prefix;
    }

    public string Node { get; }

    /// <summary>The control socket's path without the user and port.</summary>
    public string Prefix { get; }

    /// <summary>The <c>-oControlPath</c> value: OpenSSH fills in user and port.</summary>
    public string ControlPath => Prefix + "-%r-%p";

    public void Started()
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.CompareExchange(ref _openedAt, DateTimeOffset.UtcNow.UtcTicks, 0);
    }

    public void Ended()
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Exchange(ref _lastUsed, DateTimeOffset.UtcNow.UtcTicks);
    }

    /// <summary>The socket OpenSSH made, if its master is up (it removes the socket when it exits).</summary>
    private string? Socket()
    {
        string dir = Path.GetDirectoryName(Prefix)!;
        string name = Path.GetFileName(Prefix) + "-";
        try
        {
            // While the master starts, OpenSSH binds a temporary name (the path plus a dot and random letters) and then
            // renames it: only a name ending in -<port> is the socket.
            return Directory.EnumerateFiles(dir, name + "*").FirstOrDefault(f =>
                Path.GetFileName(f) is var file && file.LastIndexOf('-') is var dash and > 0 && dash < file.Length - 1 && file[(dash + 1)..].All(char.IsAsciiDigit));
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public ConnectionInfo? Describe()
    {
        if (Socket() is not { } socket)
            return null;
        string rest = Path.GetFileName(socket)[(Path.GetFileName(Prefix).Length + 1)..];
        int dash = rest.LastIndexOf('-');
        string user = dash > 0 ? rest[..dash] : rest;
        int port = dash > 0 && int.TryParse(rest[(dash + 1)..], out int p) ? p : 22;
        long opened = Interlocked.Read(ref _openedAt), last = Interlocked.Read(ref _lastUsed);
        var openedAt = new DateTimeOffset(opened == 0 ? DateTimeOffset.UtcNow.UtcTicks : opened, TimeSpan.Zero).ToLocalTime();
        return new ConnectionInfo(Node, user, Node, port, openedAt,
            last == 0 ? openedAt : new DateTimeOffset(last, TimeSpan.Zero).ToLocalTime(), Math.Max(0, Volatile.Read(ref _inFlight)), TransportKind.OpenSsh);
    }

    /// <summary>
    /// <c>ssh -O exit</c> for every master that is up, all at once, waiting a few seconds at most: asks OpenSSH to
    /// close them (Disconnect-MilkCheckConnection, Remove-Module, the process exiting). Returns how many were up.
    /// </summary>
    public static int ExitAll(IReadOnlyCollection<OpenSshMaster> masters)
    {
        var exits = new List<Process>();
        foreach (OpenSshMaster master in masters)
        {
            if (master.Socket() is not { } socket)
                continue;
            var start = new ProcessStartInfo(master._ssh) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            foreach (string option in master._options)
                start.ArgumentList.Add(option);
            foreach (string arg in new[] { "-oControlPath=" + socket, "-O", "exit", "--", master.Node })
                start.ArgumentList.Add(arg);
            try
            {
                if (Process.Start(start) is { } process)
                    exits.Add(process);
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }
        var deadline = Stopwatch.StartNew();
        foreach (Process process in exits)
        {
            TimeSpan left = TimeSpan.FromSeconds(5) - deadline.Elapsed;
            if (left > TimeSpan.Zero)
                process.WaitForExit(left);
            process.Dispose();
        }
        return exits.Count;
    }
}
