using System.Globalization;
using System.Text;

namespace MilkCheck.Execution.Ssh;

/// <summary>OpenSSH's StrictHostKeyChecking; <c>ask</c> (its default) is <see cref="Yes"/>: MilkCheck never prompts.</summary>
internal enum StrictHostKeyChecking { Yes, AcceptNew, No }

/// <summary>What ssh_config says for one host, defaults applied and tokens expanded.</summary>
internal sealed record SshHostSettings(
    string HostName, string User, int Port, IReadOnlyList<string> IdentityFiles, bool IdentitiesOnly,
    IReadOnlyList<string> UserKnownHostsFiles, StrictHostKeyChecking StrictHostKeyChecking, TimeSpan? ConnectTimeout)
{
    /// <summary>GlobalKnownHostsFile: read with the user's files, never written (default /etc/ssh/ssh_known_hosts and ssh_known_hosts2).</summary>
    public IReadOnlyList<string> GlobalKnownHostsFiles { get; init; } = SshConfig.DefaultGlobalKnownHostsFiles;

    /// <summary><c>path:line: …</c> of the Match blocks that may apply to the host but were not evaluated.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
}

/// <summary>A line of ssh_config that cannot be used; the message is <c>path:line: what to change</c>.</summary>
internal sealed class SshConfigException : Exception
{
    public SshConfigException(string message) : base(message) { }
}

/// <summary>
/// The OpenSSH client configuration (ssh_config(5)) as far as MilkCheck needs it: <c>Host</c> blocks with
/// <c>*</c>/<c>?</c> wildcards and <c>!</c> negation, options before the first Host for every host, first obtained
/// value wins per keyword (IdentityFile accumulates), <c>Include</c> (relative to ~/.ssh, <c>*</c> globs),
/// <c>Keyword value</c> and <c>Keyword=value</c>, quotes. <c>Match</c> blocks with the criteria <c>host</c> (the
/// HostName obtained before the line), <c>originalhost</c>, <c>user</c> (the User obtained before the line, else the
/// local user), <c>localuser</c> and <c>all</c>, negated with <c>!</c> or not, all required; a block with any other
/// criterion (<c>exec</c>, <c>canonical</c>, <c>final</c>, <c>localnetwork</c>…) is left to OpenSSH: its options
/// are not used, and resolving a host it may apply to says so in <see cref="SshHostSettings.Warnings"/>. Keywords read: HostName, User, Port, IdentityFile, IdentitiesOnly, UserKnownHostsFile,
/// GlobalKnownHostsFile, StrictHostKeyChecking, ConnectTimeout; others are ignored.
/// </summary>
internal sealed class SshConfig
{
    private readonly List<Block> _blocks;
    private readonly string _home;

    private SshConfig(List<Block> blocks, string home)
    {
        _blocks = blocks;
        _home = home;
    }

    public static SshConfig Empty { get; } = new(new List<Block>(), "/");

    public static IReadOnlyList<string> DefaultGlobalKnownHostsFiles { get; } = new[] { "/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2" };

    public static SshConfig Load(string path, string home)
    {
        if (!File.Exists(path))
            return new SshConfig(new List<Block>(), home);
        var blocks = new List<Block>();
        ReadFile(path, home, blocks, depth: 0);
        return new SshConfig(blocks, home);
    }

    public static SshConfig Parse(string text, string path, string home)
    {
        var blocks = new List<Block>();
        ReadText(text, path, home, blocks, depth: 0);
        return new SshConfig(blocks, home);
    }

