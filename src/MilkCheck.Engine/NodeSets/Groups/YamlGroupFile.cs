namespace MilkCheck.NodeSets;

/// <summary>
/// The shared, reloadable content of one YAML group file. Upstream semantics on reload: sources that appear later
/// are ignored (the resolver's source list is fixed at load), and a source that disappears keeps its last groups.
/// </summary>
internal sealed class YamlGroupFile
{
    private readonly object _gate = new();
    private readonly TimeSpan _cacheTime;
    private readonly TimeProvider _timeProvider;
    private readonly IReadOnlyList<string> _sourceNames;
    private readonly Dictionary<string, YamlSourceGroups> _groups;
    private DateTimeOffset _expiry;

    private YamlGroupFile(string path, TimeSpan cacheTime, TimeProvider timeProvider,
        IReadOnlyList<(string Source, YamlSourceGroups Groups)> content)
    {
        Path = path;
        _cacheTime = cacheTime;
        _timeProvider = timeProvider;
        _sourceNames = content.Select(entry => entry.Source).ToArray();
        _groups = content.ToDictionary(entry => entry.Source, entry => entry.Groups, StringComparer.Ordinal);
        _expiry = TimedCache<string, string>.AddSaturating(timeProvider.GetUtcNow(), cacheTime);
    }

    public string Path { get; }

    /// <exception cref="GroupResolverException">Configuration, with the file and position.</exception>
    public static YamlGroupFile Load(string path, TimeSpan cacheTime, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new YamlGroupFile(path, cacheTime, timeProvider, Read(path));
    }

    public IReadOnlyList<YamlGroupSource> CreateSources() =>
        _sourceNames.Select(name => new YamlGroupSource(name, this)).ToArray();

    public YamlSourceGroups GetGroups(string source, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_expiry < _timeProvider.GetUtcNow())
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Reading under the lock keeps one reload per expiry; a failed reload leaves _expiry in the past,
                // so the next lookup tries again once the file is fixed.
                foreach ((string name, YamlSourceGroups groups) in Read(Path))
                {
                    if (_groups.ContainsKey(name))
                    {
                        _groups[name] = groups;
                    }
                }

                _expiry = TimedCache<string, string>.AddSaturating(_timeProvider.GetUtcNow(), _cacheTime);
            }

            return _groups[source];
        }
    }

    public void Expire()
    {
        lock (_gate)
        {
            _expiry = DateTimeOffset.MinValue;
        }
    }

    private static IReadOnlyList<(string Source, YamlSourceGroups Groups)> Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"{path}: the YAML group file cannot be read ({exception.Message}).", exception);
        }

        // The only call into YamlDotNet: the JIT loads that assembly when this line first runs, not before.
        return YamlGroupFileParser.Parse(path, text);
    }
}
