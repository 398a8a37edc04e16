namespace MilkCheck;

/// <summary>Where the configuration is when -Path is not given (architecture.md §4).</summary>
internal static class ConfigurationPaths
{
    public const string DefaultGlobalFile = "/etc/milkcheck/milkcheck.conf";
    public const string DefaultConfigDirectory = "/etc/milkcheck/conf";

    /// <summary>The global configuration file: $MILKCHECK_CONF when set, else /etc/milkcheck/milkcheck.conf.</summary>
    public static string GlobalFile()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("MILKCHECK_CONF");
        return string.IsNullOrEmpty(fromEnvironment) ? DefaultGlobalFile : fromEnvironment;
    }
}
