using System.Collections;
using System.Management.Automation;
using MilkCheck.Configuration;
using MilkCheck.NodeSets;

namespace MilkCheck;

/// <summary>Shared plumbing of the module's cmdlets.</summary>
public abstract class MilkCheckCmdletBase : PSCmdlet
{
    private GroupResolver? _groupResolver;

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
    protected MilkCheckConfiguration LoadConfiguration(string? path, bool runCommands = true, LoadOptions? options = null)
    {
        var (global, reported) = LoadGlobalConfiguration();
        string resolved = path is null
            ? GlobalConfigurationLocator.ResolveConfigurationDirectory(null, global, SessionState.Path.CurrentFileSystemLocation.ProviderPath)
            : GetUnresolvedProviderPathFromPSPath(path);
        if (!Directory.Exists(resolved) && !File.Exists(resolved))
            ThrowTerminatingError(ErrorRecords.ConfigurationNotFound(resolved, path is null));
        WriteVerbose($"Loading the MilkCheck configuration {resolved}.");
        return MilkCheckConfiguration.Load(resolved, runCommands, global, reported, options);
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
            if (diagnostic.ErrorId == GlobalConfigurationLoader.ErrorIds.GlobalFileNotFound)
                WriteVerbose(diagnostic.Message);
            else
                reported.Add(diagnostic);
        }
        return (global, reported);
    }

    /// <summary>Loads and insists on a usable configuration: Errors end the command before anything runs.</summary>
    protected MilkCheckConfiguration LoadValidConfiguration(string? path, LoadOptions? options = null)
    {
        MilkCheckConfiguration configuration = LoadConfiguration(path, options: options);
        if (configuration.HasErrors)
            ThrowTerminatingError(ErrorRecords.ConfigurationInvalid(configuration));
        foreach (ConfigDiagnostic warning in configuration.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning))
        {
            // A reference a run may pass with -Define does not concern listing or drawing: Test-MilkCheckConfig shows it.
            if (warning.ErrorId == ServiceConfigurationLoader.Ids.UndefinedVariable)
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
}
