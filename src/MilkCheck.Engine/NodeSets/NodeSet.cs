using System.Collections;
using System.Text;

namespace MilkCheck.NodeSets;

/// <summary>
/// An immutable set of node names with ClusterShell semantics (padding-aware, n-dimensional, folded internally
/// as interval lists). <see cref="ToString"/> is ClusterShell's canonical folded form; enumeration follows
/// ClusterShell's iteration order and generates names lazily.
/// </summary>
public sealed class NodeSet : IEnumerable<string>, IEquatable<NodeSet>
{
    private readonly PatternEntry[] _entries; // sorted by PatternEntry.Key, ordinal
    private string? _text;
    private long _count = -1;

    private NodeSet(PatternEntry[] entries) => _entries = entries;

    /// <summary>The empty node set.</summary>
    public static NodeSet Empty { get; } = new(Array.Empty<PatternEntry>());

    /// <summary>Parses an extended node set expression (<c>,</c> <c>!</c> <c>&amp;</c> <c>^</c>, left to right).</summary>
    /// <param name="text">The expression; null, empty or blank is the empty set.</param>
    /// <param name="resolver">Group resolution for <c>@group</c> and wildcards; null means no group configuration
    /// (any <c>@</c>, <c>*</c> or <c>?</c> then fails as upstream's GroupResolverSourceError).</param>
    /// <param name="cancellationToken">Stops group upcalls.</param>
    /// <exception cref="NodeSetParseException">Syntax or range error, with position.</exception>
    /// <exception cref="GroupResolverException">A group could not be resolved.</exception>
    public static NodeSet Parse(string? text, GroupResolver? resolver = null, CancellationToken cancellationToken = default)
        => new NodeSetParser(resolver ?? GroupResolver.None, cancellationToken).Parse(text ?? string.Empty);

    /// <summary>Like <see cref="Parse"/>, but returns false (and the parse error) instead of throwing a syntax error.</summary>
    public static bool TryParse(string? text, out NodeSet result, out NodeSetParseException? error)
    {
        try
        {
            result = Parse(text);
            error = null;
            return true;
        }
        catch (NodeSetParseException e)
        {
            result = Empty;
            error = e;
            return false;
        }
    }

    /// <summary>Union of each parsed item (names or expressions), folded once at the end.</summary>
    public static NodeSet FromList(IEnumerable<string> items, GroupResolver? resolver = null, CancellationToken cancellationToken = default)
    {
        var parser = new NodeSetParser(resolver ?? GroupResolver.None, cancellationToken);
        var builder = new Builder();
        foreach (string item in items)
            parser.ParseInto(item, builder);
        return builder.Build();
    }

    /// <summary>Union of many sets, folded once.</summary>
    public static NodeSet UnionAll(IEnumerable<NodeSet> sets)
    {
        var builder = new Builder();
        foreach (NodeSet set in sets)
            builder.Add(set);
        return builder.Build();
    }

    /// <summary>Exact member count, computed from intervals (never expands).</summary>
    public long Count
    {
        get
        {
            if (_count < 0)
            {
                Int128 total = 0;
                foreach (PatternEntry entry in _entries)
                    total = Int128.Min(total + entry.Count, long.MaxValue);
                _count = (long)total;
            }
            return _count;
        }
    }

    public bool IsEmpty => _entries.Length == 0;

    public NodeSet Union(NodeSet other)
    {
        if (other.IsEmpty) return this;
        if (IsEmpty) return other;
        var builder = new Builder();
        builder.Add(this);
        builder.Add(other);
        return builder.Build();
    }

    public NodeSet Intersect(NodeSet other)
    {
        var builder = new Builder();
        foreach (PatternEntry entry in _entries)
        {
            PatternEntry? match = other.Find(entry.Key);
            if (match is null)
                continue;
            foreach (RangeSet[] a in entry.Vectors)
                foreach (RangeSet[] b in match.Vectors)
                    if (PatternVectors.Intersect(a, b) is { } common)
                        builder.Add(entry.Key, entry.Chunks, common);
        }
        return builder.Build();
    }

    public NodeSet Except(NodeSet other)
    {
        if (other.IsEmpty || IsEmpty) return this;
        var builder = new Builder();
        foreach (PatternEntry entry in _entries)
        {
            PatternEntry? match = other.Find(entry.Key);
            if (match is null)
            {
                builder.Add(entry);
                continue;
            }
            IEnumerable<RangeSet[]> remaining = entry.Vectors;
            foreach (RangeSet[] cut in match.Vectors)
                remaining = remaining.SelectMany(v => PatternVectors.Subtract(v, cut)).ToList();
            foreach (RangeSet[] vector in remaining)
                builder.Add(entry.Key, entry.Chunks, vector);
        }
        return builder.Build();
    }

    public NodeSet SymmetricExcept(NodeSet other) => Except(other).Union(other.Except(this));

    public bool IsSupersetOf(NodeSet other) => other.Except(this).IsEmpty;

    public bool IsSubsetOf(NodeSet other) => other.IsSupersetOf(this);

