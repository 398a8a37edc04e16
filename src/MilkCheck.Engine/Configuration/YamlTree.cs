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

    public bool IsNullScalar => Kind == YamlKind.Scalar && YamlScalarTyping.Resolve(Value, Style, Tag) == YamlScalarKind.Null;

    public string Describe() => Kind switch
    {
        YamlKind.Scalar => $"'{Value}'",
        YamlKind.Sequence => "a list",
        YamlKind.Mapping => "a mapping",
        _ => throw new InvalidOperationException($"Unknown YAML kind {Kind}."),
    };
}

/// <summary>Parses YAML text into <see cref="YamlTreeNode"/> documents with positions.</summary>
internal static class YamlTreeReader
{
    /// <exception cref="YamlException">Syntax error, with its position.</exception>
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

    private static List<YamlTreeNode> ReadAll(string file, IParser parser)
    {
        var documents = new List<YamlTreeNode>();
        var anchors = new Dictionary<string, YamlTreeNode>(StringComparer.Ordinal);
        parser.Consume<StreamStart>();
        while (parser.TryConsume<DocumentStart>(out _))
        {
            if (parser.TryConsume<DocumentEnd>(out _))
                continue; // empty document
            YamlTreeNode root = ReadNode(file, parser, anchors);
            parser.Consume<DocumentEnd>();
            if (!root.IsNullScalar)
                documents.Add(root);
        }
        parser.Consume<StreamEnd>();
        return documents;
    }

    private static SourceLocation At(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    private static YamlTreeNode ReadNode(string file, IParser parser, Dictionary<string, YamlTreeNode> anchors)
    {
        if (parser.TryConsume<AnchorAlias>(out AnchorAlias? alias))
        {
            if (!anchors.TryGetValue(alias.Value.Value, out YamlTreeNode? target))
                throw new YamlException(alias.Start, alias.End, $"Unknown alias '*{alias.Value.Value}'.");
            return target;
        }
        YamlTreeNode node;
        string? anchor = null;
        if (parser.TryConsume<Scalar>(out Scalar? scalar))
        {
            node = new YamlTreeNode(YamlKind.Scalar, At(file, scalar.Start), scalar.Value, scalar.Style, scalar.Tag.IsEmpty ? null : scalar.Tag.Value);
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
        }
        else if (parser.TryConsume<SequenceStart>(out SequenceStart? sequence))
        {
            node = new YamlTreeNode(YamlKind.Sequence, At(file, sequence.Start));
            anchor = sequence.Anchor.IsEmpty ? null : sequence.Anchor.Value;
            while (!parser.TryConsume<SequenceEnd>(out _))
                node.Items.Add(ReadNode(file, parser, anchors));
        }
        else if (parser.TryConsume<MappingStart>(out MappingStart? mapping))
        {
            node = new YamlTreeNode(YamlKind.Mapping, At(file, mapping.Start));
            anchor = mapping.Anchor.IsEmpty ? null : mapping.Anchor.Value;
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                YamlTreeNode key = ReadNode(file, parser, anchors);
                YamlTreeNode value = ReadNode(file, parser, anchors);
                node.Pairs.Add(new(key, value));
            }
        }
        else
        {
            ParsingEvent unexpected = parser.Current!;
            throw new YamlException(unexpected.Start, unexpected.End, $"Unexpected YAML event {unexpected.GetType().Name}.");
        }
        if (anchor is not null)
            anchors[anchor] = node;
        return node;
    }
}
