using System.Globalization;

namespace MilkCheck.NodeSets;

/// <summary>
/// Builds a <see cref="GroupResolver"/> from groups.conf files, following upstream's GroupResolverConfig:
/// sources from <c>confdir</c> files first, then <c>autodir</c> YAML files, then the main file's sections; then
/// <c>default</c>. Used once per load; holds only that load's state.
/// </summary>
internal sealed class GroupConfigurationLoader
{
    private const string MainSection = "Main";

    private readonly TimeProvider _timeProvider;
    private readonly CancellationToken _cancellationToken;
    private readonly List<IGroupSource> _sources = new();
    private readonly Dictionary<string, string> _origins = new(StringComparer.Ordinal);

    private GroupConfigurationLoader(TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        _timeProvider = timeProvider;
        _cancellationToken = cancellationToken;
    }

    public static GroupResolver Load(
        IReadOnlyList<string> candidates, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var document = new IniDocument();
        var read = new List<string>();
        foreach (string candidate in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string path = Path.GetFullPath(candidate);
            // Like ConfigParser.read: a file that is missing or cannot be opened is skipped, a malformed one is not.
            if (TryReadText(path) is not { } text)
            {
                continue;
            }

            document.Merge(path, text);
            read.Add(path);
        }

        if (read.Count == 0)
        {
            return GroupResolver.Unconfigured(candidates, read);
        }

        // Upstream: $CFGDIR is the directory of the highest-priority file that was actually read.
        string configurationDirectory = Path.GetDirectoryName(read[^1]) ?? "/";
        var loader = new GroupConfigurationLoader(timeProvider, cancellationToken);
        string? defaultSource = loader.Build(document, configurationDirectory);
        return GroupResolver.Create(loader._sources, defaultSource, candidates, read);
    }

    private string? Build(IniDocument main, string configurationDirectory)
    {
        // groupsdir is the older name; upstream prefers it when both are present.
        IniValue? confdir = main.Get(MainSection, "groupsdir") ?? main.Get(MainSection, "confdir");
        if (confdir is not null)
        {
            foreach (string directory in Directories(confdir, configurationDirectory, "confdir"))
            {
                foreach (string file in FilesWithExtension(directory, ".conf"))
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    if (TryReadText(file) is not { } text)
                    {
                        continue;
                    }

                    // Sources of a confdir file run in, and see as $CFGDIR, that confdir (as upstream does).
                    AddUpcallSources(IniDocument.Parse(file, text), directory);
                }
            }
        }

