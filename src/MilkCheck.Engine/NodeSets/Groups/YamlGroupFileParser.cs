using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MilkCheck.NodeSets;

/// <summary>
/// Turns a groups.d YAML document into sources. The only type touching YamlDotNet for groups, so that assembly
/// loads only when a YAML source exists. Stateless.
/// </summary>
internal static partial class YamlGroupFileParser
{
    private const string StringTag = "tag:yaml.org,2002:str";

    public static IReadOnlyList<(string Source, YamlSourceGroups Groups)> Parse(string path, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException exception)
        {
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"{path}:{exception.Start.Line}:{exception.Start.Column}: invalid YAML: {InnermostMessage(exception)}", exception);
        }

        if (stream.Documents.Count > 1)
        {
            YamlNode second = stream.Documents[1].RootNode;
            throw Error(path, second, "the file holds several YAML documents; keep a single mapping of sources.");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            string where = stream.Documents.Count == 0 ? $"{path}:1:1" : Position(path, stream.Documents[0].RootNode);
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"{where}: invalid content: the document must be a mapping of source names to mappings of groups " +
                "(for example 'roles:' followed by indented 'adm: node1' lines).");
        }

        var sources = new List<(string, YamlSourceGroups)>();
        foreach ((YamlNode sourceKey, YamlNode sourceValue) in root.Children)
        {
            string source = StringKey(path, sourceKey, "source");
            if (sourceValue is not YamlMappingNode groupsNode)
            {
                throw Error(path, sourceValue,
                    $"invalid content: group source '{source}' is not a mapping of group names to node sets.");
            }

            var names = new List<string>(groupsNode.Children.Count);
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach ((YamlNode groupKey, YamlNode groupValue) in groupsNode.Children)
            {
                string group = StringKey(path, groupKey, "group");
                names.Add(group);
                values[group] = GroupText(path, source, group, groupValue);
            }

            sources.Add((source, new YamlSourceGroups(names.AsReadOnly(), values)));
        }

        return sources;
    }

    private static string GroupText(string path, string source, string group, YamlNode value)
    {
        switch (value)
        {
            case YamlScalarNode scalar:
                return IsNull(scalar) ? "" : (scalar.Value ?? "");
            case YamlSequenceNode sequence:
                var parts = new List<string>(sequence.Children.Count);
                foreach (YamlNode item in sequence.Children)
                {
                    if (item is not YamlScalarNode itemScalar)
                    {
                        throw Error(path, item,
                            $"group '{group}' of source '{source}': list items must be node set strings.");
                    }

                    if (!IsNull(itemScalar) && !string.IsNullOrEmpty(itemScalar.Value))
                    {
                        parts.Add(itemScalar.Value);
                    }
                }

                return string.Join(',', parts);
            default:
                throw Error(path, value,
                    $"group '{group}' of source '{source}' must be a node set string, a list of them, or empty.");
        }
    }

    private static string StringKey(string path, YamlNode key, string what)
    {
        if (key is not YamlScalarNode scalar)
        {
            throw Error(path, key, $"a {what} name must be a string, not a {(key is YamlMappingNode ? "mapping" : "list")}.");
        }

        string text = scalar.Value ?? "";
        string? kind = PlainScalarKind(scalar);
        if (kind is not null)
        {
            // Upstream (PyYAML, YAML 1.1) reads such keys as numbers, booleans or null and rejects them.
            throw Error(path, key,
                $"the {what} name {(text.Length == 0 ? "(empty)" : text)} is read as {kind}, not a string; quote it: '{text}':");
        }

        if (text.Length == 0)
        {
            throw Error(path, key, $"a {what} name cannot be empty.");
        }

        return text;
    }

    private static bool IsNull(YamlScalarNode scalar) => PlainScalarKind(scalar) == "null";

    /// <summary>
    /// What PyYAML's YAML 1.1 resolver makes of an untagged plain scalar other than a string (null, a boolean, an
    /// integer or a float), or null when it stays a string. Timestamps are not recognised (PyYAML would).
    /// </summary>
    private static string? PlainScalarKind(YamlScalarNode scalar)
    {
        if (scalar.Style != ScalarStyle.Plain)
        {
            return null;
        }

        if (!scalar.Tag.IsEmpty)
        {
            // An explicit tag decides; only !!str (or the non-specific '!') keeps a string.
            string tag = scalar.Tag.Value;
            return tag == StringTag || tag == "!" ? null : $"a value tagged {tag}";
        }

        string value = scalar.Value ?? "";
        if (value.Length == 0 || value is "~" or "null" or "Null" or "NULL")
        {
            return "null";
        }

        if (BooleanPattern().IsMatch(value))
        {
            return "a boolean";
        }

        if (IntegerPattern().IsMatch(value))
        {
            return "an integer";
        }

        if (FloatPattern().IsMatch(value))
        {
            return "a number";
        }

        return null;
    }

    [GeneratedRegex("^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")]
    private static partial Regex BooleanPattern();

    [GeneratedRegex("^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")]
    private static partial Regex FloatPattern();

    private static string Position(string path, YamlNode node) => $"{path}:{node.Start.Line}:{node.Start.Column}";

    private static GroupResolverException Error(string path, YamlNode node, string message) =>
        new(GroupErrorKind.Configuration, $"{Position(path, node)}: {message}");

    private static string InnermostMessage(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception.Message;
    }
}