    /// <summary>True when <paramref name="nodes"/> (a name or an expression) is entirely in this set.</summary>
    public bool Contains(string nodes) => IsSupersetOf(Parse(nodes));

    public static NodeSet operator |(NodeSet a, NodeSet b) => a.Union(b);
    public static NodeSet operator &(NodeSet a, NodeSet b) => a.Intersect(b);
    public static NodeSet operator -(NodeSet a, NodeSet b) => a.Except(b);
    public static NodeSet operator ^(NodeSet a, NodeSet b) => a.SymmetricExcept(b);

    /// <summary>Members in ClusterShell's iteration order, generated lazily.</summary>
    public IEnumerator<string> GetEnumerator()
    {
        var builder = new StringBuilder();
        foreach (PatternEntry entry in _entries)
        {
            if (entry.Dimensions == 0)
            {
                yield return entry.Chunks[0];
                continue;
            }
            foreach (RangeSet[] vector in entry.Vectors)
            {
                foreach (Int128[] point in PatternVectors.Product(vector))
                {
                    builder.Clear();
                    builder.Append(entry.Chunks[0]);
                    for (int d = 0; d < point.Length; d++)
                        builder.Append(RangeSet.MemberString(point[d])).Append(entry.Chunks[d + 1]);
                    yield return builder.ToString();
                }
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>ClusterShell's canonical folded string (autostep off).</summary>
    public override string ToString() => _text ??= Render();

    private string Render()
    {
        var builder = new StringBuilder();
        foreach (PatternEntry entry in _entries)
        {
            foreach (RangeSet[] vector in entry.Vectors)
            {
                if (builder.Length > 0)
                    builder.Append(',');
                builder.Append(entry.Chunks[0]);
                for (int d = 0; d < vector.Length; d++)
                {
                    if (vector[d].Count == 1)
                        builder.Append(vector[d].First);
                    else
                    {
                        builder.Append('[');
                        vector[d].AppendTo(builder);
                        builder.Append(']');
                    }
                    builder.Append(entry.Chunks[d + 1]);
                }
            }
        }
        return builder.ToString();
    }

    public bool Equals(NodeSet? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other.Count != Count) return false;
        return IsSupersetOf(other);
    }

    public override bool Equals(object? obj) => obj is NodeSet other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Count, _entries.Length);

    private PatternEntry? Find(string key)
    {
        int lo = 0, hi = _entries.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = string.CompareOrdinal(_entries[mid].Key, key);
            if (c == 0) return _entries[mid];
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return null;
    }

    /// <summary>One pattern (<c>node%s-ib%s</c>) and its folded vectors.</summary>
    internal sealed class PatternEntry
    {
        public PatternEntry(string key, string[] chunks, RangeSet[][] vectors)
        {
            Key = key;
            Chunks = chunks;
            Vectors = vectors;
            // Saturates at long.MaxValue: a[0-999999]b[0-999999]c[0-999999]d[0-9] must read as huge, never wrap.
            Int128 count = 0;
            foreach (RangeSet[] vector in vectors)
            {
                Int128 product = 1;
                foreach (RangeSet r in vector)
                    product = Int128.Min(product * r.Count, long.MaxValue);
                count = Int128.Min(count + product, long.MaxValue);
            }
            Count = (long)count;
        }

        /// <summary>Ordinal sort key: literal text with '%' doubled, "%s" per dimension (upstream's order).</summary>
        public string Key { get; }

        /// <summary>The literal text around the dimensions (Dimensions + 1 pieces).</summary>
        public string[] Chunks { get; }

        public int Dimensions => Chunks.Length - 1;

        public RangeSet[][] Vectors { get; }

        public long Count { get; }
    }

    /// <summary>Accumulates unions cheaply (vectors appended per pattern) and folds once in <see cref="Build"/>.</summary>
    internal sealed class Builder
    {
        private readonly Dictionary<string, (string[] Chunks, List<RangeSet[]> Vectors)> _patterns = new(StringComparer.Ordinal);

        public void Add(string key, string[] chunks, RangeSet[] vector)
        {
            if (!_patterns.TryGetValue(key, out var pattern))
                _patterns[key] = pattern = (chunks, new List<RangeSet[]>());
            pattern.Vectors.Add(vector);
        }

        public void Add(PatternEntry entry)
        {
            foreach (RangeSet[] vector in entry.Vectors)
                Add(entry.Key, entry.Chunks, vector);
        }

        public void Add(NodeSet set)
        {
            foreach (PatternEntry entry in set._entries)
                Add(entry);
        }

        public bool IsEmpty => _patterns.Count == 0;

        public NodeSet Build()
        {
            if (_patterns.Count == 0)
                return Empty;
            var entries = new List<PatternEntry>(_patterns.Count);
            foreach ((string key, (string[] chunks, List<RangeSet[]> vectors)) in _patterns)
            {
                RangeSet[][] folded = PatternVectors.Fold(vectors, chunks.Length - 1);
                if (folded.Length > 0)
                    entries.Add(new PatternEntry(key, chunks, folded));
            }
            entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return entries.Count == 0 ? Empty : new NodeSet(entries.ToArray());
        }
    }
}
