namespace MilkCheck.NodeSets;

/// <summary>
/// One top-level key of a groups.d / autodir YAML file: a static source whose groups map names to node set text.
/// Several sources of the same file share one <see cref="YamlGroupFile"/>, which re-reads the file once its cache
/// time has expired. Thread-safe.
/// </summary>
/// <remarks>No YamlDotNet type appears here: the assembly loads only when a YAML file is actually parsed.</remarks>
public sealed class YamlGroupSource : IGroupSource
{
    private const string AllGroupName = "all";

    private readonly YamlGroupFile _file;

    internal YamlGroupSource(string name, YamlGroupFile file)
    {
        Name = name;
        _file = file;
    }

    public string Name { get; }

    /// <summary>The YAML file this source comes from.</summary>
    public string FilePath => _file.Path;

    /// <summary>
    /// Reads every source of <paramref name="path"/>, in file order.
    /// </summary>
    /// <param name="cacheTime">How long the file content is trusted before it is read again; null means 3600 s.</param>
    /// <param name="timeProvider">Clock for the reload (tests pass a fake); null means the system clock.</param>
    /// <exception cref="GroupResolverException">Configuration: unreadable file, YAML syntax error (with
    /// file:line:column), or content that is not a mapping of sources to mappings of string-named groups.</exception>
    public static IReadOnlyList<YamlGroupSource> LoadFile(
        string path, TimeSpan? cacheTime = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        YamlGroupFile file = YamlGroupFile.Load(path, cacheTime ?? UpcallGroupSource.DefaultCacheTime,
            timeProvider ?? TimeProvider.System, cancellationToken);
        return file.CreateSources();
    }

    public string Map(string group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        return _file.GetGroups(Name, cancellationToken).Values.TryGetValue(group, out string? nodes) ? nodes : "";
    }

    /// <summary>
    /// The group named <c>all</c> when there is one; otherwise the groups joined with <c>,</c>. Null when a group uses
    /// <c>!</c>, <c>&amp;</c> or <c>^</c>: joining such text would change its meaning (the operators apply left to
    /// right to everything before them), so the parser must union the groups itself from <see cref="List"/>.
    /// </summary>
    public string? All(CancellationToken cancellationToken = default) => _file.GetGroups(Name, cancellationToken).AllNodes;

    /// <summary>The group names in file order, including <c>all</c>.</summary>
    public IReadOnlyList<string>? List(CancellationToken cancellationToken = default) =>
        _file.GetGroups(Name, cancellationToken).Names;

    /// <summary>Always null: YAML sources have no reverse lookup; the parser computes it from List and Map.</summary>
    public IReadOnlyList<string>? Reverse(string node, CancellationToken cancellationToken = default) => null;

    /// <summary>Forces the file to be read again on the next lookup.</summary>
    public void ClearCache() => _file.Expire();

    public override string ToString() => $"{Name} (YAML: {FilePath})";

    internal static string? UnionText(IReadOnlyList<string> names, IReadOnlyDictionary<string, string> values)
    {
        if (values.TryGetValue(AllGroupName, out string? all))
        {
            return all;
        }

        var parts = new List<string>(names.Count);
        foreach (string name in names)
        {
            string text = values[name];
            if (text.AsSpan().IndexOfAny('!', '&', '^') >= 0)
            {
                return null;
            }

            if (text.Length > 0)
            {
                parts.Add(text);
            }
        }

        return string.Join(',', parts);
    }
}

/// <summary>The groups of one YAML source as last read: names in file order, text per name, and the all-nodes text.</summary>
internal sealed class YamlSourceGroups
{
    public YamlSourceGroups(IReadOnlyList<string> names, IReadOnlyDictionary<string, string> values)
    {
        Names = names;
        Values = values;
        AllNodes = YamlGroupSource.UnionText(names, values);
    }

    public IReadOnlyList<string> Names { get; }

    public IReadOnlyDictionary<string, string> Values { get; }

    public string? AllNodes { get; }
}
