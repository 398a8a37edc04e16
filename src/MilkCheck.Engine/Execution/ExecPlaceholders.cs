using System.Globalization;
using System.Text;

namespace MilkCheck.Execution;

/// <summary>
/// ClusterShell's exec worker placeholders (clustershell-notes §3.5), applied per node after MilkCheck's own
/// substitution: <c>%h</c>/<c>%host</c>/<c>%{host}</c> the node, <c>%n</c>/<c>%rank</c> its 0-based rank,
/// <c>%hosts</c>/<c>%{hosts}</c> the whole folded node set (one process for all nodes), <c>%%</c> a percent.
/// Any other <c>%word</c> is an error, as upstream's WorkerError.
/// </summary>
internal static class ExecPlaceholders
{
    /// <summary>True when the command names <c>%hosts</c>: one process then serves every node.</summary>
    public static bool UsesAllHosts(string command)
    {
        for (int i = 0; i < command.Length - 1; i++)
        {
            if (command[i] != '%')
                continue;
            if (command[i + 1] == '%')
            {
                i++;
                continue;
            }
            if (Word(command, i + 1, out _) == "hosts")
                return true;
        }
        return false;
    }

    /// <exception cref="FormatException">An unknown placeholder; the message says to write <c>%%</c>.</exception>
    public static string Substitute(string command, string node, int rank, string allHosts)
    {
        var text = new StringBuilder(command.Length + node.Length);
        for (int i = 0; i < command.Length; i++)
        {
            char c = command[i];
            if (c != '%')
            {
                text.Append(c);
                continue;
            }
            if (i + 1 < command.Length && command[i + 1] == '%')
            {
                text.Append('%');
                i++;
                continue;
            }
            string? word = Word(command, i + 1, out int length);
            string value = word switch
            {
                "h" or "host" => node,
                "n" or "rank" => rank.ToString(CultureInfo.InvariantCulture),
                "hosts" => allHosts,
                _ => throw new FormatException(
                    $"'%{word}' in '{command}' is not a valid exec placeholder (%h, %host, %hosts, %n, %rank): use '%%' to escape '%'."),
            };
            text.Append(value);
            i += length;
        }
        return text.ToString();
    }

    /// <summary>
    /// The placeholder after a '%', Template-style: braced <c>{host}</c> or the longest identifier
    /// (<c>%hostname</c> is the unknown word "hostname", not %host + "name"); its length in the text.
    /// </summary>
    private static string Word(string command, int start, out int length)
    {
        if (start < command.Length && command[start] == '{')
        {
            int close = command.IndexOf('}', start);
            length = close < 0 ? command.Length - start : close - start + 1;
            return close < 0 ? command[start..] : command[(start + 1)..close];
        }
        int end = start;
        if (end < command.Length && (command[end] == '_' || char.IsAsciiLetter(command[end])))
            while (end < command.Length && (command[end] == '_' || char.IsAsciiLetterOrDigit(command[end])))
                end++;
        length = end - start;
        return command[start..end];
    }
}