    public SshHostSettings Resolve(string host, string localUser)
    {
        var values = new Dictionary<string, (string Value, string Where)>(StringComparer.OrdinalIgnoreCase);
        var identities = new List<string>();
        var warnings = new List<string>();
        foreach (Block block in _blocks)
        {
            if (block.Criteria is { } criteria)
            {
                // Match sees what was obtained before its line, as OpenSSH's first pass.
                string hostSoFar = values.TryGetValue("hostname", out var h) ? Expand(h.Value, ('h', host)) : host;
                string userSoFar = values.TryGetValue("user", out var ru) ? ru.Value : localUser;
                if (!criteria.All(c => c.Evaluate(host, hostSoFar, userSoFar, localUser) != false))
                    continue;
                if (criteria.FirstOrDefault(c => c.Evaluate(host, hostSoFar, userSoFar, localUser) is null) is { } unknown)
                {
                    if (!warnings.Contains(block.Where!))
                        warnings.Add($"{block.Where}: Match {unknown.Name} is not evaluated by the SSH.NET transport: the settings of this Match block are not used for {host} (they apply only with transport: openssh).");
                    continue;
                }
            }
            else if (!block.Matches(host))
                continue;
            foreach (var (keyword, value, where) in block.Options)
            {
                if (keyword.Equals("identityfile", StringComparison.OrdinalIgnoreCase))
                    identities.Add(value);
                else
                    values.TryAdd(keyword, (value, where));
            }
        }

        string hostName = values.TryGetValue("hostname", out var hn) ? Expand(hn.Value, ('h', host)) : host;
        string user = values.TryGetValue("user", out var u) ? u.Value : localUser;
        int port = 22;
        if (values.TryGetValue("port", out var p) && (!int.TryParse(p.Value, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            throw new SshConfigException($"{p.Where}: Port '{p.Value}' is not a port number (1-65535).");
        bool identitiesOnly = values.TryGetValue("identitiesonly", out var io) && YesNo(io.Value, io.Where, "IdentitiesOnly");
        StrictHostKeyChecking strict = StrictHostKeyChecking.Yes;
        if (values.TryGetValue("stricthostkeychecking", out var s))
        {
            strict = s.Value.ToLowerInvariant() switch
            {
                "yes" or "ask" => StrictHostKeyChecking.Yes,
                "accept-new" => StrictHostKeyChecking.AcceptNew,
                "no" or "off" => StrictHostKeyChecking.No,
                _ => throw new SshConfigException($"{s.Where}: StrictHostKeyChecking '{s.Value}' is not one of yes, accept-new, no, ask, off."),
            };
        }
        TimeSpan? connectTimeout = null;
        if (values.TryGetValue("connecttimeout", out var ct))
        {
            if (!int.TryParse(ct.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds < 1)
                throw new SshConfigException($"{ct.Where}: ConnectTimeout '{ct.Value}' is not a number of seconds (1 or more).");
            connectTimeout = TimeSpan.FromSeconds(seconds);
        }

        (char, string)[] tokens = { ('d', _home), ('h', hostName), ('n', host), ('p', port.ToString(CultureInfo.InvariantCulture)), ('r', user), ('u', localUser) };
        IReadOnlyList<string> identityFiles = identities.Count > 0
            ? identities.Select(f => Expand(f, tokens)).ToArray()
            : new[] { "id_rsa", "id_ecdsa", "id_ed25519" }.Select(f => Path.Combine(_home, ".ssh", f)).ToArray();
        // "none" (OpenSSH) names no file.
        IReadOnlyList<string> knownHosts = values.TryGetValue("userknownhostsfile", out var kh)
            ? Words(kh.Value).Where(f => !f.Equals("none", StringComparison.OrdinalIgnoreCase)).Select(f => Expand(f, tokens)).ToArray()
            : new[] { Path.Combine(_home, ".ssh", "known_hosts"), Path.Combine(_home, ".ssh", "known_hosts2") };
        IReadOnlyList<string> globalKnownHosts = values.TryGetValue("globalknownhostsfile", out var gkh)
            ? Words(gkh.Value).Where(f => !f.Equals("none", StringComparison.OrdinalIgnoreCase)).Select(f => Expand(f, tokens)).ToArray()
            : DefaultGlobalKnownHostsFiles;
        return new SshHostSettings(hostName, user, port, identityFiles, identitiesOnly, knownHosts, strict, connectTimeout)
        {
            GlobalKnownHostsFiles = globalKnownHosts,
            Warnings = warnings,
        };
    }

    private string Expand(string value, params (char Token, string Value)[] tokens)
    {
        if (value.StartsWith('~'))
            value = _home + value[1..];
        if (!value.Contains('%'))
            return value;
        var text = new StringBuilder();
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] != '%' || i + 1 >= value.Length)
            {
                text.Append(value[i]);
                continue;
            }
            char token = value[++i];
            if (token == '%')
                text.Append('%');
            else if (tokens.FirstOrDefault(t => t.Token == token) is { Value: { } replacement })
                text.Append(replacement);
            else
                text.Append('%').Append(token);
        }
        return text.ToString();
    }

    private static bool YesNo(string value, string where, string keyword) => value.ToLowerInvariant() switch
    {
        "yes" => true,
        "no" => false,
        _ => throw new SshConfigException($"{where}: {keyword} '{value}' must be yes or no."),
    };

    private static void ReadFile(string path, string home, List<Block> blocks, int depth)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SshConfigException($"{path}: cannot be read: {e.Message}");
        }
        ReadText(text, path, home, blocks, depth);
    }

    private static void ReadText(string text, string path, string home, List<Block> blocks, int depth)
    {
        // Options before the first Host line apply to every host.
        var current = new Block(new[] { "*" });
        blocks.Add(current);
        bool skipping = false;
        string[] lines = text.Split('\n');
        for (int number = 1; number <= lines.Length; number++)
        {
            string line = lines[number - 1].Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            int split = line.IndexOfAny(new[] { ' ', '\t', '=' });
            string keyword = split < 0 ? line : line[..split];
            string rest = split < 0 ? string.Empty : line[split..].TrimStart(' ', '\t').TrimStart('=').Trim();
            string where = $"{path}:{number}";
            if (keyword.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                string[] patterns = Words(rest).ToArray();
                if (patterns.Length == 0)
                    throw new SshConfigException($"{where}: Host needs at least one pattern.");
                current = new Block(patterns);
                blocks.Add(current);
                skipping = false;
                continue;
            }
            if (keyword.Equals("match", StringComparison.OrdinalIgnoreCase))
            {
                current = new Block(MatchCriterion.Parse(Words(rest).ToArray(), where), where);
                blocks.Add(current);
                // An Include inside a block MilkCheck cannot evaluate is not read: its options could apply to any host.
                skipping = current.Criteria!.Any(c => !c.IsEvaluated);
                continue;
            }
            if (keyword.Equals("include", StringComparison.OrdinalIgnoreCase))
            {
                if (skipping)
                    continue;
                if (depth >= 16)
                    throw new SshConfigException($"{where}: Include nested more than 16 levels.");
                foreach (string pattern in Words(rest))
                    foreach (string file in Glob(pattern, home))
                    {
                        ReadFile(file, home, blocks, depth + 1);
                        // Options after an Include continue the block it was in.
                        current = current.Criteria is { } criteria ? new Block(criteria, current.Where!) : new Block(current.Patterns);
                        blocks.Add(current);
                    }
                continue;
            }
            string value = Words(rest).FirstOrDefault() ?? string.Empty;
            if (keyword.Equals("userknownhostsfile", StringComparison.OrdinalIgnoreCase) || keyword.Equals("globalknownhostsfile", StringComparison.OrdinalIgnoreCase))
                value = rest;
            current.Options.Add((keyword, value, where));
        }
    }

    private static IEnumerable<string> Glob(string pattern, string home)
    {
        if (pattern.StartsWith('~'))
            pattern = home + pattern[1..];
        else if (!Path.IsPathRooted(pattern))
            pattern = Path.Combine(home, ".ssh", pattern);
        string directory = Path.GetDirectoryName(pattern) ?? "/";
        string name = Path.GetFileName(pattern);
        if (!name.Contains('*') && !name.Contains('?'))
            return File.Exists(pattern) ? new[] { pattern } : Array.Empty<string>();
        return Directory.Exists(directory) ? Directory.GetFiles(directory, name).Order(StringComparer.Ordinal) : Array.Empty<string>();
    }

    /// <summary>Space-separated words; double quotes keep spaces.</summary>
    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if ((c == ' ' || c == '\t') && !quoted)
            {
                if (any)
                    yield return word.ToString();
                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }
        if (any)
            yield return word.ToString();
    }

    private sealed class Block
    {
        public Block(IReadOnlyList<string> patterns) => Patterns = patterns;

        public Block(IReadOnlyList<MatchCriterion> criteria, string where)
        {
            Patterns = Array.Empty<string>();
            Criteria = criteria;
            Where = where;
        }

        public IReadOnlyList<string> Patterns { get; }

        /// <summary>A Match block's criteria (all required); null for a Host block.</summary>
        public IReadOnlyList<MatchCriterion>? Criteria { get; }

        /// <summary>path:line of the Match line.</summary>
        public string? Where { get; }
        public List<(string Keyword, string Value, string Where)> Options { get; } = new();

        /// <summary>A negated pattern that matches excludes the host; else any plain pattern that matches.</summary>
        public bool Matches(string host)
        {
            bool matched = false;
            foreach (string pattern in Patterns)
            {
                if (pattern.StartsWith('!'))
                {
                    if (Wildcard.Matches(pattern[1..], host))
                        return false;
                }
                else if (Wildcard.Matches(pattern, host))
                    matched = true;
            }
            return matched;
        }
    }
}

