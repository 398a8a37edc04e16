using System.Globalization;
using System.Text;

namespace MilkCheck.NodeSets;

/// <summary>
/// An immutable one-dimensional set of indices with ClusterShell 1.9 semantics: members are strings, so
/// <c>7</c>, <c>07</c> and <c>007</c> are distinct. Stored as sorted, maximal intervals over a single ordered
/// key space, so large ranges are never expanded.
/// </summary>
/// <remarks>
/// A member is (class, value): class 0 holds negative numbers, class L ≥ 1 holds the digit strings of length L
/// (value &lt; 10^L, zero-filled). The key packs class in the high 64 bits and the value (sign-flipped) in the
/// low 64 bits, so key order is exactly ClusterShell's member order (negatives by value, then by length, then
/// lexicographic) and two members are adjacent in one interval only when they are consecutive in one class.
/// </remarks>
internal sealed class RangeSet : IEquatable<RangeSet>
{
    /// <summary>Largest supported number (18 digits); upstream allows up to 1e100 (see docs/compatibility.md).</summary>
    internal const long MaxValue = 999_999_999_999_999_999;

    /// <summary>A single range spanning this many values or more is rejected, as upstream.</summary>
    internal const long MaxRangeSpan = 1_000_000_000;

    private static readonly long[] PowersOfTen = BuildPowers();

    public static readonly RangeSet Empty = new(Array.Empty<Interval>());

    private readonly Interval[] _intervals;
    private long _count = -1;

    private RangeSet(Interval[] intervals) => _intervals = intervals;

    internal readonly record struct Interval(Int128 Low, Int128 High);

    internal ReadOnlySpan<Interval> Intervals => _intervals;

    public bool IsEmpty => _intervals.Length == 0;

    public long Count
    {
        get
        {
            if (_count < 0)
            {
                Int128 total = 0; // saturates at long.MaxValue: bounds may be wider than a long
                foreach (Interval interval in _intervals)
                    total = Int128.Min(total + interval.High - interval.Low + 1, long.MaxValue);
                _count = (long)total;
            }
            return _count;
        }
    }

    // ---- keys ---------------------------------------------------------------------------------------

    internal static Int128 Key(int cls, long value) =>
        ((Int128)cls << 64) | (Int128)(ulong)(value ^ long.MinValue);

    internal static int ClassOf(Int128 key) => (int)(key >> 64);

    internal static long ValueOf(Int128 key) => (long)((ulong)(key & ulong.MaxValue) ^ 0x8000000000000000UL);

    internal static string MemberString(Int128 key)
    {
        int cls = ClassOf(key);
        long value = ValueOf(key);
        string digits = value.ToString(CultureInfo.InvariantCulture);
        return cls == 0 || digits.Length >= cls ? digits : digits.PadLeft(cls, '0');
    }

    /// <summary>True when the member is written without padding (so it may chain across lengths: 9,10 → 9-10).</summary>
    private static bool IsUnpadded(Int128 key)
    {
        int cls = ClassOf(key);
        return cls <= 1 || ValueOf(key) >= PowersOfTen[cls - 1];
    }

    /// <summary>The natural (unpadded) key of a number.</summary>
    private static Int128 NaturalKey(long value) => Key(value < 0 ? 0 : DigitCount(value), value);

    private static int DigitCount(long value)
    {
        int digits = 1;
        while (digits < PowersOfTen.Length && value >= PowersOfTen[digits])
            digits++;
        return digits;
    }

    private static long[] BuildPowers()
    {
        var powers = new long[19];
        powers[0] = 1;
        for (int i = 1; i < powers.Length; i++)
            powers[i] = powers[i - 1] * 10;
        return powers;
    }

    // ---- construction -------------------------------------------------------------------------------

