using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MilkCheck.Configuration;

/// <summary>Where something is in a configuration file (1-based).</summary>
internal readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

internal enum YamlKind { Scalar, Sequence, Mapping }

/// <summary>
/// A YAML node with its position. Mappings keep every key in order, duplicates included, so the loader can
/// apply upstream's "last wins" and still warn about the earlier one (YamlDotNet's own model rejects duplicates).
/// </summary>
internal sealed class YamlTreeNode
{
    public YamlTreeNode(YamlKind kind, SourceLocation location, string? value = null, ScalarStyle style = ScalarStyle.Plain, string? tag = null)
    {
        Kind = kind;
        Location = location;
        Value = value;
        Style = style;
        Tag = tag;
    }

    public YamlKind Kind { get; }
    public SourceLocation Location { get; }

    /// <summary>Scalar text.</summary>
    public string? Value { get; }

    public ScalarStyle Style { get; }

    /// <summary>An explicit tag (<c>!!str</c>), if any.</summary>
    public string? Tag { get; }

    /// <summary>A quoted (or block) scalar is always a string; a plain one is typed by YAML 1.1 rules.</summary>
    public bool Quoted => Style is not (ScalarStyle.Plain or ScalarStyle.Any);

    public List<YamlTreeNode> Items { get; } = new();
    public List<KeyValuePair<YamlTreeNode, YamlTreeNode>> Pairs { get; } = new();

    /// <summary>Nodes under this one (itself included) with aliases counted as copies: what a walk visits.</summary>
    internal long ExpandedNodes { get; set; } = 1;

    /// <summary>Scalar characters under this one with aliases counted as copies.</summary>
    internal long ExpandedChars { get; set; }

    public bool IsNullScalar => Kind == YamlKind.Scalar && YamlScalarTyping.Resolve(Value, Style, Tag) == YamlScalarKind.Null;

    public string Describe() => Kind switch
    {
        YamlKind.Scalar => $"'{Value}'",
        YamlKind.Sequence => "a list",
        YamlKind.Mapping => "a mapping",
        _ => throw new InvalidOperationException($"Unknown YAML kind {Kind}."),
    };
}

/// <summary>
/// A YAML file that passes one of <see cref="YamlTreeReader"/>'s bounds (nesting depth, alias expansion), at the
/// node that passed it. Not a syntax error: the file is well-formed but would take the host down.
/// </summary>
internal sealed class YamlLimitException : YamlException
{
    public YamlLimitException(Mark start, Mark end, string errorId, string message) : base(start, end, message) =>
        ErrorId = errorId;

    /// <summary><c>MilkCheck.Config.TooDeep</c> or <c>MilkCheck.Config.AliasExpansion</c>.</summary>
    public string ErrorId { get; }
}

/// <summary>
/// Parses YAML text into <see cref="YamlTreeNode"/> documents with positions. Hostile files are refused with a
/// positioned error instead of taking the host down: nesting deeper than <see cref="MaxDepth"/> (the readers and
/// walks recurse once per level), and aliases whose expansion (an alias counts as a copy of its anchor, as every
/// walk of the tree sees it) passes <see cref="MaxAliasNodes"/> nodes or <see cref="MaxAliasChars"/> characters
/// ("billion laughs").
/// </summary>
internal static class YamlTreeReader
{
    /// <summary>Most nested sequences and mappings; a MilkCheck file needs about ten.</summary>
    public const int MaxDepth = 256;

    /// <summary>Most nodes all aliases of a file may add by expansion.</summary>
    public const long MaxAliasNodes = 1_000_000;

    /// <summary>Most scalar characters all aliases of a file may add by expansion.</summary>
    public const long MaxAliasChars = 10_000_000;

    /// <exception cref="YamlException">Syntax error, with its position.</exception>
    /// <exception cref="YamlLimitException">Too deep, or aliases expanding too far, with the position.</exception>
    public static List<YamlTreeNode> ReadDocuments(string file, TextReader reader)
    {
        var parser = new Parser(reader);
        try
        {
            return ReadAll(file, parser);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner sometimes fails this way on malformed input (an unclosed '[' before a key):
            // report it as a syntax error where the parser stopped. Its text ("Operation is not valid due to the
            // current state of the object") says nothing to a user, so it is left out.
            Mark at = parser.Current?.Start ?? Mark.Empty;
            throw new YamlException(at, at, "malformed YAML after this point (an unclosed '[', '{' or quote?)");
        }
    }

