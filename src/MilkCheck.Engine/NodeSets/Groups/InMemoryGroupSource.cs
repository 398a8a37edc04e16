using System.Collections.ObjectModel;

namespace MilkCheck.NodeSets;

/// <summary>
/// A fixed group source held in memory (upstream's plain <c>GroupSource</c>), for tests and for callers that build
/// groups themselves. The dictionary is copied, so later changes to it are not seen. Immutable, hence thread-safe.
/// </summary>
public sealed class InMemoryGroupSource : IGroupSource
{
    private readonly Dictionary<string, string> _groups;
    private readonly ReadOnlyCollection<string> _names;

    /// <param name="name">Source name.</param>
    /// <param name="groups">Group name → node set text (null text means an empty group).</param>
    /// <param name="all">Node set text of all nodes; null when the source has no "all" (the parser then unions the
    /// groups itself).</param>
    public InMemoryGroupSource(string name, IEnumerable<KeyValuePair<string, string?>> groups, string? all = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(groups);
        Name = name;
        _groups = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach ((string group, string? nodes) in groups)
        {
            ArgumentException.ThrowIfNullOrEmpty(group, nameof(groups));
            if (!_groups.TryAdd(group, nodes ?? ""))
            {
                throw new ArgumentException($"Group '{group}' is defined twice in source '{name}'.", nameof(groups));
            }

            names.Add(group);
        }

        _names = names.AsReadOnly();
        AllNodes = all;
    }

    /// <summary>Convenience overload for collection initialisers and plain dictionaries.</summary>
    public InMemoryGroupSource(string name, IReadOnlyDictionary<string, string> groups, string? all = null)
        : this(name, (groups ?? throw new ArgumentNullException(nameof(groups)))
            .Select(pair => new KeyValuePair<string, string?>(pair.Key, pair.Value)), all)
    {
    }

    public string Name { get; }

    /// <summary>The text <see cref="All"/> returns.</summary>
    public string? AllNodes { get; }

    public string Map(string group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        return _groups.TryGetValue(group, out string? nodes) ? nodes : "";
    }

    public string? All(CancellationToken cancellationToken = default) => AllNodes;

    /// <summary>Group names in the order they were given.</summary>
    public IReadOnlyList<string>? List(CancellationToken cancellationToken = default) => _names;

    /// <summary>Always null: reverse lookups are computed by the parser from <see cref="List"/> and <see cref="Map"/>.</summary>
    public IReadOnlyList<string>? Reverse(string node, CancellationToken cancellationToken = default) => null;

    public override string ToString() => $"{Name} (in memory, {_names.Count} groups)";
}
