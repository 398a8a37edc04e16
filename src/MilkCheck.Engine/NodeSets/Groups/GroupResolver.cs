using System.Diagnostics.CodeAnalysis;

namespace MilkCheck.NodeSets;

/// <summary>
/// The group sources of one configuration and which of them is the default. Immutable once built, hence safe to
/// share between threads and runs; caching happens inside each source instance, never statically.
/// </summary>
public sealed class GroupResolver
{
    private const string StandardLocationsText =
        "/etc/clustershell/groups.conf, ~/.local/etc/clustershell/groups.conf, " +
        "$XDG_CONFIG_HOME/clustershell/groups.conf (default ~/.config/clustershell/groups.conf), " +
        "$CLUSTERSHELL_CFGDIR/groups.conf";

    private readonly Dictionary<string, IGroupSource> _sources;

    private GroupResolver(
        IReadOnlyList<IGroupSource> sources,
        string? defaultSourceName,
        IReadOnlyList<string> searchedPaths,
        IReadOnlyList<string> configurationFiles)
    {
        _sources = new Dictionary<string, IGroupSource>(StringComparer.Ordinal);
        var names = new List<string>(sources.Count);
        foreach (IGroupSource source in sources)
        {
            _sources.Add(source.Name, source);
            names.Add(source.Name);
        }

        SourceNames = names.AsReadOnly();
        DefaultSourceName = defaultSourceName ?? (names.Count > 0 ? names[0] : null);
        SearchedPaths = searchedPaths.ToArray();
        ConfigurationFiles = configurationFiles.ToArray();
    }

    /// <summary>No group configuration: every group lookup fails with <see cref="GroupErrorKind.UnknownSource"/>.</summary>
    public static GroupResolver None { get; } = new([], null, [], []);

    /// <summary>True when at least one group source is available.</summary>
    public bool IsConfigured => _sources.Count > 0;

    /// <summary>Source used for <c>@group</c> without a <c>source:</c> prefix; null only when unconfigured.</summary>
    public string? DefaultSourceName { get; }

    /// <summary>Source names in registration order.</summary>
    public IReadOnlyList<string> SourceNames { get; }

    /// <summary>The groups.conf paths that were looked for (empty when built from sources).</summary>
    public IReadOnlyList<string> SearchedPaths { get; }

    /// <summary>The groups.conf files that were read, lowest priority first.</summary>
    public IReadOnlyList<string> ConfigurationFiles { get; }

    /// <summary>The source named <paramref name="name"/>, or the default source for null or empty.</summary>
    /// <exception cref="GroupResolverException">UnknownSource, with the known sources or where configuration was looked for.</exception>
    public IGroupSource GetSource(string? name)
    {
        if (TryGetSource(name, out IGroupSource? source))
        {
            return source;
        }

        if (!IsConfigured)
        {
            throw new GroupResolverException(GroupErrorKind.UnknownSource, DescribeMissingConfiguration(name));
        }

        if (string.IsNullOrEmpty(name))
        {
            throw new GroupResolverException(GroupErrorKind.UnknownSource,
                $"No default node group source is configured (sources: {string.Join(", ", SourceNames)}); " +
                "prefix the group with its source, as in @source:group.");
        }

        throw new GroupResolverException(GroupErrorKind.UnknownSource,
            $"Unknown node group source '{name}'; known sources: {string.Join(", ", SourceNames)} " +
            $"(default: {DefaultSourceName}).");
    }

    /// <summary>Like <see cref="GetSource"/> without throwing.</summary>
    public bool TryGetSource(string? name, [NotNullWhen(true)] out IGroupSource? source)
    {
        string? key = string.IsNullOrEmpty(name) ? DefaultSourceName : name;
        if (key is not null && _sources.TryGetValue(key, out source))
        {
            return true;
        }

        source = null;
        return false;
    }

    /// <summary>A resolver over given sources, in that order.</summary>
    /// <param name="defaultSource">Default source name; null or empty means the first source.</param>
    /// <exception cref="GroupResolverException">Configuration: duplicate source name, or an unknown default.</exception>
    public static GroupResolver FromSources(IEnumerable<IGroupSource> sources, string? defaultSource = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var list = new List<IGroupSource>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (IGroupSource source in sources)
        {
            ArgumentNullException.ThrowIfNull(source, nameof(sources));
            if (string.IsNullOrEmpty(source.Name))
            {
                throw new ArgumentException("A group source has no name.", nameof(sources));
            }

            if (!names.Add(source.Name))
            {
                throw new GroupResolverException(GroupErrorKind.Configuration,
                    $"Group source '{source.Name}' is given twice; source names must be unique.");
            }

            list.Add(source);
        }

        string? defaultName = string.IsNullOrEmpty(defaultSource) ? null : defaultSource;
        if (defaultName is not null && !names.Contains(defaultName))
        {
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"Default group source '{defaultName}' is not among the sources ({string.Join(", ", list.Select(s => s.Name))}).");
        }

        return new GroupResolver(list, defaultName, [], []);
    }

    /// <summary>Reads one groups.conf (and the confdir/autodir files it names); <c>$CFGDIR</c> is its directory.</summary>
    /// <exception cref="GroupResolverException">Configuration: the file is missing or malformed.</exception>
    public static GroupResolver LoadFile(
        string groupsConfPath, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupsConfPath);
        string path = Path.GetFullPath(groupsConfPath);
        if (!File.Exists(path))
        {
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"{path}: group configuration file not found.");
        }

        GroupResolver resolver = GroupConfigurationLoader.Load([path], timeProvider ?? TimeProvider.System, cancellationToken);
        if (resolver.ConfigurationFiles.Count == 0)
        {
            throw new GroupResolverException(GroupErrorKind.Configuration, $"{path}: group configuration file cannot be read.");
        }

        return resolver;
    }

    /// <summary>
    /// Reads every existing file of <paramref name="locations"/>, later ones overriding earlier keys. No file found
    /// gives an unconfigured resolver whose errors list the searched paths.
    /// </summary>
    /// <exception cref="GroupResolverException">Configuration, with file and line.</exception>
    public static GroupResolver Load(
        GroupConfigurationLocations locations, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(locations);
        return GroupConfigurationLoader.Load(locations.Candidates, timeProvider ?? TimeProvider.System, cancellationToken);
    }

    internal static GroupResolver Unconfigured(IReadOnlyList<string> searchedPaths, IReadOnlyList<string> configurationFiles) =>
        new([], null, searchedPaths, configurationFiles);

    internal static GroupResolver Create(
        IReadOnlyList<IGroupSource> sources, string? defaultSourceName,
        IReadOnlyList<string> searchedPaths, IReadOnlyList<string> configurationFiles) =>
        new(sources, defaultSourceName, searchedPaths, configurationFiles);

    public override string ToString() =>
        IsConfigured ? $"{SourceNames.Count} group source(s), default {DefaultSourceName}" : "no group configuration";

    private string DescribeMissingConfiguration(string? name)
    {
        string what = string.IsNullOrEmpty(name) ? "Node groups cannot be resolved" : $"Node group source '{name}' cannot be used";
        if (ConfigurationFiles.Count > 0)
        {
            return $"{what}: the group configuration ({string.Join(", ", ConfigurationFiles)}) defines no group source; " +
                "add a section with a 'map' command.";
        }

        string searched = SearchedPaths.Count > 0 ? string.Join(", ", SearchedPaths) : StandardLocationsText;
        return $"{what}: no node group configuration was found (looked for {searched}). " +
            "Create a groups.conf in one of those places or set CLUSTERSHELL_CFGDIR.";
    }
}
