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

    /// <summary>Most members a stepped range may have (each is stored on its own).</summary>
    private const long MaxSteppedMembers = 1_000_000;

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
    /// (<paramref name="suffix"/>) its brackets. As in ClusterShell both are glued on as text, so the usual checks
    /// (padding, numbers) apply to the glued bounds:
    /// <list type="bullet">
    /// <item>the suffix is appended to every bound of every subrange as written, and a range gets the step
    /// 10^(suffix length): <c>[1-10]0</c> reads <c>10-100/10</c>, <c>[0-10]0</c> reads <c>00-100/10</c> (a padding
    /// mismatch), <c>[30-43 ]2</c> reads <c>302-43 2/10</c> (not a number);</item>
    /// <item>then the prefix is put before both bounds of each run of the folded set: <c>0[7-9,10]</c> reads
    /// <c>07-010</c> (a padding mismatch), <c>0[00,98-101]</c> reads <c>000,098-099,0100-0101</c>.</item>
    /// </list>
    /// </summary>
    internal static RangeSet Parse(string text, string prefix, string suffix)
    {
        if (suffix.Length > 0 && text.IndexOf('/') is int slash and >= 0)
            throw new RangeSetSyntaxException(slash, "digits after ']' cannot be combined with a /step", rangeError: false);

        var intervals = new List<Interval>();
        int offset = 0;
        foreach (string part in text.Split(','))
        {
            if (suffix.Length == 0)
                ParseSubrange(part, offset, intervals);
            else
                ParseWithSuffix(part, offset, suffix, intervals);
            offset += part.Length + 1;
        }
        RangeSet set = FromIntervals(intervals);
        if (prefix.Length == 0)
            return set;

        var prefixed = new List<Interval>();
        foreach ((Int128 first, Int128 last) in set.Runs())
        {
            string run = first == last ? MemberString(first) : MemberString(first) + "-" + MemberString(last);
            string glued = prefix + run.Replace("-", "-" + prefix, StringComparison.Ordinal);
            try
            {
                ParseSubrange(glued, 0, prefixed);
            }
            catch (RangeSetSyntaxException e)
            {
                // Point at the prefix digits (just before '['): the glued text appears nowhere in the input.
                throw new RangeSetSyntaxException(-1 - prefix.Length,
                    $"{e.Message}; the digits before '[' are put before each bound, so '{run}' reads '{glued}'", e.IsRangeError);
            }
        }
        return FromIntervals(prefixed);
    }

    /// <summary>Parses one subrange with the suffix digits appended to each of its bounds (see <see cref="Parse(string, string, string)"/>).</summary>
    private static void ParseWithSuffix(string part, int offset, string suffix, List<Interval> output)
    {
        // Build the glued text and, for error positions, where each of its characters comes from in the input.
        var glued = new StringBuilder(part.Length + 4 * suffix.Length);
        var origin = new List<int>(part.Length + 4 * suffix.Length);
        string[] bounds = part.Split('-');
        int position = offset;
        for (int i = 0; i < bounds.Length; i++)
        {
            if (i > 0)
            {
                glued.Append('-');
                origin.Add(position++);
            }
            foreach (char c in bounds[i])
            {
                glued.Append(c);
                origin.Add(position++);
            }
            // The suffix digits stand where the bound ends (on the '-', ',' or ']' that follows it).
            glued.Append(suffix);
            origin.AddRange(Enumerable.Repeat(position, suffix.Length));
        }
        if (bounds.Length > 1)
        {
            string step = "/1" + new string('0', suffix.Length);
            glued.Append(step);
            origin.AddRange(Enumerable.Repeat(position, step.Length));
        }

        string text = glued.ToString();
        try
        {
            ParseSubrange(text, 0, output);
        }
        catch (RangeSetSyntaxException e)
        {
            int at = origin[Math.Clamp(e.Offset, 0, origin.Count - 1)];
            throw new RangeSetSyntaxException(at,
                $"{e.Message}; the digits after ']' are appended to each bound, so '{part}' reads '{text}'", e.IsRangeError);
        }
    }

    /// <summary>
    /// Parses one subrange as ClusterShell does: <c>a</c>, <c>a-b</c>, <c>a-b/step</c>, and with negative numbers
    /// <c>-a</c>, <c>-a-b</c>, <c>-a--b</c> (split at every '-': with three parts the first is ignored and the begin
    /// is negative, with four parts the first and third are ignored and both bounds are negative).
    /// </summary>
    private static void ParseSubrange(string raw, int offset, List<Interval> output)
    {
        string part = raw.Trim();
        int at = offset + (raw.Length - raw.TrimStart().Length);
        if (part.Length == 0)
            throw new RangeSetSyntaxException(offset, "empty range");

        long step = 1;
        string baseRange = part;
        int slash = part.IndexOf('/');
        if (slash >= 0)
        {
            string stepText = part[(slash + 1)..].Trim();
            if (stepText.Length == 0 || !stepText.All(char.IsAsciiDigit) || !TryParseValue(stepText, out step) || step < 1)
                throw new RangeSetSyntaxException(at + slash + 1, $"invalid step '{part[(slash + 1)..]}' (a positive integer is expected)");
            baseRange = part[..slash];
        }

        (string Text, int At) begin, end;
        bool beginNegative = false, endNegative = false;
        if (!baseRange.Contains('-'))
        {
            if (step != 1)
                throw new RangeSetSyntaxException(at, $"a step needs a range, not the single value '{part}'");
            begin = end = (baseRange, at);
        }
        else
        {
            var pieces = new List<(string Text, int At)>(4);
            int start = 0;
            while (true)
            {
                int dash = baseRange.IndexOf('-', start);
                if (dash < 0)
                {
                    pieces.Add((baseRange[start..], at + start));
                    break;
                }
                if (pieces.Count == 3)
                    throw new RangeSetSyntaxException(at + dash, $"too many '-' in range '{part}'");
                pieces.Add((baseRange[start..dash], at + start));
                start = dash + 1;
            }
            switch (pieces.Count)
            {
                case 2 when pieces[0].Text.Trim().Length == 0: // -5
                    begin = end = pieces[1];
                    beginNegative = endNegative = true;
                    break;
                case 2: // 1-5
                    (begin, end) = (pieces[0], pieces[1]);
                    break;
                case 3: // -1-5
                    (begin, end) = (pieces[1], pieces[2]);
                    beginNegative = true;
                    break;
                default: // -5--1
                    (begin, end) = (pieces[1], pieces[3]);
                    beginNegative = endNegative = true;
                    break;
            }
        }

        (string beginText, long beginValue) = ReadNumber(begin.Text, begin.At, part);
        (string endText, long endValue) = ReadNumber(end.Text, end.At, part);

        // Padding as upstream computes it: a begin with a leading zero ("00" too) pads to its length; an end
        // pads only when it is a non-zero number with leading zeros, so "0-00" is the unpadded range 0-0.
        int width = beginText.Length > 1 && beginText[0] == '0' ? beginText.Length : 0;
        bool endPadded = endValue != 0 && endText.Length > 1 && endText[0] == '0';
        if ((width > 0 || endPadded) && beginText.Length != endText.Length)
            throw new RangeSetSyntaxException(at, $"padding mismatch in '{part}': padded bounds must have the same length");
        if (width > 0 && beginNegative)
            throw new RangeSetSyntaxException(at, $"negative numbers cannot be zero-padded in '{part}'");

        long first = beginNegative ? -beginValue : beginValue;
        long last = endNegative ? -endValue : endValue;
        if (first > last)
            throw new RangeSetSyntaxException(at, $"reversed range '{part}' (the start is greater than the end)");
        if ((Int128)last - first + 1 >= MaxRangeSpan)
            throw new RangeSetSyntaxException(at, $"range '{part}' is too large (a range must span fewer than 1e9 values)");

        if (step == 1)
        {
            if (width > 0)
                output.Add(new Interval(Key(width, first), Key(width, last)));
            else
                AddNatural(first, last, output);
            return;
        }
        // Each member of a stepped range is an interval of its own: bound them, or n[1-99999999]0 (ten million
        // members through the digits glued after ']') takes the host's memory.
        if (((Int128)last - first) / step + 1 > MaxSteppedMembers)
            throw new RangeSetSyntaxException(at, $"range '{part}' has too many members for a step (at most {MaxSteppedMembers:N0})");
        for (long value = first; value <= last; value += step)
        {
            Int128 key = width > 0 ? Key(width, value) : NaturalKey(value);
            output.Add(new Interval(key, key));
            if (last - value < step)
                break;
        }
    }

    /// <summary>Reads a bound: ASCII digits, blanks around them ignored. Returns the digits as written and their value.</summary>
    private static (string Digits, long Value) ReadNumber(string raw, int at, string part)
    {
        string digits = raw.Trim();
        int start = at + (raw.Length - raw.TrimStart().Length);
        if (digits.Length == 0)
            throw new RangeSetSyntaxException(at, $"expected a number in '{part}'");
        for (int i = 0; i < digits.Length; i++)
        {
            if (!char.IsAsciiDigit(digits[i]))
                throw new RangeSetSyntaxException(start + i, digits == part ? $"'{digits}' is not a number" : $"'{digits}' is not a number in '{part}'");
        }
        if (!TryParseValue(digits, out long value))
            throw new RangeSetSyntaxException(start, $"number '{digits}' is too large (at most 18 digits)");
        return (digits, value);
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
    /// The runs of the canonical string (autostep off), as ClusterShell 1.9 folds: members are walked in order
    /// and each run has a padding mode taken from the member that opened it.
    /// <list type="bullet">
    /// <item>An unpadded run takes the next unpadded member of any length (9-10, -1-0) and ends at a padded one.</item>
    /// <item>A run opened by a zero-padded member of length L takes the next member of length L, padded or not
    /// (09-10), and ends at a member of another length.</item>
    /// <item>Only consecutive members make a range; members that are not (a lone one, or evenly spaced ones) are
    /// written one by one. When such members are followed by a range, that range continues their run, so it keeps
    /// the run's mode: after a lone <c>05</c>, <c>99-100</c> is written <c>99,100</c> and <c>10-100</c> is written
    /// <c>10-99,100</c>. A range that follows another range opens a run of its own (<c>05-06,10-100</c>).</item>
    /// </list>
    /// The walk visits each interval through at most two members (the rest of a range only extends it), so its
    /// cost is linear in the number of intervals, not of members.
    /// </summary>
    internal List<(Int128 First, Int128 Last)> Runs()
    {
        var folder = new RunFolder(new List<(Int128, Int128)>(_intervals.Length));
        foreach (Interval interval in _intervals)
        {
            int cls = ClassOf(interval.Low);
            long low = ValueOf(interval.Low);
            long high = ValueOf(interval.High);
            long firstUnpadded = cls >= 2 ? PowersOfTen[cls - 1] : long.MinValue;
            if (low < firstUnpadded)
            {
                folder.Add(cls, low, Math.Min(high, firstUnpadded - 1), padded: true);
                if (high >= firstUnpadded)
                    folder.Add(cls, firstUnpadded, high, padded: false);
            }
            else
            {
                folder.Add(cls, low, high, padded: false);
            }
        }
        return folder.Finish();
    }

    /// <summary>ClusterShell's folding state machine (<c>RangeSet._slices_padding</c> with autostep off).</summary>
    private struct RunFolder
    {
        private readonly List<(Int128, Int128)> _runs;
        private bool _started;
        private long _start;
        private long _last;
        private long _step; // 0 while the run has one member
        private bool _padded;
        private int _length;

        public RunFolder(List<(Int128, Int128)> runs) => _runs = runs;

        /// <summary>Adds the consecutive members low..high of one class, all padded or all unpadded.</summary>
        public void Add(int length, long low, long high, bool padded)
        {
            Add(length, low, padded);
            if (high == low)
                return;
            Add(length, low + 1, padded);
            // Every further member is one more than the last: the state machine only moves _last.
            _last = high;
        }

        private void Add(int length, long value, bool padded)
        {
            if (!_started)
            {
                _started = true;
                Open(value, padded, length);
                return;
            }
            bool paddingBreak = _padded ? length != _length : padded;
            bool stepBreak = !paddingBreak && _step != 0 && value - _last != _step;
            if (!paddingBreak && !stepBreak)
            {
                _step = value - _last;
                _last = value;
                return;
            }
            if (_step <= 1)
            {
                // A range (or a single member) ends: the next run opens with the new member's padding.
                EmitRange(_start, _last);
                Open(value, padded, length);
            }
            else if (paddingBreak)
            {
                EmitEach(_start, _last);
                Open(value, padded, length);
            }
            else
            {
                // Evenly spaced members end: all but the last are written alone, and the last one carries
                // the run on, padding mode included.
                EmitEach(_start, _last - _step);
                _start = _last;
            }
            _step = stepBreak ? value - _last : 0;
            _last = value;
        }

        public List<(Int128, Int128)> Finish()
        {
            if (_started)
            {
                if (_step <= 1)
                    EmitRange(_start, _last);
                else
                    EmitEach(_start, _last);
            }
            return _runs;
        }

        private void Open(long value, bool padded, int length)
        {
            _start = value;
            _last = value;
            _step = 0;
            _padded = padded;
            _length = length;
        }

        private readonly Int128 KeyOf(long value) => _padded ? Key(_length, value) : NaturalKey(value);

        private readonly void EmitRange(long first, long last) => _runs.Add((KeyOf(first), KeyOf(last)));

        private readonly void EmitEach(long first, long last)
        {
            for (long value = first; value <= last; value += _step)
                _runs.Add((KeyOf(value), KeyOf(value)));
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
