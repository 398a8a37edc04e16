using System.Text;
using System.Text.RegularExpressions;

namespace MilkCheck.NodeSets;

/// <summary>
/// Parses ClusterShell's extended node set syntax: operands (names, bracketed patterns, <c>@groups</c>,
/// wildcard masks) joined by <c>,</c> <c>!</c> <c>&amp;</c> <c>^</c>, strictly left to right.
/// One instance per top-level call: it carries the resolver, the cancellation token and the group stack.
/// </summary>
internal sealed class NodeSetParser
{
    private const int MaxGroupDepth = 64;

    private readonly GroupResolver _resolver;
    private readonly CancellationToken _cancellationToken;
    private readonly Stack<string> _groupStack = new();
    private readonly Dictionary<string, NodeSet> _allNodes = new(StringComparer.Ordinal);
    private readonly Dictionary<Int128, RangeSet> _singles = new();

    public NodeSetParser(GroupResolver resolver, CancellationToken cancellationToken)
    {
        _resolver = resolver;
        _cancellationToken = cancellationToken;
    }

    public NodeSet Parse(string text)
    {
        var builder = new NodeSet.Builder();
        ParseInto(text, builder);
        return builder.Build();
    }

    /// <summary>Adds the set denoted by <paramref name="text"/> to <paramref name="union"/>.</summary>
    public void ParseInto(string text, NodeSet.Builder union) => ParseInto(text, union, source: null);

