namespace MilkCheck.NodeSets;

/// <summary>
/// One group source (a groups.conf section, a groups.d YAML top-level key, or an in-memory source).
/// Sources return raw node set TEXT; the node set parser parses it (recursively, with this source as the
/// default source for nested <c>@group</c> references). Implementations are thread-safe and cache per instance
/// (never statically).
/// </summary>
public interface IGroupSource
{
    /// <summary>The source name (<c>local</c>, <c>roles</c>…).</summary>
    string Name { get; }

    /// <summary>Node set text of <paramref name="group"/>; the empty string for an unknown or empty group.</summary>
    /// <exception cref="GroupResolverException">Kind QueryFailed when an upcall fails.</exception>
    string Map(string group, CancellationToken cancellationToken = default);

    /// <summary>Node set text of all nodes of the source, or null when the source has no <c>all</c>.</summary>
    string? All(CancellationToken cancellationToken = default);

    /// <summary>Group name tokens (each may be a pattern such as <c>rack[1-5]</c>), or null when the source has no <c>list</c>.</summary>
    IReadOnlyList<string>? List(CancellationToken cancellationToken = default);

    /// <summary>Group name tokens the node belongs to, or null when the source has no <c>reverse</c>.</summary>
    IReadOnlyList<string>? Reverse(string node, CancellationToken cancellationToken = default);
}
