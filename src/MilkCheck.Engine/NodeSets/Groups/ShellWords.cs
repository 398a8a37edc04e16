using System.Text;

namespace MilkCheck.NodeSets;

/// <summary>
/// POSIX-mode <c>shlex.split</c> as upstream applies it to <c>confdir</c>/<c>autodir</c>: whitespace separates words,
/// single quotes are literal, double quotes allow <c>\"</c> and <c>\\</c>, a backslash outside quotes escapes the next
/// character. No comment handling (upstream calls shlex.split without comments).
/// </summary>
internal static class ShellWords
{
    /// <exception cref="FormatException">A quote is not closed or the text ends with a lone backslash.</exception>
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var current = new StringBuilder();
        bool inWord = false;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }

                i++;
            }
            else if (c == '\'')
            {
                int close = text.IndexOf('\'', i + 1);
                if (close < 0)
                {
                    throw new FormatException("no closing single quotation mark");
                }

                current.Append(text, i + 1, close - i - 1);
                inWord = true;
                i = close + 1;
            }
            else if (c == '"')
            {
                i++;
                bool closed = false;
                while (i < text.Length)
                {
                    char d = text[i];
                    if (d == '"')
                    {
                        closed = true;
                        i++;
                        break;
                    }

                    if (d == '\\' && i + 1 < text.Length && (text[i + 1] == '"' || text[i + 1] == '\\'))
                    {
                        current.Append(text[i + 1]);
                        i += 2;
                        continue;
                    }

                    current.Append(d);
                    i++;
                }

                if (!closed)
                {
                    throw new FormatException("no closing double quotation mark");
                }

                inWord = true;
            }
            else if (c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    throw new FormatException("no character after the final backslash");
                }

                current.Append(text[i + 1]);
                inWord = true;
                i += 2;
            }
            else
            {
                current.Append(c);
                inWord = true;
                i++;
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }
}
