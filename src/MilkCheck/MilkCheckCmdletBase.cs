using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using MilkCheck.Configuration;
using MilkCheck.NodeSets;

namespace MilkCheck;

/// <summary>Shared plumbing of the module's cmdlets.</summary>
public abstract class MilkCheckCmdletBase : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();
    private GroupResolver? _groupResolver;

    /// <summary>Cancelled when the pipeline stops (Ctrl+C, Stop-Job, a downstream Select-Object -First): loads and
    /// runs give up, killing what they started.</summary>
    private protected CancellationToken StopToken => _stop.Token;

    protected override void StopProcessing() => _stop.Cancel();
    private HashSet<string> _commandLineParameters = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Remembers which parameters the command line bound (pipeline binding comes later, per record).</summary>
    protected override void BeginProcessing() =>
        _commandLineParameters = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// True when this record's -LiteralPath came from a piped file-system item (Get-Item ./conf): the item's Name
    /// then binds -Service/-Name by property name too, and is the folder's name, not a service.
    /// </summary>
    protected bool RecordIsAPipedPathItem(string nameParameter) =>
        MyInvocation.BoundParameters.ContainsKey("LiteralPath") && !_commandLineParameters.Contains("LiteralPath")
        && !_commandLineParameters.Contains(nameParameter);

    /// <summary>
    /// ClusterShell's group configuration, loaded once per invocation (never cached statically: runspaces and
    /// jobs share the process) and only when an expression can need it, so plain node sets cost no file I/O.
    /// </summary>
    protected GroupResolver GetGroupResolver(string expression)
    {
        if (expression.AsSpan().IndexOfAny('@', '*', '?') < 0)
            return GroupResolver.None;
        return _groupResolver ??= GroupResolver.Load(GroupConfigurationLocations.FromEnvironment());
    }

    /// <summary>Parses a node set, writing a non-terminating NodeSetInvalid error and returning null on failure.</summary>
    protected NodeSet? ParseNodeSetOrWriteError(string expression)
    {
        NodeSet? set = ParseNodeSet(expression, out ErrorRecord? error);
        if (error is not null)
            WriteError(error);
        return set;
    }

    /// <summary>Parses a node set; on failure returns null and the NodeSetInvalid record (position in the message).</summary>
    protected NodeSet? ParseNodeSet(string expression, out ErrorRecord? error)
    {
        error = null;
        try
        {
            return NodeSet.Parse(expression, GetGroupResolver(expression));
        }
        catch (NodeSetParseException e)
        {
            error = ErrorRecords.NodeSetInvalid(e, expression);
        }
        catch (GroupResolverException e)
        {
            error = ErrorRecords.NodeSetInvalid(e, expression);
        }
        return null;
    }

    /// <summary>
    /// Loads the configuration at <paramref name="path"/> (resolved like any PowerShell path) or, when null,
    /// config_dir of the global configuration ($MILKCHECK_CONF, else /etc/milkcheck/milkcheck.conf; default
    /// /etc/milkcheck/conf). A missing path is the terminating MilkCheck.ConfigurationNotFound.
    /// </summary>
    protected MilkCheckConfiguration LoadConfiguration(ConfigurationPath path, bool runCommands = true, LoadOptions? options = null)
    {
        var (global, reported) = LoadGlobalConfiguration();
        string resolved = path.IsDefault
            ? GlobalConfigurationLocator.ResolveConfigurationDirectory(null, global, SessionState.Path.CurrentFileSystemLocation.ProviderPath)
            : ResolveConfigurationPath(path);
        if (!Directory.Exists(resolved) && !File.Exists(resolved))
            ThrowTerminatingError(ErrorRecords.ConfigurationNotFound(resolved, path.IsDefault));
        WriteVerbose($"Loading the MilkCheck configuration {resolved}.");
        if (Directory.Exists(resolved))
        {
            // The loader's rule: every *.yaml/*.yml directly in the directory, by name.
            foreach (string file in Directory.EnumerateFiles(resolved)
                         .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                         .OrderBy(f => System.IO.Path.GetFileName(f), StringComparer.Ordinal))
                WriteVerbose($"Reading {file}.");
        }
        MilkCheckConfiguration configuration;
        try
        {
            configuration = MilkCheckConfiguration.Load(resolved, runCommands, global, reported,
                (options ?? LoadOptions.Default) with { Cancellation = StopToken });
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            // Stopped while a %(...) of the configuration ran: it was killed; the pipeline is stopping.
            throw new PipelineStoppedException();
        }
        WriteVerbose($"Configuration loaded: {configuration.EntityNames.Count} service(s) and group(s), {configuration.Diagnostics.Count} diagnostic(s).");
        return configuration;
    }

    /// <summary>
    /// -LiteralPath as written (a PSPath from Get-Item included); -Path with wildcards must name exactly one item,
    /// else a terminating error (none: ConfigurationNotFound; several: ConfigurationAmbiguous). A -Path that exists
    /// as written is taken literally first, so a path bound from a result (brackets in a folder name) still works.
    /// </summary>
    private string ResolveConfigurationPath(ConfigurationPath path)
    {
        if (path.Literal is { } literal)
            return GetUnresolvedProviderPathFromPSPath(literal);
        string text = path.Wildcard!;
        string unresolved = GetUnresolvedProviderPathFromPSPath(text);
        if (!WildcardPattern.ContainsWildcardCharacters(text) || Directory.Exists(unresolved) || File.Exists(unresolved))
            return unresolved;
        Collection<string> matches;
        try
        {
            matches = SessionState.Path.GetResolvedProviderPathFromPSPath(text, out ProviderInfo provider);
            if (provider.Name != "FileSystem")
                ThrowTerminatingError(ErrorRecords.ConfigurationNotFound(text, isDefault: false));
        }
        catch (ItemNotFoundException)
        {
            matches = new Collection<string>();
        }
        if (matches.Count == 0)
            ThrowTerminatingError(ErrorRecords.ConfigurationNotFound(text, isDefault: false));
        if (matches.Count > 1)
            ThrowTerminatingError(ErrorRecords.ConfigurationAmbiguous(text, matches));
        return matches[0];
    }

    /// <summary>
    /// milkcheck.conf ($MILKCHECK_CONF, else /etc/milkcheck/milkcheck.conf) and its problems; a missing file gives the
    /// defaults and a verbose line, as upstream.
    /// </summary>
    protected (GlobalConfiguration Global, List<ConfigDiagnostic> Diagnostics) LoadGlobalConfiguration()
    {
        var (global, globalDiagnostics) = GlobalConfigurationLoader.Load(GlobalConfigurationLocator.ResolveGlobalConfigurationPath());
        var reported = new List<ConfigDiagnostic>();
        foreach (ConfigDiagnostic diagnostic in globalDiagnostics)
        {
            if (diagnostic.ErrorId == ErrorIds.Config.GlobalFileNotFound)
                WriteVerbose(diagnostic.Message);
            else
                reported.Add(diagnostic);
        }
        return (global, reported);
    }

    /// <summary>Loads and insists on a usable configuration: Errors end the command before anything runs.</summary>
    protected MilkCheckConfiguration LoadValidConfiguration(ConfigurationPath path, LoadOptions? options = null)
    {
        MilkCheckConfiguration configuration = LoadConfiguration(path, options: options);
        if (configuration.HasErrors)
            ThrowTerminatingError(ErrorRecords.ConfigurationInvalid(configuration));
        foreach (ConfigDiagnostic warning in configuration.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning))
        {
            // A reference a run may pass with -Define does not concern listing or drawing: Test-MilkCheckConfig shows it.
            if (warning.ErrorId == ErrorIds.Config.UndefinedVariable)
                WriteVerbose(warning.ToString());
            else
                WriteWarning(warning.ToString());
        }
        return configuration;
    }

    /// <summary>-Define as the engine takes it: names and values as text (null → empty), later keys win.</summary>
    protected static IReadOnlyDictionary<string, string> ToDefines(Hashtable? define)
    {
        var defines = new Dictionary<string, string>(StringComparer.Ordinal);
        if (define is null)
            return defines;
        foreach (DictionaryEntry entry in define)
        {
            string name = LanguagePrimitives.ConvertTo<string>(entry.Key);
            defines[name] = entry.Value is null ? string.Empty : LanguagePrimitives.ConvertTo<string>(entry.Value);
        }
        return defines;
    }

    /// <summary>
    /// Replaces wildcard patterns with the names they match (case-insensitive, as Get-MilkCheckService); plain names
    /// stay as written, so an unknown one is still reported as unknown where it is used. Null (after a warning) when
    /// names were given and every one was a pattern matching nothing: an empty selection never widens to everything.
    /// </summary>
    protected IReadOnlyList<string>? ExpandNamePatterns(IReadOnlyList<string> names, IReadOnlyList<string> known, string parameter)
    {
        if (names.Count == 0)
            return names;
        var expanded = new List<string>();
        foreach (string name in names)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name))
            {
                expanded.Add(name);
                continue;
            }
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = known.Where(pattern.IsMatch).ToList();
            WriteVerbose(matches.Count == 0 ? $"-{parameter} '{name}' matches no service." : $"-{parameter} '{name}' matches {string.Join(", ", matches)}.");
            expanded.AddRange(matches);
        }
        if (expanded.Count > 0)
            return expanded.Distinct(StringComparer.Ordinal).ToArray();
        WriteWarning($"No service matches the -{parameter} patterns given: nothing runs.");
        return null;
    }

    /// <summary>The union of node set expressions (blank ones ignored); null when none; a bad one ends the command.</summary>
    protected NodeSet? UniteNodeSetsOrThrow(IEnumerable<string> expressions)
    {
        var sets = new List<NodeSet>();
        foreach (string expression in expressions.Where(e => !string.IsNullOrWhiteSpace(e)))
        {
            NodeSet? set = ParseNodeSet(expression, out ErrorRecord? error);
            if (error is not null)
                ThrowTerminatingError(error);
            sets.Add(set!);
        }
        return sets.Count == 0 ? null : NodeSet.UnionAll(sets);
    }
}

/// <summary>Which configuration a cmdlet was given: -Path (wildcards), -LiteralPath, or neither (the default).</summary>
public readonly record struct ConfigurationPath(string? Wildcard, string? Literal)
{
    public bool IsDefault => string.IsNullOrEmpty(Wildcard) && string.IsNullOrEmpty(Literal);

    public static ConfigurationPath From(string? path, string? literalPath) =>
        new(string.IsNullOrEmpty(path) ? null : path, string.IsNullOrEmpty(literalPath) ? null : literalPath);
}
