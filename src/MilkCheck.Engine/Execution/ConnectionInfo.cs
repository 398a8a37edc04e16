using MilkCheck.Configuration;

namespace MilkCheck;

/// <summary>
/// An SSH connection kept open between the runs of one PowerShell session (Get-MilkCheckConnection).
/// </summary>
/// <param name="Node">The node name the runs used.</param>
/// <param name="User">The remote user.</param>
/// <param name="HostName">Where the node name resolved to (ssh_config's HostName).</param>
/// <param name="Port">The remote port.</param>
/// <param name="OpenedAt">When the connection was opened (logged in).</param>
/// <param name="LastUsed">When a command last ended on it (or it was opened).</param>
/// <param name="Channels">Channels (commands) open on it now.</param>
/// <param name="Transport">Which SSH implementation holds it.</param>
public sealed record ConnectionInfo(
    string Node, string User, string HostName, int Port, DateTimeOffset OpenedAt, DateTimeOffset LastUsed, int Channels, TransportKind Transport)
{
    public override string ToString() => $"{User}@{Node}:{Port}";
}
