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

    /// <summary>Every vector as single points (duplicates are dropped by the first sort).</summary>
    private static List<RangeSet[]> ExpandPoints(List<RangeSet[]> vectors, int dimensions)
    {
        var points = new List<RangeSet[]>();
        var singles = new Dictionary<Int128, RangeSet>();
        foreach (RangeSet[] vector in vectors)
        {
            if (Array.TrueForAll(vector, r => r.Count == 1))
            {
                points.Add(vector); // already a point: the usual case when folding a list of names
                continue;
            }
            foreach (Int128[] point in Product(vector))
            {
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
        bool first = true;
        while (changed)
        {
            changed = false;
            list = SortAlive(list, dropDuplicatePoints: first);
            first = false;
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
        return SortAlive(list, dropDuplicatePoints: false)!;
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
    /// <remarks>
    /// The key compares first/last members as strings; to keep 100,000-point sorts cheap each distinct string is
    /// ranked once (ordinal) and the sort compares flat arrays of integers.
    /// </remarks>
    /// <param name="dropDuplicatePoints">Only for single points, whose keys identify them: upstream folds a
    /// set of unique points.</param>
    private static RangeSet[]?[] SortAlive(RangeSet[]?[] list, bool dropDuplicatePoints)
    {
        var alive = new List<RangeSet[]>(list.Length);
        foreach (RangeSet[]? vector in list)
            if (vector is not null)
                alive.Add(vector);
        if (alive.Count < 2)
            return alive.ToArray();

        int dimensions = alive[0].Length;
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (RangeSet[] vector in alive)
            foreach (RangeSet r in vector)
            {
                distinct.Add(r.First);
                distinct.Add(r.Last);
            }
        string[] ordered = distinct.ToArray();
        Array.Sort(ordered, StringComparer.Ordinal);
        var rank = new Dictionary<string, int>(ordered.Length, StringComparer.Ordinal);
        for (int i = 0; i < ordered.Length; i++)
            rank[ordered[i]] = i;

        int stride = 1 + 3 * dimensions;
        var keys = new long[alive.Count * stride];
        for (int i = 0; i < alive.Count; i++)
        {
            int at = i * stride;
            long size = 1;
            for (int d = 0; d < dimensions; d++)
            {
                RangeSet r = alive[i][d];
                size = unchecked(size * r.Count);
                keys[at + 1 + 3 * d] = -r.Count;
                keys[at + 2 + 3 * d] = rank[r.First];
                keys[at + 3 + 3 * d] = rank[r.Last];
            }
            keys[at] = -size;
        }
        var order = new int[alive.Count];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        Array.Sort(order, (x, y) =>
        {
            ReadOnlySpan<long> a = keys.AsSpan(x * stride, stride), b = keys.AsSpan(y * stride, stride);
            int c = a.SequenceCompareTo(b);
            return c != 0 ? c : x.CompareTo(y); // Python's sort is stable
        });
        var result = new List<RangeSet[]?>(alive.Count);
        for (int i = 0; i < order.Length; i++)
        {
            if (dropDuplicatePoints && i > 0 &&
                keys.AsSpan(order[i] * stride, stride).SequenceEqual(keys.AsSpan(order[i - 1] * stride, stride)))
                continue;
            result.Add(alive[order[i]]);
        }
        return result.ToArray();
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
}
