namespace MilkCheck.NodeSets;

/// <summary>
/// The groups.conf files to read, lowest priority first. Every existing file is read and a later file overrides
/// the keys of an earlier one; <c>$CFGDIR</c> is the directory of the last file read.
/// </summary>
public sealed class GroupConfigurationLocations
{
    /// <summary>The system directory upstream reads first.</summary>
    public const string DefaultSystemConfigurationDirectory = "/etc/clustershell";

    private const string FileName = "groups.conf";

    /// <param name="candidates">Paths to groups.conf files, lowest priority first; missing ones are skipped.</param>
    public GroupConfigurationLocations(IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var list = new List<string>();
        foreach (string candidate in candidates)
        {
            ArgumentException.ThrowIfNullOrEmpty(candidate, nameof(candidates));
            list.Add(candidate);
        }

        Candidates = list.AsReadOnly();
    }

    /// <summary>Candidate paths, lowest priority first.</summary>
    public IReadOnlyList<string> Candidates { get; }

    /// <summary>
    /// ClusterShell's search order: <c>/etc/clustershell/groups.conf</c>, <c>~/.local/etc/clustershell/groups.conf</c>,
    /// <c>$XDG_CONFIG_HOME/clustershell/groups.conf</c> (default <c>~/.config/...</c>), then
    /// <c>$CLUSTERSHELL_CFGDIR/groups.conf</c>. Upstream also reads <c>{sys.prefix}/etc/clustershell/</c>, the Python
    /// installation prefix; there is no such thing for a .NET module, so that entry is left out.
    /// </summary>
    /// <param name="environment">Variables to use (HOME, XDG_CONFIG_HOME, CLUSTERSHELL_CFGDIR); null reads the
    /// process environment. When given, it is the only source: a missing HOME skips the home-based entries.</param>
    /// <param name="systemConfigurationDirectory">Replaces <see cref="DefaultSystemConfigurationDirectory"/> (tests
    /// use it so they never depend on the machine's /etc).</param>
    public static GroupConfigurationLocations FromEnvironment(
        IReadOnlyDictionary<string, string?>? environment = null, string? systemConfigurationDirectory = null)
    {
        string? Variable(string name)
        {
            string? value = environment is null
                ? Environment.GetEnvironmentVariable(name)
                : environment.TryGetValue(name, out string? given) ? given : null;
            // An empty variable is treated as unset: an empty XDG_CONFIG_HOME would otherwise mean a relative path.
            return string.IsNullOrEmpty(value) ? null : value;
        }

        string? home = Variable("HOME");
        if (home is null && environment is null)
        {
            string profile = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            home = profile.Length == 0 ? null : profile;
        }

        var candidates = new List<string>
        {
            Path.Combine(systemConfigurationDirectory ?? DefaultSystemConfigurationDirectory, FileName),
        };
        if (home is not null)
        {
            candidates.Add(Path.Combine(home, ".local", "etc", "clustershell", FileName));
        }

        string? xdgConfigHome = Variable("XDG_CONFIG_HOME") ?? (home is null ? null : Path.Combine(home, ".config"));
        if (xdgConfigHome is not null)
        {
            candidates.Add(Path.Combine(xdgConfigHome, "clustershell", FileName));
        }

        if (Variable("CLUSTERSHELL_CFGDIR") is { } configurationDirectory)
        {
            candidates.Add(Path.Combine(configurationDirectory, FileName));
        }

        return new GroupConfigurationLocations(candidates);
    }

    public override string ToString() => string.Join(", ", Candidates);
}