    /// <summary>Builds from arbitrary (possibly overlapping, unsorted) intervals.</summary>
    internal static RangeSet FromIntervals(List<Interval> intervals)
    {
        if (intervals.Count == 0)
            return Empty;
        intervals.Sort((a, b) => a.Low.CompareTo(b.Low));
        var merged = new List<Interval>(intervals.Count);
        Interval current = intervals[0];
        for (int i = 1; i < intervals.Count; i++)
        {
            Interval next = intervals[i];
            if (next.Low <= current.High + 1)
            {
                if (next.High > current.High)
                    current = current with { High = next.High };
            }
            else
            {
                merged.Add(current);
                current = next;
            }
        }
        merged.Add(current);
        return new RangeSet(merged.ToArray());
    }

    internal static RangeSet Single(Int128 key) => new(new[] { new Interval(key, key) });

    /// <summary>Parses a member string (digits, optionally negative) as it appears in a name.</summary>
    internal static bool TryMemberKey(string text, out Int128 key)
    {
        key = default;
        bool negative = text.StartsWith('-');
        string digits = negative ? text[1..] : text;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
            return false;
        if (!TryParseValue(digits, out long value))
            return false;
        if (negative)
        {
            if (digits.Length > 1 && digits[0] == '0')
                return false;
            key = value == 0 ? Key(1, 0) : Key(0, -value);
            return true;
        }
        key = Key(digits.Length, value);
        return true;
    }

