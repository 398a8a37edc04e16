using System.Collections;

namespace MilkCheck.NodeSets;

/// <summary>
/// An immutable set of node names with ClusterShell semantics (padding-aware, n-dimensional,
/// folded internally as interval lists). <see cref="ToString"/> is ClusterShell's canonical folded form.
/// </summary>
public sealed partial class NodeSet : IEnumerable<string>, IEquatable<NodeSet>
{
    /// <summary>Parses an extended node set expression (<c>,</c> <c>!</c> <c>&amp;</c> <c>^</c>, left to right).</summary>
    /// <param name="resolver">Group resolution for <c>@group</c> and wildcards; null means no group configuration
    /// (any <c>@</c>, <c>*</c> or <c>?</c> then fails as upstream's GroupResolverSourceError).</param>
    /// <exception cref="NodeSetParseException">Syntax or range error, with position.</exception>
    /// <exception cref="GroupResolverException">A group could not be resolved.</exception>
    public static NodeSet Parse(string? text, GroupResolver? resolver = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Union of each parsed item (names or expressions).</summary>
    public static NodeSet FromList(IEnumerable<string> items, GroupResolver? resolver = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    public static NodeSet Empty => throw new NotImplementedException();

    /// <summary>Exact member count, computed from intervals (never expands).</summary>
    public long Count => throw new NotImplementedException();

    public bool IsEmpty => Count == 0;

    public NodeSet Union(NodeSet other) => throw new NotImplementedException();
    public NodeSet Intersect(NodeSet other) => throw new NotImplementedException();
    public NodeSet Except(NodeSet other) => throw new NotImplementedException();
    public NodeSet SymmetricExcept(NodeSet other) => throw new NotImplementedException();
    public bool IsSupersetOf(NodeSet other) => throw new NotImplementedException();
    public bool IsSubsetOf(NodeSet other) => other.IsSupersetOf(this);
    public bool Contains(string node) => throw new NotImplementedException();

    public static NodeSet operator |(NodeSet a, NodeSet b) => a.Union(b);
    public static NodeSet operator &(NodeSet a, NodeSet b) => a.Intersect(b);
    public static NodeSet operator -(NodeSet a, NodeSet b) => a.Except(b);
    public static NodeSet operator ^(NodeSet a, NodeSet b) => a.SymmetricExcept(b);

    /// <summary>Members in ClusterShell's iteration order, generated lazily.</summary>
    public IEnumerator<string> GetEnumerator() => throw new NotImplementedException();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => throw new NotImplementedException();
    public bool Equals(NodeSet? other) => throw new NotImplementedException();
    public override bool Equals(object? obj) => obj is NodeSet other && Equals(other);
    public override int GetHashCode() => throw new NotImplementedException();
}
