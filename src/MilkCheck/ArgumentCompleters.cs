using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using MilkCheck.NodeSets;
using MilkCheck.Configuration;

namespace MilkCheck;

/// <summary>Completes names from the configuration at -Path (or the default); never connects anywhere.</summary>
public abstract class ConfigurationCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string? path = ConfigurationPathOf(fakeBoundParameters);
        if (path is null)
            return Array.Empty<CompletionResult>();
        MilkCheckConfiguration configuration;
        try
        {
            configuration = MilkCheckConfiguration.Load(path, runCommands: false); // completion never runs commands
        }
        catch (IOException)
        {
            return Array.Empty<CompletionResult>();
        }
        var pattern = new WildcardPattern(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return Names(configuration).Where(pattern.IsMatch).Select(name =>
            new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, name)).ToArray();
    }

    protected abstract IEnumerable<string> Names(MilkCheckConfiguration configuration);

    /// <summary>
    /// -LiteralPath, else -Path (its first match when it has wildcards), else config_dir of milkcheck.conf; a relative
    /// path is taken from the session's current location. Null when nothing usable exists.
    /// </summary>
    private static string? ConfigurationPathOf(IDictionary fakeBoundParameters)
    {
        string? literal = fakeBoundParameters["LiteralPath"] as string;
        string? given = literal ?? fakeBoundParameters["Path"] as string;
        if (string.IsNullOrEmpty(given))
        {
            string fallback = GlobalConfigurationLoader.Load(GlobalConfigurationLocator.ResolveGlobalConfigurationPath()).Configuration.ConfigDir;
            return Directory.Exists(fallback) || File.Exists(fallback) ? fallback : null;
        }
        try
        {
            // Completion runs inside the session's pipeline (SessionStateProxy refuses a concurrent call): a nested
            // PowerShell on the current runspace reads its session state, current location included.
            using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
            PathIntrinsics? paths = shell.AddScript("$ExecutionContext.SessionState.Path").Invoke<PathIntrinsics>().FirstOrDefault();
            if (paths is null)
                return Directory.Exists(given) || File.Exists(given) ? given : null;
            string resolved = literal is not null || !WildcardPattern.ContainsWildcardCharacters(given)
                ? paths.GetUnresolvedProviderPathFromPSPath(given)
                : paths.GetResolvedProviderPathFromPSPath(given, out _).FirstOrDefault() ?? string.Empty;
            return Directory.Exists(resolved) || File.Exists(resolved) ? resolved : null;
        }
        catch (Exception e) when (e is RuntimeException or ArgumentException or IOException or NotSupportedException or InvalidOperationException)
        {
            return null; // a completer offers nothing rather than failing
        }
    }

    private static string Quote(string name) =>
        name.Any(c => char.IsWhiteSpace(c) || "'\"`$(){}[],;@#&|<>".Contains(c)) ? "'" + name.Replace("'", "''") + "'" : name;
}

/// <summary>Full dotted names of services and groups.</summary>
public sealed class ServiceNameCompleter : ConfigurationCompleter
{
    protected override IEnumerable<string> Names(MilkCheckConfiguration configuration) => configuration.EntityNames;
}

/// <summary>Action names defined in the configuration.</summary>
public sealed class ActionNameCompleter : ConfigurationCompleter
{
    protected override IEnumerable<string> Names(MilkCheckConfiguration configuration) => configuration.ActionNames;
}

/// <summary>Tags carried by the entities of the configuration.</summary>
public sealed class TagCompleter : ConfigurationCompleter
{
    protected override IEnumerable<string> Names(MilkCheckConfiguration configuration) =>
        configuration.GetServices().SelectMany(s => s.Tags).Distinct(StringComparer.Ordinal).OrderBy(t => t, StringComparer.Ordinal);
}

/// <summary>
/// <c>@group</c> and <c>@source:group</c> names of ClusterShell's group configuration. Reads groups.conf and lists
/// each source's groups (a source without <c>list</c> offers nothing); never connects anywhere, and an upcall gets
/// two seconds.
/// </summary>
public sealed class NodeGroupCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = wordToComplete.Trim('\'', '"');
        // Only a word that starts a group is ours; node names cannot be listed.
        int at = word.LastIndexOf('@');
        if (at < 0)
            return Array.Empty<CompletionResult>();
        string prefix = word[..at];
        var pattern = new WildcardPattern(word[at..] + "*", WildcardOptions.IgnoreCase);
        var names = new List<string>();
        try
        {
            GroupResolver resolver = GroupResolver.Load(GroupConfigurationLocations.FromEnvironment());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            foreach (string source in resolver.SourceNames)
            {
                IReadOnlyList<string>? groups = resolver.GetSource(source).List(timeout.Token);
                if (groups is null)
                    continue;
                bool isDefault = source == resolver.DefaultSourceName;
                foreach (string group in groups)
                {
                    if (isDefault)
                        names.Add("@" + group);
                    names.Add($"@{source}:{group}");
                }
            }
        }
        catch (Exception e) when (e is GroupResolverException or IOException or OperationCanceledException or UnauthorizedAccessException)
        {
            return Array.Empty<CompletionResult>();
        }
        return names.Distinct(StringComparer.Ordinal).Where(pattern.IsMatch).Select(name =>
            new CompletionResult("'" + prefix + name + "'", name, CompletionResultType.ParameterValue, name)).ToArray();
    }
}