/// <summary>One criterion of a <c>Match</c> line: <c>[!]name [patterns]</c>.</summary>
internal sealed class MatchCriterion
{
    private static readonly HashSet<string> Evaluated = new(StringComparer.OrdinalIgnoreCase) { "all", "host", "originalhost", "user", "localuser" };
    private static readonly HashSet<string> WithoutArgument = new(StringComparer.OrdinalIgnoreCase) { "all", "canonical", "final" };

    private MatchCriterion(string name, bool negated, string? patterns)
    {
        Name = name;
        Negated = negated;
        Patterns = patterns;
    }

    public string Name { get; }
    public bool Negated { get; }
    public string? Patterns { get; }
    public bool IsEvaluated => Evaluated.Contains(Name);

    public static IReadOnlyList<MatchCriterion> Parse(string[] words, string where)
    {
        if (words.Length == 0)
            throw new SshConfigException($"{where}: Match needs criteria (host, originalhost, user, localuser, all…).");
        var criteria = new List<MatchCriterion>();
        for (int i = 0; i < words.Length; i++)
        {
            bool negated = words[i].StartsWith('!');
            string name = (negated ? words[i][1..] : words[i]).ToLowerInvariant();
            string? patterns = null;
            if (!WithoutArgument.Contains(name))
            {
                if (i + 1 >= words.Length)
                    throw new SshConfigException($"{where}: Match {name} needs an argument.");
                patterns = words[++i];
            }
            criteria.Add(new MatchCriterion(name, negated, patterns));
        }
        return criteria;
    }

