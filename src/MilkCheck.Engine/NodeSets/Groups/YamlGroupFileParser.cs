using MilkCheck.Configuration;
using YamlDotNet.Core;

namespace MilkCheck.NodeSets;

/// <summary>
/// Turns a groups.d YAML document into sources, through the same reader as the service files (positions, depth and
/// alias bounds) and the same YAML 1.1 scalar typing. The only type touching YAML for groups, so that YamlDotNet
/// loads only when a YAML source exists. Stateless.
/// </summary>
internal static class YamlGroupFileParser
{
    public static IReadOnlyList<(string Source, YamlSourceGroups Groups)> Parse(string path, string text)
    {
        List<YamlTreeNode> documents;
        try
        {
            documents = YamlTreeReader.ReadDocuments(path, new StringReader(text));
        }
        catch (YamlException exception)
        {
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"{path}:{exception.Start.Line}:{exception.Start.Column}: invalid YAML: {InnermostMessage(exception)}", exception);
        }

        if (documents.Count > 1)
        {
            throw Error(documents[1], "the file holds several YAML documents; keep a single mapping of sources.");
        }

        if (documents.Count == 0 || documents[0].Kind != YamlKind.Mapping)
        {
            string where = documents.Count == 0 ? $"{path}:1:1" : documents[0].Location.ToString();
            throw new GroupResolverException(GroupErrorKind.Configuration,
                $"{where}: invalid content: the document must be a mapping of source names to mappings of groups " +
                "(for example 'roles:' followed by indented 'adm: node1' lines).");
        }

        var sources = new List<(string, YamlSourceGroups)>();
        var seenSources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (sourceKey, sourceValue) in documents[0].Pairs)
        {
            string source = StringKey(sourceKey, "source");
            if (!seenSources.Add(source))
            {
                throw Error(sourceKey, $"invalid YAML: duplicate source '{source}': define each source once.");
            }

            if (sourceValue.Kind != YamlKind.Mapping)
            {
                throw Error(sourceValue, $"invalid content: group source '{source}' is not a mapping of group names to node sets.");
            }

            var names = new List<string>(sourceValue.Pairs.Count);
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (groupKey, groupValue) in sourceValue.Pairs)
            {
                string group = StringKey(groupKey, "group");
                if (values.ContainsKey(group))
                {
                    throw Error(groupKey, $"invalid YAML: duplicate group '{group}' in source '{source}': define each group once.");
                }

                names.Add(group);
                values[group] = GroupText(source, group, groupValue);
            }

            sources.Add((source, new YamlSourceGroups(names.AsReadOnly(), values)));
        }

        return sources;
    }

    private static string GroupText(string source, string group, YamlTreeNode value)
    {
        switch (value.Kind)
        {
            case YamlKind.Scalar:
                return value.IsNullScalar ? "" : (value.Value ?? "");
            case YamlKind.Sequence:
                var parts = new List<string>(value.Items.Count);
                foreach (YamlTreeNode item in value.Items)
                {
                    if (item.Kind != YamlKind.Scalar)
                    {
                        throw Error(item, $"group '{group}' of source '{source}': list items must be node set strings.");
                    }

                    if (!item.IsNullScalar && !string.IsNullOrEmpty(item.Value))
                    {
                        parts.Add(item.Value);
                    }
                }

                return string.Join(',', parts);
            default:
                throw Error(value, $"group '{group}' of source '{source}' must be a node set string, a list of them, or empty.");
        }
    }

    private static string StringKey(YamlTreeNode key, string what)
    {
        if (key.Kind != YamlKind.Scalar)
        {
            throw Error(key, $"a {what} name must be a string, not a {(key.Kind == YamlKind.Mapping ? "mapping" : "list")}.");
        }

        string text = key.Value ?? "";
        string? kind = YamlScalarTyping.Resolve(text, key.Style, key.Tag) switch
        {
            YamlScalarKind.String => null,
            YamlScalarKind.Null => "null",
            YamlScalarKind.Bool => "a boolean",
            YamlScalarKind.Int => "an integer",
            YamlScalarKind.Float => "a number",
            _ => $"a value tagged {key.Tag}",
        };
        if (kind is not null)
        {
            // Upstream (PyYAML, YAML 1.1) reads such keys as numbers, booleans or null and rejects them.
            throw Error(key, $"the {what} name {(text.Length == 0 ? "(empty)" : text)} is read as {kind}, not a string; quote it: '{text}':");
        }

        if (text.Length == 0)
        {
            throw Error(key, $"a {what} name cannot be empty.");
        }

        return text;
    }

    private static GroupResolverException Error(YamlTreeNode node, string message) =>
        new(GroupErrorKind.Configuration, $"{node.Location}: {message}");

    private static string InnermostMessage(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception.Message;
    }
}