    private void ParseInto(string text, NodeSet.Builder union, string? source)
    {
        List<(char Operator, int Start, int End)> operands = Split(text);
        if (operands.Count == 0)
            return;

        // Unions accumulate in one builder (cheap); other operators need the folded left side.
        // A pure union goes straight into the caller's builder (FromList of many names folds once).
        bool usingCaller = operands.TrueForAll(o => o.Operator == ',');
        NodeSet.Builder current = usingCaller ? union : new NodeSet.Builder();
        foreach ((char op, int start, int end) in operands)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (op == ',')
            {
                AddOperand(text, start, end, current, source);
                continue;
            }
            var right = new NodeSet.Builder();
            AddOperand(text, start, end, right, source);
            NodeSet left = current.Build();
            NodeSet rightSet = right.Build();
            NodeSet combined = op switch
            {
                '!' => left.Except(rightSet),
                '&' => left.Intersect(rightSet),
                '^' => left.SymmetricExcept(rightSet),
                _ => throw new InvalidOperationException($"Unknown operator '{op}'."),
            };
            current = new NodeSet.Builder();
            current.Add(combined);
        }
        if (!usingCaller)
            union.Add(current.Build());
    }

    /// <summary>Splits at operators outside brackets; the first operand's operator is ','.</summary>
    private static List<(char, int, int)> Split(string text)
    {
        var result = new List<(char, int, int)>();
        int first = 0, last = text.Length;
        while (first < last && char.IsWhiteSpace(text[first])) first++;
        while (last > first && char.IsWhiteSpace(text[last - 1])) last--;
        if (first == last)
            return result;

        bool inBracket = false;
        char op = ',';
        int start = first;
        for (int i = first; i <= last; i++)
        {
            char c = i < last ? text[i] : '\0';
            if (i < last)
            {
                if (c == '[') { inBracket = true; continue; }
                if (c == ']') { inBracket = false; continue; }
                if (inBracket || (c != ',' && c != '!' && c != '&' && c != '^'))
                    continue;
            }
            int s = start, e = i;
            while (s < e && char.IsWhiteSpace(text[s])) s++;
            while (e > s && char.IsWhiteSpace(text[e - 1])) e--;
            if (s == e)
            {
                string where = i < last ? $"before '{c}'" : $"after '{op}'";
                throw new NodeSetParseException(NodeSetErrorKind.Parse, text, Math.Min(i, text.Length - 1),
                    $"empty operand {where} (each operator needs a node name or pattern on both sides)");
            }
            result.Add((op, s, e));
            op = c;
            start = i + 1;
        }
        return result;
    }

    private void AddOperand(string text, int start, int end, NodeSet.Builder builder, string? source)
    {
        if (text[start] == '@')
        {
            AddGroup(text, start, end, builder, source);
            return;
        }
        if (text.AsSpan(start, end - start).IndexOfAny('*', '?') >= 0)
        {
            AddMask(text, start, end, builder, source);
            return;
        }
        AddPattern(text, start, end, builder);
    }

    // ---- patterns -----------------------------------------------------------------------------------

    /// <summary>Parses one pattern operand (<c>x4nova[1-2]p0</c>) into its pattern key and one vector.</summary>
    private void AddPattern(string text, int start, int end, NodeSet.Builder builder)
    {
        // 1. Cut into text and bracket segments.
        var texts = new List<(int Start, int End)>();   // texts[k] precedes brackets[k]; one more at the end
        var brackets = new List<(int Start, int End)>(); // content bounds, exclusive of '[' and ']'
        int position = start;
        while (true)
        {
            int open = IndexOf(text, '[', position, end);
            int close = IndexOf(text, ']', position, open < 0 ? end : open);
            if (close >= 0)
                throw new NodeSetParseException(NodeSetErrorKind.Parse, text, close, "']' without a matching '['");
            if (open < 0)
            {
                texts.Add((position, end));
                break;
            }
            int closing = IndexOf(text, ']', open + 1, end);
            if (closing < 0)
                throw new NodeSetParseException(NodeSetErrorKind.Parse, text, open, "'[' without a matching ']'");
            texts.Add((position, open));
            brackets.Add((open + 1, closing));
            position = closing + 1;
        }

        // 2. Digits glued to brackets belong to their range; digits between two brackets are ambiguous.
        var chunks = new List<string>();
        var dimensions = new List<RangeSet>();
        var pending = new StringBuilder();
        for (int k = 0; k <= brackets.Count; k++)
        {
            (int ts, int te) = texts[k];
            if (k > 0)
            {
                // Leading digits of this text are the previous bracket's suffix: already consumed below.
                ts = SkipDigits(text, ts, te);
            }
            int prefixStart = te;
            if (k < brackets.Count)
            {
                while (prefixStart > ts && char.IsAsciiDigit(text[prefixStart - 1]))
                    prefixStart--;
                if (k > 0 && prefixStart == ts)
                {
                    string what = texts[k].Start == texts[k].End ? "adjacent brackets" : "digits between two brackets";
                    throw new NodeSetParseException(NodeSetErrorKind.Parse, text, texts[k].Start,
                        $"{what} are ambiguous (put a non-digit separator between them)");
                }
            }
            AddPlainText(text, ts, prefixStart, chunks, dimensions, pending);
            if (k == brackets.Count)
                break;

            (int bs, int be) = brackets[k];
            string prefix = text[prefixStart..te];
            int nextTextStart = texts[k + 1].Start;
            string suffix = text[nextTextStart..SkipDigits(text, nextTextStart, texts[k + 1].End)];
            RangeSet range;
            try
            {
                range = RangeSet.Parse(text[bs..be], prefix, suffix);
            }
            catch (RangeSetSyntaxException e)
            {
                throw new NodeSetParseException(e.IsRangeError ? NodeSetErrorKind.Range : NodeSetErrorKind.Parse,
                    text, Math.Min(bs + e.Offset, text.Length - 1), e.Message, e);
            }
            chunks.Add(pending.ToString());
            pending.Clear();
            dimensions.Add(range);
        }
        chunks.Add(pending.ToString());
        builder.Add(BuildKey(chunks), chunks.ToArray(), dimensions.ToArray());
    }

    /// <summary>Outside brackets every digit run is a dimension with one index.</summary>
    private void AddPlainText(string text, int start, int end, List<string> chunks, List<RangeSet> dimensions, StringBuilder pending)
    {
        int i = start;
        while (i < end)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                pending.Append(text[i++]);
                continue;
            }
            int digitsEnd = SkipDigits(text, i, end);
            string digits = text[i..digitsEnd];
            if (!RangeSet.TryMemberKey(digits, out Int128 key))
                throw new NodeSetParseException(NodeSetErrorKind.Range, text, i, $"number '{digits}' is too large (at most 18 digits)");
            chunks.Add(pending.ToString());
            pending.Clear();
            dimensions.Add(Single(key));
            i = digitsEnd;
        }
    }

    /// <summary>One shared instance per index: folding 100,000 names then retains far fewer objects.</summary>
    private RangeSet Single(Int128 key)
    {
        if (!_singles.TryGetValue(key, out RangeSet? set))
            _singles[key] = set = RangeSet.Single(key);
        return set;
    }

    private static string BuildKey(List<string> chunks)
    {
        var key = new StringBuilder();
        for (int i = 0; i < chunks.Count; i++)
        {
            if (i > 0)
                key.Append("%s");
            key.Append(chunks[i].Replace("%", "%%", StringComparison.Ordinal));
        }
        return key.ToString();
    }

    private static int SkipDigits(string text, int start, int end)
    {
        while (start < end && char.IsAsciiDigit(text[start]))
            start++;
        return start;
    }

    private static int IndexOf(string text, char c, int start, int end)
    {
        int found = text.IndexOf(c, start, end - start);
        return found;
    }

    // ---- groups -------------------------------------------------------------------------------------

    private void AddGroup(string text, int start, int end, NodeSet.Builder builder, string? contextSource)
    {
        string operand = text[start..end];
        if (operand.StartsWith("@@", StringComparison.Ordinal))
        {
            AddGroupNames(text, operand[2..], builder, contextSource);
            return;
        }
        string body = operand[1..];
        string? source = contextSource;
        int colon = body.IndexOf(':');
        if (colon >= 0)
        {
            source = body[..colon];
            body = body[(colon + 1)..];
            if (source.Length == 0)
                throw new NodeSetParseException(NodeSetErrorKind.Parse, text, start + 1, "empty group source name before ':'");
        }
        if (body.Length == 0)
            throw new NodeSetParseException(NodeSetErrorKind.Parse, text, start, $"'{operand}' names no group");

        IGroupSource groupSource = _resolver.GetSource(source);
        if (body == "*")
        {
            builder.Add(AllNodes(groupSource));
            return;
        }
        foreach (string group in ExpandNames(text, start + operand.Length - body.Length, body))
            builder.Add(ResolveGroup(groupSource, group));
    }

    private NodeSet ResolveGroup(IGroupSource source, string group)
    {
        string frame = source.Name + ":" + group;
        if (_groupStack.Contains(frame))
            throw new GroupResolverException(GroupErrorKind.Recursion,
                $"Group @{frame} refers to itself: {string.Join(" -> ", _groupStack.Reverse().Append(frame).Select(f => "@" + f))}.");
        if (_groupStack.Count >= MaxGroupDepth)
            throw new GroupResolverException(GroupErrorKind.Recursion, $"Groups nest deeper than {MaxGroupDepth} levels at @{frame}.");
        string content = source.Map(group, _cancellationToken);
        return ParseGroupText(content, source.Name, frame);
    }

    private NodeSet ParseGroupText(string content, string sourceName, string frame)
    {
        _groupStack.Push(frame);
        try
        {
            var builder = new NodeSet.Builder();
            ParseInto(content, builder, sourceName);
            return builder.Build();
        }
        catch (NodeSetParseException e)
        {
            throw new GroupResolverException(GroupErrorKind.QueryFailed, $"Group @{frame} has an invalid node set: {e.Message}", e);
        }
        finally
        {
            _groupStack.Pop();
        }
    }

    /// <summary>All nodes of a source: its <c>all</c>, else the union of every listed group.</summary>
    private NodeSet AllNodes(IGroupSource source)
    {
        if (_allNodes.TryGetValue(source.Name, out NodeSet? cached))
            return cached;
        NodeSet result;
        string? all = source.All(_cancellationToken);
        if (all is not null)
        {
            result = ParseGroupText(all, source.Name, source.Name + ":*");
        }
        else
        {
            IReadOnlyList<string> groups = source.List(_cancellationToken)
                ?? throw new GroupResolverException(GroupErrorKind.NoAllNodes,
                    $"Group source '{source.Name}' cannot list all nodes: it has neither an 'all' nor a 'list' command.");
            var builder = new NodeSet.Builder();
            foreach (string token in groups)
                foreach (string group in ExpandNames(token, 0, token))
                    builder.Add(ResolveGroup(source, group));
            result = builder.Build();
        }
        _allNodes[source.Name] = result;
        return result;
    }

    /// <summary><c>@@</c>, <c>@@src</c>, <c>@@dc[1-3]</c>: the names of the groups of one or more sources.</summary>
    private void AddGroupNames(string text, string sources, NodeSet.Builder builder, string? contextSource)
    {
        IEnumerable<string?> names = sources.Length == 0 ? new[] { contextSource } : ExpandNames(text, 0, sources).Cast<string?>();
        foreach (string? name in names)
        {
            IGroupSource source = _resolver.GetSource(name);
            IReadOnlyList<string> groups = source.List(_cancellationToken)
                ?? throw new GroupResolverException(GroupErrorKind.NoAllNodes,
                    $"Group source '{source.Name}' cannot list its groups: it has no 'list' command.");
            foreach (string token in groups)
                AddPattern(token, 0, token.Length, builder);
        }
    }

    /// <summary>Expands a name pattern (group names, source names) without group resolution.</summary>
    private IEnumerable<string> ExpandNames(string text, int offset, string pattern)
    {
        try
        {
            var builder = new NodeSet.Builder();
            if (pattern.Trim().Length > 0)
                AddPattern(pattern, 0, pattern.Length, builder);
            return builder.Build().ToList();
        }
        catch (NodeSetParseException e)
        {
            throw new NodeSetParseException(e.Kind, text, Math.Min(offset + e.Position, Math.Max(text.Length - 1, 0)), e.Reason, e);
        }
    }

    // ---- wildcard masks -----------------------------------------------------------------------------

    private void AddMask(string text, int start, int end, NodeSet.Builder builder, string? contextSource)
    {
        IGroupSource source = _resolver.GetSource(contextSource);
        NodeSet all = AllNodes(source);
        string operand = text[start..end];
        // Brackets in a mask are expanded first: hide the wildcards from the pattern parser meanwhile.
        string hidden = operand.Replace('*', '\u0001').Replace('?', '\u0002');
        IEnumerable<string> masks = operand.Contains('[')
            ? ExpandNames(text, start, hidden).Select(m => m.Replace('\u0001', '*').Replace('\u0002', '?'))
            : new[] { operand };
        var regexes = masks.Select(GlobToRegex).ToList();
        var matched = new List<string>();
        foreach (string node in all)
            if (regexes.Any(r => r.IsMatch(node)))
                matched.Add(node);
        foreach (string node in matched)
            AddPattern(node, 0, node.Length, builder);
    }

    private static Regex GlobToRegex(string mask)
    {
        var pattern = new StringBuilder("^");
        foreach (char c in mask)
        {
            pattern.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }
        pattern.Append('$');
        return new Regex(pattern.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