    /// <summary>The anchors of one file and what their aliases added so far.</summary>
    private sealed class ReadState(string file)
    {
        public string File { get; } = file;
        public Dictionary<string, YamlTreeNode> Anchors { get; } = new(StringComparer.Ordinal);
        public long AliasNodes { get; set; }
        public long AliasChars { get; set; }
    }

    private static List<YamlTreeNode> ReadAll(string file, IParser parser)
    {
        var documents = new List<YamlTreeNode>();
        var state = new ReadState(file);
        parser.Consume<StreamStart>();
        while (parser.TryConsume<DocumentStart>(out _))
        {
            if (parser.TryConsume<DocumentEnd>(out _))
                continue; // empty document
            YamlTreeNode root = ReadNode(parser, state, depth: 0);
            parser.Consume<DocumentEnd>();
            if (!root.IsNullScalar)
                documents.Add(root);
        }
        parser.Consume<StreamEnd>();
        return documents;
    }

    private static SourceLocation At(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static void AddChild(YamlTreeNode parent, YamlTreeNode child)
    {
        parent.ExpandedNodes = SaturatingAdd(parent.ExpandedNodes, child.ExpandedNodes);
        parent.ExpandedChars = SaturatingAdd(parent.ExpandedChars, child.ExpandedChars);
    }

    /// <param name="depth">Collections enclosing this node: the recursion is bounded by <see cref="MaxDepth"/>.</param>
    private static YamlTreeNode ReadNode(IParser parser, ReadState state, int depth)
    {
        string file = state.File;
        if (parser.TryConsume<AnchorAlias>(out AnchorAlias? alias))
        {
            if (!state.Anchors.TryGetValue(alias.Value.Value, out YamlTreeNode? target))
                throw new YamlException(alias.Start, alias.End, $"Unknown alias '*{alias.Value.Value}'.");
            state.AliasNodes = SaturatingAdd(state.AliasNodes, target.ExpandedNodes);
            state.AliasChars = SaturatingAdd(state.AliasChars, target.ExpandedChars);
            if (state.AliasNodes > MaxAliasNodes || state.AliasChars > MaxAliasChars)
                throw new YamlLimitException(alias.Start, alias.End, ErrorIds.Config.AliasExpansion,
                    $"Aliases expand too far: with '*{alias.Value.Value}' they stand for more than {MaxAliasNodes} nodes or {MaxAliasChars} characters (aliases of aliases multiply, as in a 'billion laughs' file). Write the values out, or alias less.");
            return target;
        }
        YamlTreeNode node;
        string? anchor = null;
        if (parser.TryConsume<Scalar>(out Scalar? scalar))
        {
            node = new YamlTreeNode(YamlKind.Scalar, At(file, scalar.Start), scalar.Value, scalar.Style, scalar.Tag.IsEmpty ? null : scalar.Tag.Value)
            {
                ExpandedChars = scalar.Value.Length,
            };
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
        }
        else if (parser.Current is SequenceStart or MappingStart && depth >= MaxDepth)
        {
            ParsingEvent deep = parser.Current!;
            throw new YamlLimitException(deep.Start, deep.End, ErrorIds.Config.TooDeep,
                $"YAML nested more than {MaxDepth} levels deep here: a MilkCheck file needs a few levels; close the open '[' or '{{', or flatten the structure.");
        }
        else if (parser.TryConsume<SequenceStart>(out SequenceStart? sequence))
        {
            node = new YamlTreeNode(YamlKind.Sequence, At(file, sequence.Start));
            anchor = sequence.Anchor.IsEmpty ? null : sequence.Anchor.Value;
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                YamlTreeNode item = ReadNode(parser, state, depth + 1);
                node.Items.Add(item);
                AddChild(node, item);
            }
        }
        else if (parser.TryConsume<MappingStart>(out MappingStart? mapping))
        {
            node = new YamlTreeNode(YamlKind.Mapping, At(file, mapping.Start));
            anchor = mapping.Anchor.IsEmpty ? null : mapping.Anchor.Value;
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                YamlTreeNode key = ReadNode(parser, state, depth + 1);
                YamlTreeNode value = ReadNode(parser, state, depth + 1);
                node.Pairs.Add(new(key, value));
                AddChild(node, key);
                AddChild(node, value);
            }
        }
        else
        {
            ParsingEvent unexpected = parser.Current!;
            throw new YamlException(unexpected.Start, unexpected.End, $"Unexpected YAML event {unexpected.GetType().Name}.");
        }
        if (anchor is not null)
            state.Anchors[anchor] = node;
        return node;
    }
}
