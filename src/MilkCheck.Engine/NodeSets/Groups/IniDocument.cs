namespace MilkCheck.NodeSets;

/// <summary>
/// The subset of Python's <c>ConfigParser</c> that groups.conf files use: <c>[Section]</c> headers, <c>key = value</c>
/// or <c>key: value</c> (first delimiter wins), full-line <c>#</c>/<c>;</c> comments, indented continuation lines,
/// case-insensitive keys, a <c>[DEFAULT]</c> section whose keys every section inherits, and several files merged in
/// order (a later file overrides keys of an earlier one). Like upstream's <c>get(raw=True)</c>, no <c>%</c>
/// interpolation is done. Not thread-safe: built once by the loader, then only read.
/// </summary>
internal sealed class IniDocument
{
    public const string DefaultSectionName = "DEFAULT";

    private readonly List<IniSection> _sections = new();
    private readonly Dictionary<string, IniSection> _byName = new(StringComparer.Ordinal);
    private readonly IniSection _defaults = new(DefaultSectionName, "", 0);

    /// <summary>Sections in first-appearance order, without <c>[DEFAULT]</c>.</summary>
    public IReadOnlyList<IniSection> Sections => _sections;

    public IniSection? GetSection(string name) => _byName.TryGetValue(name, out IniSection? section) ? section : null;

    /// <summary>A key of <paramref name="section"/>, falling back to <c>[DEFAULT]</c> as ConfigParser does.</summary>
    public IniValue? Get(IniSection section, string key) =>
        section.Values.TryGetValue(key, out IniValue? value) ? value
        : _defaults.Values.TryGetValue(key, out IniValue? fallback) ? fallback
        : null;

    public IniValue? Get(string section, string key) => GetSection(section) is { } found ? Get(found, key) : null;

    public static IniDocument Parse(string path, string text)
    {
        var document = new IniDocument();
        document.Merge(path, text);
        return document;
    }

    /// <summary>Adds one file's content; throws <see cref="GroupResolverException"/> (Configuration) with file:line.</summary>
    public void Merge(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);

        // ConfigParser's strict mode: a section or key repeated within ONE file is an error; across files it merges.
        var sectionsInFile = new HashSet<string>(StringComparer.Ordinal);
        var keysInFile = new HashSet<(string Section, string Key)>();
        IniSection? current = null;
        PendingValue? pending = null;
        int indentLevel = 0;

        string[] lines = text.ReplaceLineEndings("\n").Split('\n');
        for (int index = 0; index < lines.Length; index++)
        {
            int lineNumber = index + 1;
            string line = lines[index];
            string stripped = line.Trim();

            if (stripped.Length == 0 || stripped[0] is '#' or ';')
            {
                // A blank line inside a multi-line value is kept (empty_lines_in_values); a comment line is not.
                if (stripped.Length == 0 && pending is not null)
                {
                    pending.Lines.Add("");
                }

                continue;
            }

            int indent = line.Length - line.TrimStart().Length;
            if (pending is not null && indent > indentLevel)
            {
                pending.Lines.Add(stripped);
                continue;
            }

            Flush(ref pending);
            indentLevel = indent;

            if (stripped[0] == '[' && stripped.LastIndexOf(']') > 1)
            {
                string name = stripped.Substring(1, stripped.LastIndexOf(']') - 1);
                if (!sectionsInFile.Add(name))
                {
                    throw Error(path, lineNumber, $"section [{name}] appears twice in this file; merge the two sections into one.");
                }

                if (name == DefaultSectionName)
                {
                    current = _defaults;
                }
                else if (!_byName.TryGetValue(name, out current))
                {
                    current = new IniSection(name, path, lineNumber);
                    _byName.Add(name, current);
                    _sections.Add(current);
                }
                else
                {
                    // Merged with an earlier file: report problems against the most recent declaration.
                    current.File = path;
                    current.Line = lineNumber;
                }

                continue;
            }

            if (current is null)
            {
                throw Error(path, lineNumber, $"'{Shorten(stripped)}' appears before any [section] header; add a section header such as [Main] above it.");
            }

            int delimiter = stripped.IndexOfAny(['=', ':']);
            string key = delimiter < 0 ? "" : stripped[..delimiter].TrimEnd().ToLowerInvariant();
            if (key.Length == 0)
            {
                throw Error(path, lineNumber, delimiter < 0
                    ? $"'{Shorten(stripped)}' is not a 'key: value' or 'key = value' line; add the missing ':' or '=', or indent it to continue the previous value."
                    : $"'{Shorten(stripped)}' has no key before '{stripped[delimiter]}'.");
            }

            if (!keysInFile.Add((current.Name, key)))
            {
                throw Error(path, lineNumber, $"key '{key}' appears twice in section [{current.Name}]; keep only one.");
            }

            pending = new PendingValue(current, key, path, lineNumber);
            pending.Lines.Add(stripped[(delimiter + 1)..].Trim());
        }

        Flush(ref pending);
    }

    private static void Flush(ref PendingValue? pending)
    {
        if (pending is null)
        {
            return;
        }

        // Python joins the lines with '\n' and strips trailing blank lines.
        string value = string.Join('\n', pending.Lines).TrimEnd();
        pending.Section.Values[pending.Key] = new IniValue(value, pending.File, pending.Line);
        pending = null;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");

    internal static GroupResolverException Error(string path, int line, string message) =>
        new(GroupErrorKind.Configuration, $"{path}:{line}: {message}");

    private sealed class PendingValue(IniSection section, string key, string file, int line)
    {
        public IniSection Section { get; } = section;
        public string Key { get; } = key;
        public string File { get; } = file;
        public int Line { get; } = line;
        public List<string> Lines { get; } = new();
    }
}

/// <summary>One section; <see cref="File"/> and <see cref="Line"/> locate its latest header for error messages.</summary>
internal sealed class IniSection(string name, string file, int line)
{
    public string Name { get; } = name;
    public string File { get; set; } = file;
    public int Line { get; set; } = line;
    public Dictionary<string, IniValue> Values { get; } = new(StringComparer.Ordinal);

    public string Location => $"{File}:{Line}";
}

/// <summary>A value with the place it was defined, so errors can point at the line to change.</summary>
internal sealed record IniValue(string Text, string File, int Line)
{
    public string Location => $"{File}:{Line}";
}
