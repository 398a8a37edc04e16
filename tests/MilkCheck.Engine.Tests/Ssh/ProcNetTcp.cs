using System.Net;

namespace MilkCheck.Engine.Tests.Ssh;

/// <summary>The kernel's table of TCP sockets (/proc/net/tcp and tcp6, IPv4-mapped), as the farm's tests read it.</summary>
internal static class ProcNetTcp
{
    private const string Established = "01";

    /// <summary>An address and port as the table writes them (hex, the address's bytes reversed).</summary>
    private static string Endpoint(string address, int port) =>
        $"{BitConverter.ToString(IPAddress.Parse(address).GetAddressBytes().Reverse().ToArray()).Replace("-", "")}:{port:X4}";

    private static IEnumerable<string[]> Sockets() =>
        new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists).SelectMany(file => File.ReadLines(file).Skip(1))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 9 && f[3] == Established);

    /// <summary>Client sockets established towards the farm's nodes <paramref name="first"/>..<paramref name="last"/>.</summary>
    public static int EstablishedTo(int port, int first, int last)
    {
        var remotes = Enumerable.Range(first, last - first + 1).Select(i => Endpoint(SshdFarm.Address(i), port)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Sockets().Count(f => remotes.Any(r => f[2].EndsWith(r, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The pids holding the daemon's side of the established connection from <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static int[] ServingProcesses(string address, int port)
    {
        string local = Endpoint(address, port);
        var inodes = Sockets()
            .Where(f => f[1].EndsWith(local, StringComparison.OrdinalIgnoreCase))
            .Select(f => $"socket:[{f[9]}]")
            .ToHashSet(StringComparer.Ordinal);
        var pids = new List<int>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == Environment.ProcessId)
                continue;
            try
            {
                if (Directory.GetFiles(Path.Combine(dir, "fd")).Any(fd => new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target)))
                    pids.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A process that ended meanwhile.
            }
        }
        return pids.ToArray();
    }
}
