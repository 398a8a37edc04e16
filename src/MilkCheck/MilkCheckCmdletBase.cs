using System.Management.Automation;
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
}
