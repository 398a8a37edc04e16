namespace MilkCheck.NodeSets;

/// <summary>
/// n-dimensional folding of the vectors of one pattern (each vector is a cartesian product of range sets),
/// reproducing ClusterShell 1.9's canonical result and order.
/// </summary>
/// <remarks>
/// Upstream folds "univariately" when all vectors differ in one dimension only (one vector, union in that
/// dimension); otherwise it expands to single points and merges them greedily: sort (larger vectors first, then
/// per dimension larger range first, then first and last member as strings), merge a pair that differs in at most
/// one dimension where the ranges are disjoint or one contains the other, cheap passes first (stop at the first
/// pair that does not merge), then full O(n²) passes, until a pass changes nothing. The list of the last pass is
/// sorted, so that is the printed order. Since the multivariate path starts from points, the result depends only
/// on the set of points, which lets our set operations split vectors however they like.
/// </remarks>
internal static class PatternVectors
{
    public static RangeSet[][] Fold(List<RangeSet[]> input, int dimensions)
    {
        var vectors = new List<RangeSet[]>(input.Count);
        foreach (RangeSet[] vector in input)
            if (Array.TrueForAll(vector, r => !r.IsEmpty))
                vectors.Add(vector);
        if (vectors.Count == 0)
            return Array.Empty<RangeSet[]>();
        if (dimensions == 0)
            return new[] { Array.Empty<RangeSet>() };
        if (vectors.Count == 1)
            return new[] { vectors[0] };
        if (dimensions == 1)
            return new[] { new[] { UnionAll(vectors, 0) } };

        int varying = -1;
        int differing = 0;
        for (int d = 0; d < dimensions && differing <= 1; d++)
        {
            RangeSet reference = vectors[0][d];
            for (int i = 1; i < vectors.Count; i++)
            {
                if (!vectors[i][d].Equals(reference))
                {
                    differing++;
                    varying = d;
                    break;
                }
            }
        }
        if (differing == 1)
        {
            var merged = (RangeSet[])vectors[0].Clone();
            merged[varying] = UnionAll(vectors, varying);
            return new[] { merged };
        }
        return MergeMultivariate(ExpandPoints(vectors, dimensions));
    }

    private static RangeSet UnionAll(List<RangeSet[]> vectors, int dimension)
    {
        var intervals = new List<RangeSet.Interval>();
        foreach (RangeSet[] vector in vectors)
            intervals.AddRange(vector[dimension].Intervals);
        return RangeSet.FromIntervals(intervals);
    }

    private static List<RangeSet[]> ExpandPoints(List<RangeSet[]> vectors, int dimensions)
    {
        var seen = new HashSet<PointKey>();
        var points = new List<RangeSet[]>();
        var singles = new Dictionary<Int128, RangeSet>();
        foreach (RangeSet[] vector in vectors)
        {
            foreach (Int128[] point in Product(vector))
            {
                if (!seen.Add(new PointKey(point)))
                    continue;
                var single = new RangeSet[dimensions];
                for (int d = 0; d < dimensions; d++)
                {
                    if (!singles.TryGetValue(point[d], out RangeSet? set))
                        singles[point[d]] = set = RangeSet.Single(point[d]);
                    single[d] = set;
                }
                points.Add(single);
            }
        }
        return points;
    }

    /// <summary>Cartesian product of a vector, last dimension varying fastest (ClusterShell's order).</summary>
    public static IEnumerable<Int128[]> Product(RangeSet[] vector)
    {
        int n = vector.Length;
        var enumerators = new IEnumerator<Int128>[n];
        var current = new Int128[n];
        for (int d = 0; d < n; d++)
        {
            enumerators[d] = vector[d].Members().GetEnumerator();
            if (!enumerators[d].MoveNext())
                yield break;
            current[d] = enumerators[d].Current;
        }
        while (true)
        {
            yield return (Int128[])current.Clone();
            int d = n - 1;
            while (d >= 0)
            {
                if (enumerators[d].MoveNext())
                {
                    current[d] = enumerators[d].Current;
                    break;
                }
                enumerators[d] = vector[d].Members().GetEnumerator();
                enumerators[d].MoveNext();
                current[d] = enumerators[d].Current;
                d--;
            }
            if (d < 0)
                yield break;
        }
    }

