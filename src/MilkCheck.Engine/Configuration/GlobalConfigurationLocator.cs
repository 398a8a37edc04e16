namespace MilkCheck.Configuration;

/// <summary>Where the global configuration file and the service directory are (design §4, <c>-Path</c>).</summary>
public static class GlobalConfigurationLocator
{
    /// <summary>Upstream's hard-coded global configuration file.</summary>
    public const string DefaultGlobalConfigurationPath = "/etc/milkcheck/milkcheck.conf";

    /// <summary>The environment variable that names another global configuration file.</summary>
    public const string EnvironmentVariable = "MILKCHECK_CONF";

    /// <summary>
    /// <c>$MILKCHECK_CONF</c> when set and not empty, else <see cref="DefaultGlobalConfigurationPath"/>.
    /// </summary>
    /// <param name="environment">The variables to look in; null reads the process environment.</param>
    public static string ResolveGlobalConfigurationPath(IReadOnlyDictionary<string, string?>? environment = null)
    {
        string? value = environment is null
            ? Environment.GetEnvironmentVariable(EnvironmentVariable)
            : environment.TryGetValue(EnvironmentVariable, out string? configured) ? configured : null;
        return string.IsNullOrEmpty(value) ? DefaultGlobalConfigurationPath : value;
    }

    /// <summary>
    /// The service configuration directory (or single file): an explicit <c>-Path</c> wins, else the global
    /// configuration's <c>config_dir</c>. Relative paths are resolved against <paramref name="currentDirectory"/>,
    /// as a relative <c>config_dir</c> is upstream (against the working directory). Whether it exists is the
    /// caller's question.
    /// </summary>
    public static string ResolveConfigurationDirectory(
        string? explicitPath, GlobalConfiguration global, string currentDirectory)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentException.ThrowIfNullOrEmpty(currentDirectory);
        string chosen = string.IsNullOrEmpty(explicitPath) ? global.ConfigDir : explicitPath;
        return string.IsNullOrEmpty(chosen) ? Path.GetFullPath(currentDirectory) : Path.GetFullPath(chosen, currentDirectory);
    }
}
