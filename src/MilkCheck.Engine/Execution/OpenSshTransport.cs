using System.Diagnostics;
using System.Globalization;

namespace MilkCheck.Execution;

/// <summary>
/// Remote commands through OpenSSH, one <c>ssh -oBatchMode=yes</c> process per command as ClusterShell's ssh
/// worker does: everything OpenSSH honours (agent, Kerberos, ProxyJump, ~/.ssh/config) applies. ssh's exit
/// status 255 is its own failure, mapped to a transport status from its message, never a command's exit code.
/// With the session's <see cref="ConnectionPool"/>, connections outlive the run as OpenSSH does it itself:
/// <c>ControlMaster=auto</c> with a control socket per node in the pool's private 0700 folder and
/// <c>ControlPersist</c> = connection_persist; the first command of a node logs in, the others multiplex.
/// </summary>
internal sealed class OpenSshTransport : ITransport
{
    private readonly string _ssh;
    private readonly TimeSpan _connectTimeout;
    private readonly IReadOnlyList<string> _options;
    private readonly int _outputLimit;
    private readonly ConnectionPool? _connections;
    private readonly TimeSpan _persist;

    public OpenSshTransport(TimeSpan connectTimeout, IReadOnlyList<string>? options = null, string ssh = "ssh",
        int outputLimit = LocalTransport.DefaultOutputLimit, ConnectionPool? connections = null, TimeSpan persist = default)
    {
        _connections = persist > TimeSpan.Zero ? connections : null;
        _persist = persist;
        _ssh = ssh;
        _connectTimeout = connectTimeout;
        _options = options ?? Array.Empty<string>();
        _outputLimit = outputLimit;
    }

    public async Task<NodeOutcome> RunAsync(string node, string command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_ssh)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-oBatchMode=yes");
        start.ArgumentList.Add("-oConnectTimeout=" + Math.Max(1, (int)Math.Ceiling(_connectTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        foreach (string option in _options)
            start.ArgumentList.Add(option);
        OpenSshMaster? master = _connections?.Master(node, _ssh, _options);
        if (master is not null)
        {
            // The master forks into the background with its standard streams on /dev/null, so the first command's
            // pipes still end with it.
            start.ArgumentList.Add("-oControlMaster=auto");
            start.ArgumentList.Add("-oControlPath=" + master.ControlPath);
            start.ArgumentList.Add("-oControlPersist=" + Math.Max(1, (int)Math.Ceiling(_persist.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
            master.Started();
        }
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(node);
        // Wrapped as for SSH.NET (Ssh/RemoteCommand): killing ssh on a timeout or a stop closes the channel, and
        // the wrapper's watcher then ends what the command started on the node.
        start.ArgumentList.Add(Ssh.RemoteCommand.Wrap(command));
        NodeOutcome outcome;
        try
        {
            outcome = await LocalTransport.RunProcessAsync(start, timeout, _outputLimit, cancellationToken, keepInputOpen: true).ConfigureAwait(false);
        }
        finally
        {
            master?.Ended();
        }
        if (outcome.ExitCode == 255 || (outcome.ExitCode is null && outcome.Status == NodeStatus.Failed))
            return Classify(outcome);
        return outcome;
    }

    /// <summary>ssh's own failure (exit 255): which transport status its message says.</summary>
    internal static NodeOutcome Classify(NodeOutcome outcome)
    {
        string text = outcome.Output.Length > 0 ? outcome.Output : outcome.Reason ?? "ssh failed";
        string reason = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? "ssh failed";
        NodeStatus status =
            text.Contains("Host key verification failed", StringComparison.Ordinal) ||
            text.Contains("REMOTE HOST IDENTIFICATION HAS CHANGED", StringComparison.Ordinal) ||
            text.Contains("No ED25519 host key is known", StringComparison.Ordinal) ||
            text.Contains("host key is known", StringComparison.Ordinal) ? NodeStatus.HostKeyRejected
            : text.Contains("Permission denied", StringComparison.Ordinal) ||
              text.Contains("Too many authentication failures", StringComparison.Ordinal) ? NodeStatus.AuthenticationFailed
            : NodeStatus.Unreachable;
        return outcome with { Status = status, ExitCode = null, Reason = reason };
    }
}
