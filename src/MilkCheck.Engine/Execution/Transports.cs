using MilkCheck.Configuration;
using MilkCheck.Execution.Ssh;

namespace MilkCheck.Execution;

/// <summary>The transports of one run, chosen from the global configuration.</summary>
internal static class Transports
{
    /// <summary>
    /// The remote transport for standard-mode targets: SSH.NET with one reused connection per node (the default,
    /// <c>transport: sshnet</c>), or one OpenSSH process per command (<c>transport: openssh</c>). Dispose it after
    /// the run: that closes the run's connections.
    /// </summary>
    public static ITransport Remote(GlobalConfiguration global) => global.Transport switch
    {
        TransportKind.OpenSsh => new OpenSshTransport(global.ConnectTimeout),
        _ => new SshNetTransport(SshTransportOptions.FromEnvironment(global.ConnectTimeout, global.MaxSessions)),
    };

    public static ITransport Local() => new LocalTransport();

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
