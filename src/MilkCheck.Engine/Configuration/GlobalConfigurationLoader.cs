using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MilkCheck.Configuration;

/// <summary>
/// Reads <c>milkcheck.conf</c> (spec §2.2). Every problem of the file is reported in one pass, each with
/// file:line:column; keys that are wrong keep their default, the others apply. Stateless.
/// </summary>
public static class GlobalConfigurationLoader
{
    /// <summary>Diagnostic ids of the global configuration file.</summary>
    public static class ErrorIds
    {
        public const string GlobalFileNotFound = "MilkCheck.Config.GlobalFileNotFound";
        public const string GlobalFileUnreadable = "MilkCheck.Config.GlobalFileUnreadable";
        public const string YamlSyntax = "MilkCheck.Config.YamlSyntax";
        public const string NotAMapping = "MilkCheck.Config.NotAMapping";
        public const string MultipleDocuments = "MilkCheck.Config.MultipleDocuments";
        public const string BadEntry = "MilkCheck.Config.BadEntry";
        public const string WrongValue = "MilkCheck.Config.WrongValue";
        public const string DuplicateKey = "MilkCheck.Config.DuplicateKey";
    }

    private static readonly string[] ValidKeys =
    {
        "config_dir", "fanout", "reverse_actions", "report", "summary", "confirm_actions",
        "transport", "connect_timeout", "max_sessions", "connection_persist", "max_nodes", "journal", "journal_dir", "journal_keep",
    };

    // Timers take int milliseconds: beyond that a timeout cannot be armed.
    private const double MaxConnectTimeoutSeconds = int.MaxValue / 1000.0;

