namespace MilkCheck.NodeSets;

/// <summary>What kind of group resolution problem happened (ClusterShell names in the docs).</summary>
public enum GroupErrorKind
{
    /// <summary><c>GroupResolverSourceError</c>: unknown source, or groups used with no group configuration at all.</summary>
    UnknownSource,
    /// <summary><c>GroupSourceQueryFailed</c> (surfaces as <c>NodeSetParseError</c> upstream): an upcall exited non-zero or could not run.</summary>
    QueryFailed,
    /// <summary><c>NodeSetExternalError</c>: all nodes requested but the source has neither <c>all</c> nor <c>list</c>.</summary>
    NoAllNodes,
    /// <summary><c>GroupResolverConfigError</c>: groups.conf or a groups.d file is malformed.</summary>
    Configuration,
    /// <summary>Group references form a cycle or nest too deeply.</summary>
    Recursion,
    /// <summary><c>GroupResolverIllegalCharError</c>: a listed group name contains an illegal character.</summary>
    IllegalName,
}

/// <summary>A node group could not be resolved.</summary>
public sealed class GroupResolverException : Exception
{
    public GroupResolverException(GroupErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public GroupErrorKind Kind { get; }
}