    /// <summary>True or false when MilkCheck evaluates this criterion; null when only OpenSSH can.</summary>
    public bool? Evaluate(string originalHost, string host, string user, string localUser)
    {
        bool? result = Name switch
        {
            "all" => true,
            "host" => MatchesList(Patterns!, host),
            "originalhost" => MatchesList(Patterns!, originalHost),
            "user" => MatchesList(Patterns!, user),
            "localuser" => MatchesList(Patterns!, localUser),
            _ => null,
        };
        return result is { } value ? value != Negated : null;
    }

    /// <summary>OpenSSH's pattern lists: comma-separated, a matching <c>!</c> pattern refuses, else any pattern that matches.</summary>
    private static bool MatchesList(string list, string text)
    {
        bool matched = false;
        foreach (string pattern in list.Split(','))
        {
            if (pattern.StartsWith('!'))
            {
                if (Wildcard.Matches(pattern[1..], text))
                    return false;
            }
            else if (Wildcard.Matches(pattern, text))
                matched = true;
        }
        return matched;
    }
}

/// <summary>OpenSSH's host patterns: <c>*</c> any run, <c>?</c> one character, case-insensitive.</summary>
internal static class Wildcard
{
    public static bool Matches(string pattern, string text) => Match(pattern.AsSpan(), text.AsSpan());

    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
                return false;
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }
}