        if (main.Get(MainSection, "autodir") is { } autodir)
        {
            foreach (string directory in Directories(autodir, configurationDirectory, "autodir"))
            {
                foreach (string file in FilesWithExtension(directory, ".yaml"))
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    if (!IsReadable(file))
                    {
                        continue; // upstream skips unreadable YAML files
                    }

                    foreach (YamlGroupSource source in YamlGroupSource.LoadFile(file, null, _timeProvider, _cancellationToken))
                    {
                        Add(source, file);
                    }
                }
            }
        }

        AddUpcallSources(main, configurationDirectory);

        IniValue? defaultValue = main.Get(MainSection, "default");
        string? defaultName = string.IsNullOrWhiteSpace(defaultValue?.Text) ? null : defaultValue!.Text;
        if (defaultName is not null && !_origins.ContainsKey(defaultName))
        {
            string known = _sources.Count == 0 ? "none is defined" : "known sources: " + string.Join(", ", _sources.Select(s => s.Name));
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"{defaultValue!.Location}: [Main] default '{defaultName}' names no group source ({known}); " +
                "set it to one of them, or leave it empty to use the first source.");
        }

        return defaultName;
    }

    private void AddUpcallSources(IniDocument document, string configurationDirectory)
    {
        foreach (IniSection section in document.Sections)
        {
            // [a,b,c] declares three sources sharing the same commands (told apart by $SOURCE).
            foreach (string rawName in section.Name.Split(','))
            {
                string name = rawName.Trim();
                if (name == MainSection)
                {
                    continue;
                }

                if (name.Length == 0)
                {
                    throw new GroupResolverException(GroupErrorKind.Configuration,
                        $"{section.Location}: section [{section.Name}] has an empty source name; remove the extra ','.");
                }

                _cancellationToken.ThrowIfCancellationRequested();
                Add(CreateUpcallSource(document, section, name, configurationDirectory), section.Location);
            }
        }
    }

    private UpcallGroupSource CreateUpcallSource(
        IniDocument document, IniSection section, string name, string configurationDirectory)
    {
        IniValue? map = document.Get(section, "map");
        if (map is null || string.IsNullOrWhiteSpace(map.Text))
        {
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"{section.Location}: section [{section.Name}] has {(map is null ? "no" : "an empty")} 'map' command, " +
                "which every group source needs; add a line such as 'map: <command printing the nodes of $GROUP>'.");
        }

        TimeSpan? cacheTime = null;
        if (document.Get(section, "cache_time") is { } cacheValue)
        {
            cacheTime = ParseCacheTime(cacheValue, section);
        }

        return new UpcallGroupSource(
            name,
            map.Text,
            document.Get(section, "all")?.Text,
            document.Get(section, "list")?.Text,
            document.Get(section, "reverse")?.Text,
            configurationDirectory,
            cacheTime,
            _timeProvider);
    }

    /// <summary>Python float(): decimal or exponent notation, inf; NaN would make every entry expire at once.</summary>
    private static TimeSpan ParseCacheTime(IniValue value, IniSection section)
    {
        string text = value.Text.Trim().Replace("_", "", StringComparison.Ordinal);
        string unsigned = text.TrimStart('+');
        if (unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase) || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            return TimeSpan.MaxValue;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            || double.IsNaN(seconds) || double.IsInfinity(seconds))
        {
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"{value.Location}: cache_time '{value.Text}' of section [{section.Name}] is not a number of seconds; " +
                "use a value such as 3600 or 0.5.");
        }

        return seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue
            : seconds <= TimeSpan.MinValue.TotalSeconds ? TimeSpan.MinValue
            : TimeSpan.FromSeconds(seconds);
    }

    private void Add(IGroupSource source, string origin)
    {
        if (!_origins.TryAdd(source.Name, origin))
        {
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"{origin}: group source '{source.Name}' is already defined at {_origins[source.Name]}; " +
                "rename or remove one of them.");
        }

        _sources.Add(source);
    }

    /// <summary>confdir/autodir words: shell-split, $CFGDIR substituted, normalised, duplicates and missing dirs skipped.</summary>
    private static IEnumerable<string> Directories(IniValue value, string configurationDirectory, string key)
    {
        IReadOnlyList<string> words;
        try
        {
            words = ShellWords.Split(value.Text);
        }
        catch (FormatException exception)
        {
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"{value.Location}: [Main] {key} cannot be split into directories: {exception.Message}; check its quotes.",
                exception);
        }

        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["CFGDIR"] = configurationDirectory };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string word in words)
        {
            // Relative directories are taken from $CFGDIR, not from the process's working directory as upstream
            // does: in PowerShell that directory is not the current location, so it would be a surprise.
            string directory = Path.TrimEndingDirectorySeparator(
                Path.GetFullPath(TemplateText.Substitute(word, variables), configurationDirectory));
            if (!seen.Add(directory))
            {
                continue;
            }

            if (!Directory.Exists(directory))
            {
                if (File.Exists(directory))
                {
                    throw new GroupResolverException(GroupErrorKind.Configuration,
                        $"{value.Location}: [Main] {key} '{directory}' is a file, not a directory; name the directory that holds the files.");
                }

                continue;
            }

            yield return directory;
        }
    }

    /// <summary>Like glob("dir/*.ext"): regular files with that extension, hidden ones excluded, sorted ordinally.</summary>
    private static IEnumerable<string> FilesWithExtension(string directory, string extension)
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(directory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return files
            .Where(file => file.EndsWith(extension, StringComparison.Ordinal) && !Path.GetFileName(file).StartsWith('.'))
            .Order(StringComparer.Ordinal);
    }

    private static string? TryReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsReadable(string path)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
