using System.Text;
using YamlDotNet.Core;

namespace MilkCheck.Configuration;

/// <summary>
/// Reads <c>milkcheck.conf</c> (spec §2.2). Every problem of the file is reported in one pass, each with
/// file:line:column; keys that are wrong keep their default, the others apply. Stateless.
/// </summary>
public static class GlobalConfigurationLoader
{
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
                $"Configuration file {path} not found; the defaults are used.", ErrorIds.Config.GlobalFileNotFound));
            return (GlobalConfiguration.Default, diagnostics.AsReadOnly());
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, path, 0, 0,
                $"Cannot read configuration file {path}: {exception.Message}", ErrorIds.Config.GlobalFileUnreadable));
            return (GlobalConfiguration.Default, diagnostics.AsReadOnly());
        }

        GlobalConfiguration configuration = Parse(path, text, diagnostics);
        return (configuration, diagnostics.AsReadOnly());
    }

    /// <summary>Parses the text of a global configuration file; <paramref name="path"/> only names it.</summary>
    internal static GlobalConfiguration Parse(string path, string text, List<ConfigDiagnostic> diagnostics)
    {
        var configuration = GlobalConfiguration.Default with { SourceFile = path };
        List<YamlTreeNode> documents;
        try
        {
            // The shared positioned reader: the service files' depth and alias bounds hold here too. It drops
            // empty documents and a lone `~`, which leave the defaults, as upstream.
            documents = YamlTreeReader.ReadDocuments(path, new StringReader(text));
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
                $"Invalid YAML: {InnermostMessage(exception)}", ErrorIds.Config.YamlSyntax));
            return configuration;
        }

        foreach (YamlTreeNode extra in documents.Skip(1))
        {
            diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, extra,
                "The file holds several YAML documents; milkcheck.conf is a single mapping (remove the '---').",
                ErrorIds.Config.MultipleDocuments));
        }

        if (documents.Count == 0)
        {
            return configuration;
        }

        YamlTreeNode root = documents[0];
        if (root.Kind == YamlKind.Mapping)
        {
            return Apply(path, root, configuration, diagnostics);
        }

        diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, root,
            $"The file must be a mapping of settings (for example 'fanout: 32'), not {Describe(root)}.",
            ErrorIds.Config.NotAMapping));
        return configuration;
    }

    private static GlobalConfiguration Apply(
        string path, YamlTreeNode mapping, GlobalConfiguration configuration, List<ConfigDiagnostic> diagnostics)
    {
        // Last wins, as PyYAML's loader, but a repeated key is most likely a mistake worth a warning.
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = new List<(string Key, YamlTreeNode KeyNode, YamlTreeNode Value)>();
        foreach ((YamlTreeNode keyNode, YamlTreeNode value) in mapping.Pairs)
        {
            if (keyNode.Kind != YamlKind.Scalar)
            {
                diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, keyNode,
                    $"Bad entry {Describe(keyNode)}: keys are setting names. Valid keys: {string.Join(", ", ValidKeys)}.",
                    ErrorIds.Config.BadEntry));
                continue;
            }

            string key = keyNode.Value ?? string.Empty;
            int line = keyNode.Location.Line;
            if (seen.TryGetValue(key, out int firstLine))
            {
                diagnostics.Add(Diagnostic(DiagnosticSeverity.Warning, path, keyNode,
                    $"Duplicate key '{key}' (line {firstLine} and line {line}); the last one (line {line}) is used.",
                    ErrorIds.Config.DuplicateKey));
                entries.RemoveAll(entry => entry.Key == key);
            }

            seen[key] = line;
            entries.Add((key, keyNode, value));
        }

        foreach ((string key, YamlTreeNode keyNode, YamlTreeNode value) in entries)
        {
            configuration = ApplyEntry(path, key, keyNode, value, configuration, diagnostics);
        }

        return configuration;
    }

    private static GlobalConfiguration ApplyEntry(
        string path, string key, YamlTreeNode keyNode, YamlTreeNode value, GlobalConfiguration configuration,
        List<ConfigDiagnostic> diagnostics)
    {
        void WrongValue(YamlTreeNode node, string expected) =>
            diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, node,
                $"Wrong value '{Render(node)}' for '{key}': expected {expected}{QuotingHint(node)}.", ErrorIds.Config.WrongValue));

        switch (key)
        {
            case "config_dir":
                if (IsString(value))
                {
                    return configuration with { ConfigDir = value.Value ?? string.Empty };
                }

                WrongValue(value, "a directory path (a string)");
                return configuration;

            case "fanout":
                if (TryGetInt(value, out long fanout) && fanout is >= 1 and <= int.MaxValue)
                {
                    return configuration with { Fanout = (int)fanout };
                }

                WrongValue(value, "a positive integer");
                return configuration;

            case "max_sessions":
                if (TryGetInt(value, out long sessions) && sessions is >= 1 and <= int.MaxValue)
                {
                    return configuration with { MaxSessions = (int)sessions };
                }

                WrongValue(value, "an integer of at least 1 (channels per SSH connection)");
                return configuration;

            case "connection_persist":
                if (TryGetDouble(value, out double persist)
                    && double.IsFinite(persist) && persist >= 0 && persist <= MaxConnectTimeoutSeconds)
                {
                    return configuration with { ConnectionPersist = TimeSpan.FromSeconds(persist) };
                }

                WrongValue(value, "a number of seconds, 0 or more (0: connections close at the end of the run)");
                return configuration;

            case "max_nodes":
                if (TryGetInt(value, out long maxNodes) && maxNodes is >= 1 and <= int.MaxValue)
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
                if (!IsString(value))
                {
                    WrongValue(value, "a string, one of 'no', 'default', 'full'");
                    return configuration;
                }

                switch (value.Value)
                {
                    case "no": return configuration with { Report = ReportMode.No };
                    case "default": return configuration with { Report = ReportMode.Default };
                    case "full": return configuration with { Report = ReportMode.Full };
                    default:
                        diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, value,
                            $"Value for 'report' should be one of ('no', 'default', 'full') (found '{value.Value}')",
                            ErrorIds.Config.WrongValue));
                        return configuration;
                }

            case "summary":
                if (TryGetBool(value, out bool summary))
                {
                    return configuration with { Summary = summary };
                }

                WrongValue(value, "a boolean (true or false)");
                return configuration;

            case "transport":
                switch (IsString(value) ? value.Value : null)
                {
                    case "sshnet":
                        return configuration with { Transport = TransportKind.SshNet };
                    case "openssh":
                        return configuration with { Transport = TransportKind.OpenSsh };
                    default:
                        WrongValue(value, "one of 'sshnet', 'openssh'");
                        return configuration;
                }

            case "connect_timeout":
                if (TryGetDouble(value, out double seconds)
                    && double.IsFinite(seconds) && seconds > 0 && seconds <= MaxConnectTimeoutSeconds)
                {
                    return configuration with { ConnectTimeout = TimeSpan.FromSeconds(seconds) };
                }

                WrongValue(value, "a number of seconds greater than 0");
                return configuration;

            case "journal":
                if (TryGetBool(value, out bool journal))
                {
                    return configuration with { Journal = journal };
                }

                WrongValue(value, "a boolean (true or false)");
                return configuration;

            case "journal_dir":
                if (IsString(value) && !string.IsNullOrEmpty(value.Value))
                {
                    return configuration with { JournalDir = value.Value };
                }

                WrongValue(value, "a directory path (a string)");
                return configuration;

            case "journal_keep":
                if (TryGetInt(value, out long keep) && keep is >= 1 and <= int.MaxValue)
                {
                    return configuration with { JournalKeep = (int)keep };
                }

                WrongValue(value, "a whole number of runs, at least 1");
                return configuration;

            default:
                diagnostics.Add(Diagnostic(DiagnosticSeverity.Error, path, keyNode,
                    $"Bad entry '{key}': not a setting of milkcheck.conf. Valid keys: {string.Join(", ", ValidKeys)}.",
                    ErrorIds.Config.BadEntry));
                return configuration;
        }
    }

    /// <summary>A sequence of strings, or null after reporting each offending node.</summary>
    private static IReadOnlyList<string>? StringList(YamlTreeNode value, Action<YamlTreeNode, string> wrongValue)
    {
        if (value.Kind != YamlKind.Sequence)
        {
            wrongValue(value, "a list of action names (for example [stop, status])");
            return null;
        }

        var names = new List<string>(value.Items.Count);
        bool valid = true;
        foreach (YamlTreeNode item in value.Items)
        {
            if (IsString(item))
            {
                names.Add(item.Value ?? string.Empty);
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
    private static string QuotingHint(YamlTreeNode node) =>
        node.Kind == YamlKind.Scalar && !node.Quoted && ScalarKind(node) is not YamlScalarKind.String and var kind
            ? $" (plain {node.Value} is a YAML 1.1 {KindName(kind)}; quote it to make it a string)"
            : "";

    // Scalars are typed by YAML 1.1 rules, as PyYAML (upstream's loader) and the service files type them.
    private static YamlScalarKind ScalarKind(YamlTreeNode scalar) => YamlScalarTyping.Resolve(scalar.Value, scalar.Style, scalar.Tag);

    private static bool IsString(YamlTreeNode node) => node.Kind == YamlKind.Scalar && ScalarKind(node) == YamlScalarKind.String;

    private static bool TryGetInt(YamlTreeNode node, out long value)
    {
        value = 0;
        return node.Kind == YamlKind.Scalar && YamlScalarTyping.TryGetInt(node.Value, node.Style, node.Tag, out value);
    }

    /// <summary>A float or an int: an int is a valid number of seconds.</summary>
    private static bool TryGetDouble(YamlTreeNode node, out double value)
    {
        value = 0;
        return node.Kind == YamlKind.Scalar && YamlScalarTyping.TryGetDouble(node.Value, node.Style, node.Tag, out value);
    }

    private static bool TryGetBool(YamlTreeNode node, out bool value)
    {
        value = false;
        return node.Kind == YamlKind.Scalar && YamlScalarTyping.TryGetBool(node.Value, node.Style, node.Tag, out value);
    }

    private static string KindName(YamlScalarKind kind) => kind switch
    {
        YamlScalarKind.Null => "null",
        YamlScalarKind.Bool => "boolean",
        YamlScalarKind.Int => "integer",
        YamlScalarKind.Float => "float",
        YamlScalarKind.String => "string",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown scalar kind."),
    };

    private static string Describe(YamlTreeNode node) => node.Kind switch
    {
        YamlKind.Scalar => $"the {KindName(ScalarKind(node))} '{node.Value}'",
        YamlKind.Sequence => "a list",
        YamlKind.Mapping => "a mapping",
        _ => throw new ArgumentOutOfRangeException(nameof(node), node.Kind, "Unknown YAML node kind."),
    };

    /// <summary>A short flow-style rendering of a value for messages.</summary>
    private static string Render(YamlTreeNode node)
    {
        var builder = new StringBuilder();
        Render(node, builder);
        string text = builder.ToString();
        return text.Length > 80 ? string.Concat(text.AsSpan(0, 77), "...") : text;
    }

    private static void Render(YamlTreeNode node, StringBuilder builder)
    {
        switch (node.Kind)
        {
            case YamlKind.Scalar:
                builder.Append(node.Quoted ? $"\"{node.Value}\"" : node.Value);
                break;
            case YamlKind.Sequence:
                builder.Append('[');
                for (int index = 0; index < node.Items.Count; index++)
                {
                    if (index > 0)
                    {
                        builder.Append(", ");
                    }

                    Render(node.Items[index], builder);
                }

                builder.Append(']');
                break;
            case YamlKind.Mapping:
                builder.Append('{');
                for (int index = 0; index < node.Pairs.Count; index++)
                {
                    if (index > 0)
                    {
                        builder.Append(", ");
                    }

                    Render(node.Pairs[index].Key, builder);
                    builder.Append(": ");
                    Render(node.Pairs[index].Value, builder);
                }

                builder.Append('}');
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(node), node.Kind, "Unknown YAML node kind.");
        }
    }

    private static ConfigDiagnostic Diagnostic(
        DiagnosticSeverity severity, string path, YamlTreeNode node, string message, string errorId) =>
        new(severity, path, node.Location.Line, node.Location.Column, message, errorId);

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
}
