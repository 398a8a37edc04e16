using System.Globalization;
using System.Text;

namespace MilkCheck.Execution;

/// <summary>
/// Which node names may reach a host: over SSH a node name becomes a host name and a known_hosts line, and in
/// <c>exec</c> mode <c>%h</c> puts it into a local shell command. A valid name is letters, digits, <c>.</c>, <c>-</c>
/// and <c>_</c>, not starting with <c>-</c> (it would read as an option), or a bracketed IPv6 address
/// (<c>[fe80::1]</c>). That refuses what OpenSSH's own check refuses (control characters, spaces, quotes,
/// <c>$ ` \ ; &amp; &lt; &gt; | ( ) { } ,</c>) and more: <c>@</c> (a user), <c>/</c>, <c>:</c> outside brackets
/// (a port), and every other shell metacharacter (<c>* ? [ ] ~ # = % !</c>).
/// </summary>
internal static class HostNames
{
    public static bool IsValid(string name)
    {
        if (name.Length == 0 || name[0] == '-')
            return false;
        if (name[0] == '[')
            return IsBracketedIPv6(name);
        foreach (char c in name)
        {
            if (c is '.' or '-' or '_' || char.IsAsciiLetterOrDigit(c))
                continue;
            if (c > 127 && char.IsLetterOrDigit(c))
                continue;
            return false;
        }
        return true;
    }

    /// <summary>Why <paramref name="name"/> is refused, for a message that already names it.</summary>
    public static string Problem(string name)
    {
        if (name.Length == 0)
            return "it is empty";
        if (name[0] == '-')
            return "it starts with '-' (it would read as an option)";
        if (name[0] == '[')
            return "a bracketed name must be an IPv6 address";
        char bad = name.First(c => !(c is '.' or '-' or '_' || char.IsAsciiLetterOrDigit(c) || (c > 127 && char.IsLetterOrDigit(c))));
        return bad switch
        {
            ':' => "':' is only valid in a bracketed IPv6 address ([fe80::1]); give a port in ssh_config",
            '@' => "'@' is not valid in a host name; give the user in ssh_config",
            ' ' => "it holds a space",
            _ when char.IsWhiteSpace(bad) || char.IsControl(bad) => $"it holds the control character {Printable(bad.ToString())}",
            _ => $"'{bad}' is not valid in a host name (letters, digits, '.', '-', '_')",
        };
    }

    /// <summary>The name with control characters shown as escapes (\n, \t, \u001b…), for messages.</summary>
    public static string Printable(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            text.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || char.IsWhiteSpace(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format
                    => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return text.ToString();
    }

    private static bool IsBracketedIPv6(string name)
    {
        if (name.Length < 4 || name[^1] != ']')
            return false;
        string inner = name[1..^1];
        return inner.Contains(':') && inner.All(c => c is ':' or '.' || char.IsAsciiHexDigit(c))
            && System.Net.IPAddress.TryParse(inner, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
    }
}
