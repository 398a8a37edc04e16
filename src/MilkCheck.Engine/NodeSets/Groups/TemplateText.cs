using System.Text;

namespace MilkCheck.NodeSets;

/// <summary>
/// Python <c>string.Template.safe_substitute</c> semantics, which groups.conf commands and directories rely on:
/// <c>$NAME</c> and <c>${NAME}</c> are replaced when known, left verbatim when unknown, and <c>$$</c> becomes <c>$</c>.
/// </summary>
internal static class TemplateText
{
    public static string Substitute(string template, IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(variables);
        if (template.IndexOf('$') < 0)
        {
            return template;
        }

        var result = new StringBuilder(template.Length + 32);
        int i = 0;
        while (i < template.Length)
        {
            char c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                result.Append(c);
                i++;
                continue;
            }

            char next = template[i + 1];
            if (next == '$')
            {
                result.Append('$');
                i += 2;
                continue;
            }

            if (next == '{')
            {
                int close = template.IndexOf('}', i + 2);
                if (close > i + 2 && IsIdentifier(template.AsSpan(i + 2, close - i - 2))
                    && variables.TryGetValue(template.Substring(i + 2, close - i - 2), out string? braced))
                {
                    result.Append(braced);
                    i = close + 1;
                    continue;
                }

                // Unknown or malformed braced names stay as written, like safe_substitute.
                result.Append(c);
                i++;
                continue;
            }

            int end = i + 1;
            if (IsIdentifierStart(template[end]))
            {
                end++;
                while (end < template.Length && IsIdentifierPart(template[end]))
                {
                    end++;
                }

                if (variables.TryGetValue(template.Substring(i + 1, end - i - 1), out string? plain))
                {
                    result.Append(plain);
                    i = end;
                    continue;
                }
            }

            result.Append(c);
            i++;
        }

        return result.ToString();
    }

    // Python's Template idpattern is ASCII-only: [_a-z][_a-z0-9]* (case-insensitive).
    private static bool IsIdentifierStart(char c) => c == '_' || char.IsAsciiLetter(c);

    private static bool IsIdentifierPart(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);

    private static bool IsIdentifier(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || !IsIdentifierStart(text[0]))
        {
            return false;
        }

        foreach (char c in text[1..])
        {
            if (!IsIdentifierPart(c))
            {
                return false;
            }
        }

        return true;
    }
}