    private static bool TryParseValue(string digits, out long value)
    {
        string significant = digits.TrimStart('0');
        if (significant.Length > 18)
        {
            value = 0;
            return false;
        }
        value = significant.Length == 0 ? 0 : long.Parse(significant, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>
    /// Parses range set text (the inside of brackets): <c>1-5,7,10-20/2</c>, with whitespace around
    /// separators. Errors are <see cref="RangeSetSyntaxException"/> with an offset into <paramref name="text"/>.
    /// </summary>
    internal static RangeSet Parse(string text) => Parse(text, string.Empty, string.Empty);

    /// <summary>
    /// Parses range set text with the digits that stood right before (<paramref name="prefix"/>) and right after
    /// (<paramref name="suffix"/>) its brackets: the prefix is glued to the bounds of each contiguous run
    /// (<c>0[7-9,10]</c> is the run <c>07-010</c>, a padding error), the suffix to every member.
    /// </summary>
    internal static RangeSet Parse(string text, string prefix, string suffix)
    {
        var intervals = new List<Interval>();
        bool stepped = false;
        int offset = 0;
        foreach (string part in text.Split(','))
        {
            ParseSubrange(part, offset, intervals, ref stepped);
            offset += part.Length + 1;
        }
        RangeSet set = FromIntervals(intervals);
        if (prefix.Length == 0 && suffix.Length == 0)
            return set;
        if (suffix.Length > 0 && stepped)
            throw new RangeSetSyntaxException(0, "digits after ']' cannot be combined with a /step", rangeError: false);

        if (prefix.Length > 0)
        {
            var prefixed = new List<Interval>();
            bool ignored = false;
            foreach ((Int128 first, Int128 last) in set.Runs())
            {
                string run = first == last
                    ? prefix + MemberString(first)
                    : prefix + MemberString(first) + "-" + prefix + MemberString(last);
                ParseSubrange(run, 0, prefixed, ref ignored);
            }
            set = FromIntervals(prefixed);
        }
        if (suffix.Length > 0)
        {
            var suffixed = new List<Interval>();
            foreach (Int128 key in set.Members())
            {
                string member = MemberString(key) + suffix;
                if (!TryMemberKey(member, out Int128 suffixedKey))
                    throw new RangeSetSyntaxException(0, $"number '{member}' is too large (at most 18 digits)");
                suffixed.Add(new Interval(suffixedKey, suffixedKey));
            }
            set = FromIntervals(suffixed);
        }
        return set;
    }

    private static void ParseSubrange(string raw, int offset, List<Interval> output, ref bool stepped)
    {
        string part = raw.Trim();
        int at = offset + (raw.Length - raw.TrimStart().Length);
        if (part.Length == 0)
            throw new RangeSetSyntaxException(offset, "empty range");

        long step = 1;
        bool hasStep = false;
        int slash = part.IndexOf('/');
        string range = part;
        if (slash >= 0)
        {
            string stepText = part[(slash + 1)..].Trim();
            if (stepText.Length == 0 || !stepText.All(char.IsAsciiDigit) || !TryParseValue(stepText, out step) || step < 1)
                throw new RangeSetSyntaxException(at + slash + 1, $"invalid step '{part[(slash + 1)..]}' (a positive integer is expected)");
            range = part[..slash].TrimEnd();
            hasStep = true;
        }

        var reader = new BoundReader(range, at);
        (string beginText, long begin, bool beginNegative) = reader.ReadBound();
        reader.SkipSpaces();
        string endText = beginText;
        long end = begin;
        bool single = reader.AtEnd;
        if (!single)
        {
            reader.Expect('-');
            reader.SkipSpaces();
            (endText, end, _) = reader.ReadBound();
            reader.SkipSpaces();
            if (!reader.AtEnd)
                throw new RangeSetSyntaxException(reader.Position, $"unexpected '{range[reader.Index]}' in range '{part}'");
        }

        if (single && hasStep && !beginNegative)
            throw new RangeSetSyntaxException(at, $"a step needs a range, not the single value '{part}'");
        if (single && hasStep)
            hasStep = false; // upstream quirk: "-3/2" is accepted and means -3

        bool beginPadded = IsPaddedText(beginText);
        bool endPadded = IsPaddedText(endText);
        if ((beginPadded || endPadded) && (begin < 0 || end < 0))
            throw new RangeSetSyntaxException(at, $"negative numbers cannot be zero-padded in '{part}'");
        if ((beginPadded || endPadded) && beginText.Length != endText.Length)
            throw new RangeSetSyntaxException(at, $"padding mismatch in '{part}': padded bounds must have the same length");
        if (begin > end)
            throw new RangeSetSyntaxException(at, $"reversed range '{part}' (the start is greater than the end)");
        if ((Int128)end - begin + 1 >= MaxRangeSpan)
            throw new RangeSetSyntaxException(at, $"range '{part}' is too large (a range must span fewer than 1e9 values)");
        if (hasStep)
            stepped = true;

        int width = beginPadded ? beginText.Length : 0;
        if (step == 1)
        {
            if (width > 0)
            {
                output.Add(new Interval(Key(width, begin), Key(width, end)));
                return;
            }
            AddNatural(begin, end, output);
            return;
        }
        for (long value = begin; value <= end; value += step)
        {
            Int128 key = width > 0 ? Key(width, value) : NaturalKey(value);
            output.Add(new Interval(key, key));
            if (end - value < step)
                break;
        }
    }

    /// <summary>Adds the unpadded values begin..end, one interval per class they cross.</summary>
    private static void AddNatural(long begin, long end, List<Interval> output)
    {
        long value = begin;
        while (value <= end)
        {
            long classEnd;
            if (value < 0)
                classEnd = Math.Min(end, -1);
            else
            {
                int digits = DigitCount(value);
                classEnd = digits >= 18 ? end : Math.Min(end, PowersOfTen[digits] - 1);
            }
            output.Add(new Interval(NaturalKey(value), NaturalKey(classEnd)));
            if (classEnd == end)
                break;
            value = classEnd + 1;
        }
    }

    private static bool IsPaddedText(string bound) => bound.Length > 1 && bound[0] == '0';

    private ref struct BoundReader
    {
        private readonly string _text;
        private readonly int _offset;

        public BoundReader(string text, int offset)
        {
            _text = text;
            _offset = offset;
            Index = 0;
        }

        public int Index { get; private set; }
        public readonly int Position => _offset + Index;
        public readonly bool AtEnd => Index >= _text.Length;

        public void SkipSpaces()
        {
            while (Index < _text.Length && char.IsWhiteSpace(_text[Index]))
                Index++;
        }

        public void Expect(char c)
        {
            if (AtEnd || _text[Index] != c)
            {
                string found = AtEnd ? "end of range" : $"'{_text[Index]}'";
                throw new RangeSetSyntaxException(Position, $"expected '{c}' but found {found} in '{_text}'");
            }
            Index++;
        }

        /// <summary>Reads an optionally negative number; returns its digits as written (with '-').</summary>
        public (string Text, long Value, bool Negative) ReadBound()
        {
            int start = Index;
            bool negative = false;
            if (!AtEnd && _text[Index] == '-')
            {
                negative = true;
                Index++;
            }
            int digitsStart = Index;
            while (!AtEnd && char.IsAsciiDigit(_text[Index]))
                Index++;
            if (Index == digitsStart)
            {
                string found = AtEnd ? "nothing" : $"'{_text[Index]}'";
                throw new RangeSetSyntaxException(Position, $"expected a number but found {found} in '{_text}'");
            }
            string digits = _text[digitsStart..Index];
            if (!TryParseValue(digits, out long value))
                throw new RangeSetSyntaxException(_offset + start, $"number '{digits}' is too large (at most 18 digits)");
            if (negative && digits.Length > 1 && digits[0] == '0')
                throw new RangeSetSyntaxException(_offset + start, $"negative numbers cannot be zero-padded ('-{digits}')");
            return (negative ? "-" + digits : digits, negative ? -value : value, negative);
        }
    }

    // ---- set algebra (merges of sorted interval lists) ---------------------------------------------

    public RangeSet Union(RangeSet other)
    {
        if (other.IsEmpty) return this;
        if (IsEmpty) return other;
        // Linear merge of two sorted lists: n-D folding unions a growing set with single points 100,000s of times.
        var merged = new Interval[_intervals.Length + other._intervals.Length];
        int count = 0, i = 0, j = 0;
        while (i < _intervals.Length || j < other._intervals.Length)
        {
            Interval next = j >= other._intervals.Length || (i < _intervals.Length && _intervals[i].Low <= other._intervals[j].Low)
                ? _intervals[i++]
                : other._intervals[j++];
            if (count > 0 && next.Low <= merged[count - 1].High + 1)
            {
                if (next.High > merged[count - 1].High)
                    merged[count - 1] = merged[count - 1] with { High = next.High };
            }
            else
            {
                merged[count++] = next;
            }
        }
        if (count < merged.Length)
            Array.Resize(ref merged, count);
        return new RangeSet(merged);
    }

    public RangeSet Intersect(RangeSet other)
    {
        if (IsEmpty || other.IsEmpty) return Empty;
        var result = new List<Interval>();
        int i = 0, j = 0;
        while (i < _intervals.Length && j < other._intervals.Length)
        {
            Interval a = _intervals[i], b = other._intervals[j];
            Int128 low = a.Low > b.Low ? a.Low : b.Low;
            Int128 high = a.High < b.High ? a.High : b.High;
            if (low <= high)
                result.Add(new Interval(low, high));
            if (a.High < b.High) i++; else j++;
        }
        return result.Count == 0 ? Empty : new RangeSet(result.ToArray());
    }

    public RangeSet Except(RangeSet other)
    {
        if (IsEmpty || other.IsEmpty) return this;
        var result = new List<Interval>();
        int j = 0;
        foreach (Interval interval in _intervals)
        {
            Int128 low = interval.Low;
            while (j < other._intervals.Length && other._intervals[j].High < low)
                j++;
            int k = j;
            while (k < other._intervals.Length && other._intervals[k].Low <= interval.High)
            {
                Interval cut = other._intervals[k];
                if (cut.Low > low)
                    result.Add(new Interval(low, cut.Low - 1));
                if (cut.High >= low)
                    low = cut.High + 1;
                if (low > interval.High)
                    break;
                k++;
            }
            if (low <= interval.High)
                result.Add(new Interval(low, interval.High));
        }
        return result.Count == 0 ? Empty : new RangeSet(result.ToArray());
    }

    public RangeSet SymmetricExcept(RangeSet other) => Except(other).Union(other.Except(this));

    /// <summary>True when the two sets share a member; allocates nothing.</summary>
    public bool Overlaps(RangeSet other)
    {
        int i = 0, j = 0;
        while (i < _intervals.Length && j < other._intervals.Length)
        {
            Interval a = _intervals[i], b = other._intervals[j];
            if (a.High < b.Low) i++;
            else if (b.High < a.Low) j++;
            else return true;
        }
        return false;
    }

    /// <summary>True when every member of <paramref name="other"/> is in this set; allocates nothing.</summary>
    public bool IsSupersetOf(RangeSet other)
    {
        int i = 0;
        foreach (Interval b in other._intervals)
        {
            while (i < _intervals.Length && _intervals[i].High < b.Low)
                i++;
            if (i == _intervals.Length || _intervals[i].Low > b.Low || _intervals[i].High < b.High)
                return false;
        }
        return true;
    }

    public bool Contains(Int128 key)
    {
        int lo = 0, hi = _intervals.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_intervals[mid].High < key) lo = mid + 1;
            else if (_intervals[mid].Low > key) hi = mid - 1;
            else return true;
        }
        return false;
    }