    private static RangeSet[][] MergeMultivariate(List<RangeSet[]> vectors)
    {
        bool full = false;
        bool changed = true;
        RangeSet[]?[] list = vectors.ToArray();
        while (changed)
        {
            changed = false;
            list = SortAlive(list);
            for (int index1 = 0; index1 + 1 < list.Length; index1++)
            {
                RangeSet[]? item1 = list[index1];
                if (item1 is null)
                    continue;
                for (int index2 = index1 + 1; index2 < list.Length; index2++)
                {
                    RangeSet[]? item2 = list[index2];
                    if (item2 is null)
                        continue;
                    RangeSet[]? merged = TryMerge(item1, item2);
                    if (merged is not null)
                    {
                        changed = true;
                        list[index1] = item1 = merged;
                        list[index2] = null; // removed: later items keep their relative order
                    }
                    else if (!full)
                    {
                        break; // cheap pass: try the next item1
                    }
                }
            }
            if (!changed && !full)
            {
                full = true;
                changed = true;
            }
        }
        return SortAlive(list)!;
    }

    private static RangeSet[]? TryMerge(RangeSet[] item1, RangeSet[] item2)
    {
        int position = -1;
        RangeSet? replacement = null;
        for (int d = 0; d < item1.Length; d++)
        {
            RangeSet a = item1[d], b = item2[d];
            if (a.Equals(b))
                continue;
            if (position >= 0)
                return null;
            if (!a.Overlaps(b))
                replacement = a.Union(b);
            else if (a.Count > b.Count && a.IsSupersetOf(b))
                replacement = a;
            else if (b.Count > a.Count && b.IsSupersetOf(a))
                replacement = b;
            else
                return null;
            position = d;
        }
        if (position < 0)
            return item1;
        var merged = (RangeSet[])item1.Clone();
        merged[position] = replacement!;
        return merged;
    }

    /// <summary>Stable sort of the live items by ClusterShell's vector key.</summary>
    private static RangeSet[]?[] SortAlive(RangeSet[]?[] list)
    {
        var alive = new List<(RangeSet[] Vector, Int128 Size, int Index)>(list.Length);
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i] is { } vector)
            {
                Int128 size = 1;
                foreach (RangeSet r in vector)
                    size *= r.Count;
                alive.Add((vector, size, i));
            }
        }
        alive.Sort(static (x, y) =>
        {
            int c = y.Size.CompareTo(x.Size);
            if (c != 0) return c;
            for (int d = 0; d < x.Vector.Length; d++)
            {
                RangeSet a = x.Vector[d], b = y.Vector[d];
                c = b.Count.CompareTo(a.Count);
                if (c != 0) return c;
                c = string.CompareOrdinal(a.First, b.First);
                if (c != 0) return c;
                c = string.CompareOrdinal(a.Last, b.Last);
                if (c != 0) return c;
            }
            return x.Index.CompareTo(y.Index); // Python's sort is stable
        });
        var result = new RangeSet[]?[alive.Count];
        for (int i = 0; i < alive.Count; i++)
            result[i] = alive[i].Vector;
        return result;
    }

    /// <summary>a − b as disjoint vectors (any split is fine: folding works from points).</summary>
    public static IEnumerable<RangeSet[]> Subtract(RangeSet[] a, RangeSet[] b)
    {
        for (int d = 0; d < a.Length; d++)
        {
            if (!a[d].Overlaps(b[d]))
            {
                yield return a;
                yield break;
            }
        }
        for (int d = 0; d < a.Length; d++)
        {
            RangeSet rest = a[d].Except(b[d]);
            if (rest.IsEmpty)
                continue;
            var piece = new RangeSet[a.Length];
            for (int e = 0; e < d; e++)
                piece[e] = a[e].Intersect(b[e]);
            piece[d] = rest;
            for (int e = d + 1; e < a.Length; e++)
                piece[e] = a[e];
            yield return piece;
        }
    }

    public static RangeSet[]? Intersect(RangeSet[] a, RangeSet[] b)
    {
        var result = new RangeSet[a.Length];
        for (int d = 0; d < a.Length; d++)
        {
            result[d] = a[d].Intersect(b[d]);
            if (result[d].IsEmpty)
                return null;
        }
        return result;
    }

    private readonly struct PointKey : IEquatable<PointKey>
    {
        private readonly Int128[] _point;
        private readonly int _hash;

        public PointKey(Int128[] point)
        {
            _point = point;
            var hash = new HashCode();
            foreach (Int128 key in point)
                hash.Add(key);
            _hash = hash.ToHashCode();
        }

        public bool Equals(PointKey other) => _point.AsSpan().SequenceEqual(other._point);
        public override bool Equals(object? obj) => obj is PointKey other && Equals(other);
        public override int GetHashCode() => _hash;
    }
}
