using MilkCheck.Configuration;
using MilkCheck.Execution.Ssh;

namespace MilkCheck.Execution;

/// <summary>The transports a run uses, until it disposes them.</summary>
internal interface ITransportLease : IDisposable
{
    ITransport Local { get; }
    ITransport Remote { get; }
}

/// <summary>The transports of one run, chosen from the global configuration.</summary>
internal static class Transports
{
    /// <summary>
    /// The transports of one run: local processes, and for standard-mode targets SSH.NET with one reused connection
    /// per node (the default, <c>transport: sshnet</c>) or one OpenSSH process per command (<c>transport: openssh</c>).
    /// Disposing the lease closes what the run opened, or, with the session's <paramref name="connections"/> and a
    /// non-zero <c>connection_persist</c>, gives the connections back to it for the next runs (OpenSSH: its control
    /// masters, ControlPersist).
    /// </summary>
    /// <param name="notice">Told when a kept connection was found dead and reopened (verbose).</param>
    public static ITransportLease For(GlobalConfiguration global, ConnectionPool? connections = null, Action<string>? notice = null) =>
        new Lease(new LocalTransport(), Remote(global, global.ConnectionPersist > TimeSpan.Zero ? connections : null, notice));

    private static ITransport Remote(GlobalConfiguration global, ConnectionPool? connections, Action<string>? notice) => global.Transport switch
    {
        TransportKind.OpenSsh => new OpenSshTransport(global.ConnectTimeout, connections: connections, persist: global.ConnectionPersist),
        TransportKind.SshNet => new SshNetTransport(SshTransportOptions.FromEnvironment(global.ConnectTimeout, global.MaxSessions),
            connections, global.ConnectionPersist, notice),
        _ => throw new ArgumentOutOfRangeException(nameof(global), global.Transport, "Unknown transport kind."),
    };

    /// <summary>A lease over given transports (tests, benchmarks, front ends with transports of their own).</summary>
    public static ITransportLease Of(ITransport local, ITransport remote) => new Lease(local, remote);

    private sealed class Lease : ITransportLease
    {
        public Lease(ITransport local, ITransport remote)
        {
            Local = local;
            Remote = remote;
        }

        public ITransport Local { get; }
        public ITransport Remote { get; }

        public void Dispose()
        {
            (Remote as IDisposable)?.Dispose();
            (Local as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// The most file descriptors this process may open (RLIMIT_NOFILE), read from /proc/self/limits; null when
    /// unknown. Each node command in flight holds a few (a connection, or a process's pipes).
    /// </summary>
    public static long? OpenFileLimit()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/limits"))
            {
                if (!line.StartsWith("Max open files", StringComparison.Ordinal))
                    continue;
                string[] words = line[14..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return words.Length > 0 && long.TryParse(words[0], out long soft) ? soft : null;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