    public bool Equals(RangeSet? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other._intervals.Length != _intervals.Length) return false;
        for (int i = 0; i < _intervals.Length; i++)
            if (_intervals[i] != other._intervals[i])
                return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is RangeSet other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (Interval interval in _intervals)
            hash.Add(interval);
        return hash.ToHashCode();
    }

    // ---- reading ------------------------------------------------------------------------------------

    public Int128 FirstKey => _intervals[0].Low;

    public Int128 LastKey => _intervals[^1].High;

    private string? _first;
    private string? _last;

    /// <summary>First member in ClusterShell order, as a string (cached: the n-D sort compares it often).</summary>
    public string First => _first ??= MemberString(FirstKey);

    /// <summary>Last member in ClusterShell order, as a string.</summary>
    public string Last => _last ??= MemberString(LastKey);

    /// <summary>Members in ClusterShell order.</summary>
    public IEnumerable<Int128> Members()
    {
        foreach (Interval interval in _intervals)
            for (Int128 key = interval.Low; key <= interval.High; key++)
                yield return key;
    }

    public IEnumerable<string> MemberStrings() => Members().Select(MemberString);

    /// <summary>
    /// The runs of the canonical string (autostep off): consecutive members of one padding class. A run that
    /// starts padded stays within its length (09-10); an unpadded run continues across lengths (9-10, -1-0).
    /// </summary>
    internal IEnumerable<(Int128 First, Int128 Last)> Runs()
    {
        int i = 0;
        while (i < _intervals.Length)
        {
            Int128 first = _intervals[i].Low;
            Int128 last = _intervals[i].High;
            if (IsUnpadded(first))
            {
                while (i + 1 < _intervals.Length)
                {
                    Int128 next = _intervals[i + 1].Low;
                    if (!IsUnpadded(next) || ValueOf(next) != ValueOf(last) + 1)
                        break;
                    last = _intervals[++i].High;
                }
            }
            yield return (first, last);
            i++;
        }
    }

    /// <summary>Canonical folded text without brackets: <c>1-5,7,09-10</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        AppendTo(builder);
        return builder.ToString();
    }

    internal void AppendTo(StringBuilder builder)
    {
        bool firstRun = true;
        foreach ((Int128 first, Int128 last) in Runs())
        {
            if (!firstRun)
                builder.Append(',');
            firstRun = false;
            builder.Append(MemberString(first));
            if (first != last)
                builder.Append('-').Append(MemberString(last));
        }
    }
}

/// <summary>A range set syntax problem, with an offset into the range text (translated by the node set parser).</summary>
internal sealed class RangeSetSyntaxException : Exception
{
    public RangeSetSyntaxException(int offset, string reason, bool rangeError = true) : base(reason)
    {
        Offset = offset;
        IsRangeError = rangeError;
    }

    public int Offset { get; }

    public bool IsRangeError { get; }
}
