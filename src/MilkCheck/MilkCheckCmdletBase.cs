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
        try
        {
            return NodeSet.Parse(expression, GetGroupResolver(expression));
        }
        catch (NodeSetParseException e)
        {
            WriteError(ErrorRecords.NodeSetInvalid(e, expression));
        }
        catch (GroupResolverException e)
        {
            WriteError(ErrorRecords.NodeSetInvalid(e, expression));
        }
        return null;
    }

    /// <summary>
    /// Loads the configuration at <paramref name="path"/> (resolved like any PowerShell path) or, when null, the
    /// default directory. A missing path is the terminating MilkCheck.ConfigurationNotFound.
    /// </summary>
    protected MilkCheckConfiguration LoadConfiguration(string? path, bool runCommands = true)
    {
        string resolved = path is null ? DefaultConfigurationDirectory() : GetUnresolvedProviderPathFromPSPath(path);
        if (!Directory.Exists(resolved) && !File.Exists(resolved))
            ThrowTerminatingError(ErrorRecords.ConfigurationNotFound(resolved, path is null));
        return MilkCheckConfiguration.Load(resolved, runCommands);
    }

    /// <summary>Loads and insists on a usable configuration: Errors end the command before anything runs.</summary>
    protected MilkCheckConfiguration LoadValidConfiguration(string? path)
    {
        MilkCheckConfiguration configuration = LoadConfiguration(path);
        if (configuration.HasErrors)
            ThrowTerminatingError(ErrorRecords.ConfigurationInvalid(configuration));
        foreach (ConfigDiagnostic warning in configuration.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning))
            WriteWarning(warning.ToString());
        return configuration;
    }

    private static string DefaultConfigurationDirectory() => ConfigurationPaths.DefaultConfigDirectory;
}
