using System.Diagnostics;
using System.Text;

namespace MilkCheck.Engine.Tests.Ssh;

/// <summary>
/// Real OpenSSH daemons on loopback addresses (127.77.0.1 … 127.77.0.240, then 127.79.x.y over as many /24s as
/// needed for larger farms; one sshd per 16 addresses: sshd's listen-socket limit) with generated host and client keys in a temp folder, a client HOME whose
/// .ssh/config maps node1…nodeN to them, and a known_hosts with every node's ed25519 key (the daemons offer an RSA
/// host key too). Each daemon runs in the
/// foreground as a child process; the fixture waits for its "Server listening" lines (no polling) and
/// reads its log to count accepted connections. Nothing touches the machine's own ssh configuration.
/// If sshd cannot start, the constructor throws: SSH tests fail, never skip.
/// </summary>
internal sealed class SshdFarm : IDisposable
{
    public const string AddressPrefix = "127.77.0.";

    /// <summary>Nodes past 240 live in 127.79.0.0/16, 250 per /24 (127.77.1.x stays free for dead and silent hosts).</summary>
    public const string LargePrefix = "127.79.";
    private readonly List<Daemon> _daemons = new();
    private int _retiredAccepted;

    public SshdFarm(int nodes)
    {
        if (nodes is < 1 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(nodes));
        Nodes = nodes;
        Dir = Directory.CreateTempSubdirectory("milkcheck-sshd-").FullName;
        Home = Path.Combine(Dir, "home");
        Directory.CreateDirectory(Path.Combine(Home, ".ssh"));
        Directory.CreateDirectory(Path.Combine(Dir, "session-home"));
        User = Environment.UserName;
        Port = FreePort();
        if (!File.Exists("/usr/sbin/sshd"))
            throw new InvalidOperationException("/usr/sbin/sshd is missing: install openssh-server (build.ps1 -Task Test does it as root).");
        Directory.CreateDirectory("/run/sshd");
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "milkcheck-test-host", "-f", HostKey);
        Run("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "milkcheck-test-host-rsa", "-f", RsaHostKey);
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "milkcheck-test-client", "-f", ClientKey);
        File.Copy(ClientKey + ".pub", Path.Combine(Dir, "authorized_keys"));
        WriteClientConfig();
        for (int first = 1; first <= nodes; first += 16)
            _daemons.Add(StartDaemon(first, Math.Min(nodes, first + 15)));
    }

    public int Nodes { get; }
    public string Dir { get; }

    /// <summary>The client's HOME: .ssh/config and known_hosts for node1…nodeN.</summary>
    public string Home { get; }
    public string ConfigFile => Path.Combine(Home, ".ssh", "config");
    public string KnownHostsFile => Path.Combine(Home, ".ssh", "known_hosts");
    public string ClientKey => Path.Combine(Dir, "id_ed25519");
    public string HostKey => Path.Combine(Dir, "host_ed25519");

    /// <summary>A second host key every daemon offers; known_hosts holds only the ed25519 one.</summary>
    public string RsaHostKey => Path.Combine(Dir, "host_rsa");
    public string User { get; }
    public int Port { get; }

    public static string Address(int node) =>
        node <= 240 ? AddressPrefix + node : $"{LargePrefix}{(node - 241) / 250}.{(node - 241) % 250 + 1}";

    /// <summary>Connections the daemons accepted (authenticated) so far, from their logs.</summary>
    public int AcceptedConnections
    {
        get
        {
            lock (_daemons)
                return _retiredAccepted + _daemons.Sum(d => d.Accepted);
        }
    }

    /// <summary>
    /// Kills the daemon serving <paramref name="node"/> and its sessions (SIGKILL), then starts it again on the same
    /// addresses, port and keys, as a node whose sshd restarted: connections to it are gone, new ones work.
    /// </summary>
    public void RestartDaemonOf(int node)
    {
        int index = (node - 1) / 16;
        Daemon old = _daemons[index];
        Kill(old.Process);
        old.Process.WaitForExit();
        int first = index * 16 + 1;
        Daemon restarted = StartDaemon(first, Math.Min(Nodes, first + 15));
        lock (_daemons)
        {
            _retiredAccepted += old.Accepted;
            _daemons[index] = restarted;
        }
        old.Process.Dispose();
    }

    /// <summary>Stops the daemon serving <paramref name="node"/> and every session it holds.</summary>
    public void StopDaemonOf(int node)
    {
        Daemon daemon = _daemons[(node - 1) / 16];
        Kill(daemon.Process);
        // Sessions are children of the listener; kill those left so their connections drop too.
        Run("pkill", "-f", $"sshd.*{daemon.ConfigFile}");
        daemon.Process.WaitForExit();
    }

    /// <summary>
    /// Kills the daemon serving <paramref name="node"/> and every process under it (sessions and the commands they
    /// run) with SIGKILL, as a crash or an OOM kill would: nothing closes the SSH connections politely.
    /// </summary>
    public void KillDaemonOf(int node)
    {
        Daemon daemon = _daemons[(node - 1) / 16];
        Kill(daemon.Process);
        daemon.Process.WaitForExit();
    }

    private void WriteClientConfig()
    {
        var config = new StringBuilder();
        for (int i = 1; i <= Nodes; i++)
            config.Append($"Host node{i}\n    HostName {Address(i)}\n");
        config.Append($"Host node* {AddressPrefix}* {LargePrefix}*\n    Port {Port}\n    User {User}\n    IdentityFile {ClientKey}\n    IdentitiesOnly yes\n")
              .Append($"    UserKnownHostsFile {KnownHostsFile}\n    StrictHostKeyChecking yes\n    LogLevel ERROR\n    BatchMode yes\n");
        File.WriteAllText(ConfigFile, config.ToString());
        string[] key = File.ReadAllText(HostKey + ".pub").Split(' ');
        var known = new StringBuilder();
        for (int i = 1; i <= Nodes; i++)
            known.Append($"[node{i}]:{Port},[{Address(i)}]:{Port} {key[0]} {key[1]}\n");
        File.WriteAllText(KnownHostsFile, known.ToString());
    }

    private Daemon StartDaemon(int first, int last)
    {
        string file = Path.Combine(Dir, $"sshd_config_{first}");
        var config = new StringBuilder($"Port {Port}\n");
        for (int i = first; i <= last; i++)
            config.Append($"ListenAddress {Address(i)}\n");
        config.Append($"""
            HostKey {HostKey}
            HostKey {RsaHostKey}
            PidFile {Path.Combine(Dir, $"sshd_{first}.pid")}
            AuthorizedKeysFile {Path.Combine(Dir, "authorized_keys")}
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            PrintMotd no
            PrintLastLog no
            MaxStartups 1000
            MaxSessions 100
            KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org
            LogLevel INFO
            SetEnv HOME={Path.Combine(Dir, "session-home")}

            """);
        File.WriteAllText(file, config.ToString());
        var start = new ProcessStartInfo("/usr/sbin/sshd") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "-D", "-e", "-f", file })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start sshd");
        var daemon = new Daemon(process, file, last - first + 1);
        process.ErrorDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.OutputDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        if (!daemon.Listening.Wait(TimeSpan.FromSeconds(20)))
        {
            Kill(process);
            throw new InvalidOperationException($"sshd did not start on {Address(first)}…{Address(last)}:{Port}:\n{daemon.Log}");
        }
        return daemon;
    }

    public void Dispose()
    {
        foreach (Daemon daemon in _daemons)
        {
            Kill(daemon.Process);
            daemon.Process.Dispose();
        }
        Run("pkill", "-f", $"sshd.*{Dir}");
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Parse(Address(1)), 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && file != "pkill")
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
    }

    private sealed class Daemon
    {
        private readonly StringBuilder _log = new();
        private readonly int _addresses;
        private int _listening;
        private int _accepted;

        public Daemon(Process process, string configFile, int addresses)
        {
            Process = process;
            ConfigFile = configFile;
            _addresses = addresses;
        }

        public Process Process { get; }
        public string ConfigFile { get; }
        public ManualResetEventSlim Listening { get; } = new();
        public int Accepted => Volatile.Read(ref _accepted);

        public string Log
        {
            get
            {
                lock (_log)
                    return _log.ToString();
            }
        }

        public void OnLine(string? line)
        {
            if (line is null)
                return;
            lock (_log)
                _log.AppendLine(line);
            if (line.Contains("Server listening on", StringComparison.Ordinal) && Interlocked.Increment(ref _listening) == _addresses)
                Listening.Set();
            if (line.Contains("Accepted publickey", StringComparison.Ordinal))
                Interlocked.Increment(ref _accepted);
        }
    }
}