    /// <summary>Reads the global configuration file at <paramref name="path"/>.</summary>
    /// <returns>
    /// The configuration (defaults where the file says nothing or something wrong) and every diagnostic. A missing
    /// file is not an error, as upstream: defaults and one Warning.
    /// </returns>
    public static (GlobalConfiguration Configuration, IReadOnlyList<ConfigDiagnostic> Diagnostics) Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var diagnostics = new List<ConfigDiagnostic>();
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, path, 0, 0,
                $"Configuration file {path} not found; the defaults are used.", ErrorIds.GlobalFileNotFound));
            return (GlobalConfiguration.Default, diagnostics.AsReadOnly());
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, path, 0, 0,
                $"Cannot read configuration file {path}: {exception.Message}", ErrorIds.GlobalFileUnreadable));
            return (GlobalConfiguration.Default, diagnostics.AsReadOnly());
        }

        GlobalConfiguration configuration = Parse(path, text, diagnostics);
        return (configuration, diagnostics.AsReadOnly());
    }

    /// <summary>Parses the text of a global configuration file; <paramref name="path"/> only names it.</summary>
    internal static GlobalConfiguration Parse(string path, string text, List<ConfigDiagnostic> diagnostics)
    {
        var configuration = GlobalConfiguration.Default with { SourceFile = path };
        IReadOnlyList<Node?> documents;
        try
        {
            documents = NodeReader.ReadDocuments(path, text);
        }
        catch (YamlLimitException exception)
        {
            diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, exception.Start, exception.Message, exception.ErrorId));
            return configuration;
        }
        catch (YamlException exception)
        {
            // The parser cannot go on past a syntax error, so nothing of the file is used.
            diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, exception.Start,
                $"Invalid YAML: {InnermostMessage(exception)}", ErrorIds.YamlSyntax));
            return configuration;
        }

        for (int index = 1; index < documents.Count; index++)
        {
            if (documents[index] is { } extra)
            {
                diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, extra.Start,
                    "The file holds several YAML documents; milkcheck.conf is a single mapping (remove the '---').",
                    ErrorIds.MultipleDocuments));
            }
        }

        Node? root = documents.Count > 0 ? documents[0] : null;
        switch (root)
        {
            case null:
                return configuration;
            case ScalarNode scalar when scalar.Kind == YamlScalarKind.Null:
                return configuration; // `~` alone: an empty file, as upstream
            case MappingNode mapping:
                return Apply(path, mapping, configuration, diagnostics);
            default:
                diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, root.Start,
                    $"The file must be a mapping of settings (for example 'fanout: 32'), not {Describe(root)}.",
                    ErrorIds.NotAMapping));
                return configuration;
        }
    }

    private static GlobalConfiguration Apply(
        string path, MappingNode mapping, GlobalConfiguration configuration, List<ConfigDiagnostic> diagnostics)
    {
        // Last wins, as PyYAML's loader, but a repeated key is most likely a mistake worth a warning.
        var seen = new Dictionary<string, Mark>(StringComparer.Ordinal);
        var entries = new List<(string Key, ScalarNode KeyNode, Node Value)>();
        foreach ((Node keyNode, Node value) in mapping.Entries)
        {
            if (keyNode is not ScalarNode keyScalar)
            {
                diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, keyNode.Start,
                    $"Bad entry {Describe(keyNode)}: keys are setting names. Valid keys: {string.Join(", ", ValidKeys)}.",
                    ErrorIds.BadEntry));
                continue;
            }

            string key = keyScalar.Value;
            if (seen.TryGetValue(key, out Mark first))
            {
                diagnostics.Add(Diagnostic(DiagnosticSeverity.Warning, path, keyScalar.Start,
                    $"Duplicate key '{key}' (line {first.Line} and line {keyScalar.Start.Line}); the last one (line {keyScalar.Start.Line}) is used.",
                    ErrorIds.DuplicateKey));
                entries.RemoveAll(entry => entry.Key == key);
            }

            seen[key] = keyScalar.Start;
            entries.Add((key, keyScalar, value));
        }

        foreach ((string key, ScalarNode keyNode, Node value) in entries)
        {
            configuration = ApplyEntry(path, key, keyNode, value, configuration, diagnostics);
        }

        return configuration;
    }

    private static GlobalConfiguration ApplyEntry(
        string path, string key, ScalarNode keyNode, Node value, GlobalConfiguration configuration,
        List<ConfigDiagnostic> diagnostics)
    {
        void WrongValue(Node node, string expected) =>
            diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, node.Start,
                $"Wrong value '{Render(node)}' for '{key}': expected {expected}{QuotingHint(node)}.", ErrorIds.WrongValue));

        switch (key)
        {
            case "config_dir":
                if (value is ScalarNode { Kind: YamlScalarKind.String } directory)
                {
                    return configuration with { ConfigDir = directory.Value };
                }

                WrongValue(value, "a directory path (a string)");
                return configuration;

            case "fanout":
                if (value is ScalarNode fanoutNode && fanoutNode.TryGetInt(out long fanout) && fanout is >= 1 and <= int.MaxValue)
                {
                    return configuration with { Fanout = (int)fanout };
                }

                WrongValue(value, "a positive integer");
                return configuration;

            case "max_sessions":
                if (value is ScalarNode sessionsNode && sessionsNode.TryGetInt(out long sessions) && sessions is >= 1 and <= int.MaxValue)
                {
                    return configuration with { MaxSessions = (int)sessions };
                }

                WrongValue(value, "an integer of at least 1 (channels per SSH connection)");
                return configuration;

            case "connection_persist":
                if (value is ScalarNode persistNode && persistNode.TryGetDouble(out double persist)
                    && double.IsFinite(persist) && persist >= 0 && persist <= MaxConnectTimeoutSeconds)
                {
                    return configuration with { ConnectionPersist = TimeSpan.FromSeconds(persist) };
                }

                WrongValue(value, "a number of seconds, 0 or more (0: connections close at the end of the run)");
                return configuration;

            case "max_nodes":
                if (value is ScalarNode maxNodesNode && maxNodesNode.TryGetInt(out long maxNodes) && maxNodes is >= 1 and <= int.MaxValue)
                {
                    return configuration with { MaxNodes = (int)maxNodes };
                }

                WrongValue(value, "a positive integer (most nodes in one target)");
                return configuration;

            case "reverse_actions":
                return StringList(value, WrongValue) is { } reverse ? configuration with { ReverseActions = reverse } : configuration;

            case "confirm_actions":
                return StringList(value, WrongValue) is { } confirm ? configuration with { ConfirmActions = confirm } : configuration;

            case "report":
                if (value is not ScalarNode { Kind: YamlScalarKind.String } report)
                {
                    WrongValue(value, "a string, one of 'no', 'default', 'full'");
                    return configuration;
                }

                switch (report.Value)
                {
                    case "no": return configuration with { Report = ReportMode.No };
                    case "default": return configuration with { Report = ReportMode.Default };
                    case "full": return configuration with { Report = ReportMode.Full };
                    default:
                        diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, value.Start,
                            $"Value for 'report' should be one of ('no', 'default', 'full') (found '{report.Value}')",
                            ErrorIds.WrongValue));
                        return configuration;
                }

            case "summary":
                if (value is ScalarNode summaryNode && summaryNode.TryGetBool(out bool summary))
                {
                    return configuration with { Summary = summary };
                }

                WrongValue(value, "a boolean (true or false)");
                return configuration;

            case "transport":
                switch (value)
                {
                    case ScalarNode { Kind: YamlScalarKind.String, Value: "sshnet" }:
                        return configuration with { Transport = TransportKind.SshNet };
                    case ScalarNode { Kind: YamlScalarKind.String, Value: "openssh" }:
                        return configuration with { Transport = TransportKind.OpenSsh };
                    default:
                        WrongValue(value, "one of 'sshnet', 'openssh'");
                        return configuration;
                }

            case "connect_timeout":
                if (value is ScalarNode timeoutNode && timeoutNode.TryGetDouble(out double seconds)
                    && double.IsFinite(seconds) && seconds > 0 && seconds <= MaxConnectTimeoutSeconds)
                {
                    return configuration with { ConnectTimeout = TimeSpan.FromSeconds(seconds) };
                }

                WrongValue(value, "a number of seconds greater than 0");
                return configuration;

            case "journal":
                if (value is ScalarNode journalNode && journalNode.TryGetBool(out bool journal))
                {
                    return configuration with { Journal = journal };
                }

                WrongValue(value, "a boolean (true or false)");
                return configuration;

            case "journal_dir":
                if (value is ScalarNode { Kind: YamlScalarKind.String } journalDir && journalDir.Value.Length > 0)
                {
                    return configuration with { JournalDir = journalDir.Value };
                }

                WrongValue(value, "a directory path (a string)");
                return configuration;

            case "journal_keep":
                if (value is ScalarNode keepNode && keepNode.TryGetInt(out long keep) && keep is >= 1 and <= int.MaxValue)
                {
                    return configuration with { JournalKeep = (int)keep };
                }

                WrongValue(value, "a whole number of runs, at least 1");
                return configuration;

            default:
                diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, keyNode.Start,
                    $"Bad entry '{key}': not a setting of milkcheck.conf. Valid keys: {string.Join(", ", ValidKeys)}.",
                    ErrorIds.BadEntry));
                return configuration;
        }
    }

    /// <summary>A sequence of strings, or null after reporting each offending node.</summary>
    private static IReadOnlyList<string>? StringList(Node value, Action<Node, string> wrongValue)
    {
        if (value is not SequenceNode sequence)
        {
            wrongValue(value, "a list of action names (for example [stop, status])");
            return null;
        }

        var names = new List<string>(sequence.Items.Count);
        bool valid = true;
        foreach (Node item in sequence.Items)
        {
            if (item is ScalarNode { Kind: YamlScalarKind.String } name)
            {
                names.Add(name.Value);
            }
            else
            {
                wrongValue(item, "an action name (a string) in the list");
                valid = false;
            }
        }

        return valid ? names.AsReadOnly() : null;
    }

    /// <summary>Plain scalars that YAML 1.1 types are the classic trap (<c>report: no</c> is a boolean).</summary>
    private static string QuotingHint(Node node) =>
        node is ScalarNode { Kind: not YamlScalarKind.String, IsPlain: true } scalar
            ? $" (plain {scalar.Value} is a YAML 1.1 {KindName(scalar.Kind)}; quote it to make it a string)"
            : "";

    private static string KindName(YamlScalarKind kind) => kind switch
    {
        YamlScalarKind.Null => "null",
        YamlScalarKind.Bool => "boolean",
        YamlScalarKind.Int => "integer",
        YamlScalarKind.Float => "float",
        YamlScalarKind.String => "string",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown scalar kind."),
    };

    private static string Describe(Node node) => node switch
    {
        ScalarNode scalar => $"the {KindName(scalar.Kind)} '{scalar.Value}'",
        SequenceNode => "a list",
        MappingNode => "a mapping",
        _ => throw new ArgumentOutOfRangeException(nameof(node), "Unknown node type."),
    };

    /// <summary>A short flow-style rendering of a value for messages.</summary>
    private static string Render(Node node)
    {
        var builder = new StringBuilder();
        Render(node, builder);
        string text = builder.ToString();
        return text.Length > 80 ? string.Concat(text.AsSpan(0, 77), "...") : text;
    }

    private static void Render(Node node, StringBuilder builder)
    {
        switch (node)
        {
            case ScalarNode scalar:
                builder.Append(scalar.IsPlain ? scalar.Value : $"\"{scalar.Value}\"");
                break;
            case SequenceNode sequence:
                builder.Append('[');
                for (int index = 0; index < sequence.Items.Count; index++)
                {
                    if (index > 0)
                    {
                        builder.Append(", ");
                    }

                    Render(sequence.Items[index], builder);
                }

                builder.Append(']');
                break;
            case MappingNode mapping:
                builder.Append('{');
                for (int index = 0; index < mapping.Entries.Count; index++)
                {
                    if (index > 0)
                    {
                        builder.Append(", ");
                    }

                    Render(mapping.Entries[index].Key, builder);
                    builder.Append(": ");
                    Render(mapping.Entries[index].Value, builder);
                }

                builder.Append('}');
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(node), "Unknown node type.");
        }
    }

    private static ConfigDiagnostic Diagnostic(
        DiagnosticSeverity severity, string path, Mark mark, string message, string errorId) =>
        new(severity, path, (int)Math.Min(mark.Line, int.MaxValue), (int)Math.Min(mark.Column, int.MaxValue), message, errorId);

    private static string InnermostMessage(Exception exception)
    {
        while (exception.InnerException is YamlException inner)
        {
            exception = inner;
        }

        return exception.Message;
    }

    // A minimal positioned tree: YamlDotNet's representation model has no public way to build nodes with marks and
    // throws on duplicate keys, which upstream accepts (last wins).
    private abstract class Node
    {
        protected Node(Mark start) => Start = start;

        public Mark Start { get; }
    }

    private sealed class ScalarNode : Node
    {
        public ScalarNode(Mark start, string value, ScalarStyle style, string? tag) : base(start)
        {
            Value = value;
            Style = style;
            Tag = tag;
            Kind = YamlScalarTyping.Resolve(Value, Style, Tag);
        }

        public string Value { get; }

        public ScalarStyle Style { get; }

        public string? Tag { get; }

        public YamlScalarKind Kind { get; }

        public bool IsPlain => Style is ScalarStyle.Plain or ScalarStyle.Any;

        public bool TryGetInt(out long value) => YamlScalarTyping.TryGetInt(Value, Style, Tag, out value) && Kind == YamlScalarKind.Int;

        public bool TryGetDouble(out double value) =>
            YamlScalarTyping.TryGetDouble(Value, Style, Tag, out value) && Kind is YamlScalarKind.Int or YamlScalarKind.Float;

        public bool TryGetBool(out bool value) => YamlScalarTyping.TryGetBool(Value, Style, Tag, out value) && Kind == YamlScalarKind.Bool;
    }

    private sealed class SequenceNode : Node
    {
        public SequenceNode(Mark start) : base(start)
        {
        }

        public List<Node> Items { get; } = new();
    }

    private sealed class MappingNode : Node
    {
        public MappingNode(Mark start) : base(start)
        {
        }

        public List<(Node Key, Node Value)> Entries { get; } = new();
    }

    /// <summary>milkcheck.conf is read by the same positioned reader as the service files.</summary>
    private static class NodeReader
    {
        /// <summary>One root per non-empty document.</summary>
        public static IReadOnlyList<Node?> ReadDocuments(string path, string text) =>
            YamlTreeReader.ReadDocuments(path, new StringReader(text)).Select(Convert).ToList<Node?>();

        private static Node Convert(YamlTreeNode node)
        {
            var start = new Mark(0, node.Location.Line, node.Location.Column);
            switch (node.Kind)
            {
                case YamlKind.Scalar:
                    return new ScalarNode(start, node.Value ?? string.Empty, node.Style, node.Tag);
                case YamlKind.Sequence:
                    var sequence = new SequenceNode(start);
                    sequence.Items.AddRange(node.Items.Select(Convert));
                    return sequence;
                case YamlKind.Mapping:
                    var mapping = new MappingNode(start);
                    mapping.Entries.AddRange(node.Pairs.Select(p => (Convert(p.Key), Convert(p.Value))));
                    return mapping;
                default:
                    throw new InvalidOperationException($"Unknown YAML node kind {node.Kind}.");
            }
        }
    }
}
