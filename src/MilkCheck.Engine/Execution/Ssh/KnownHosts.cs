using System.Security.Cryptography;
using System.Text;

namespace MilkCheck.Execution.Ssh;

/// <summary>What known_hosts says about a host key.</summary>
internal enum HostKeyMatch { Known, Unknown, Changed, Revoked }

/// <summary>
/// OpenSSH known_hosts files: <c>[marker] patterns keytype base64 [comment]</c> lines, patterns comma-separated
/// with <c>*</c>/<c>?</c>/<c>!</c>, the <c>[host]:port</c> form for ports other than 22, hashed
/// <c>|1|salt|hmac-sha1</c> names, <c>@revoked</c> keys (<c>@cert-authority</c> lines are not used). Read once
/// per instance; <see cref="Add"/> appends a line safely with other writers.
/// </summary>
internal sealed class KnownHosts
{
    private readonly List<Entry> _entries = new();
    private readonly object _gate = new();

    public KnownHosts(IReadOnlyList<string> files)
    {
        foreach (string file in files)
        {
            if (!File.Exists(file))
                continue;
            foreach (string raw in File.ReadLines(file))
                if (Entry.TryParse(raw) is { } entry)
                    _entries.Add(entry);
        }
    }

    /// <param name="names">The names the host is known by (the alias used and, when different, its HostName).</param>
    public HostKeyMatch Check(IEnumerable<string> names, int port, string keyType, byte[] keyBlob)
    {
        string key = Convert.ToBase64String(keyBlob);
        var forms = names.Select(n => Form(n, port)).Distinct(StringComparer.Ordinal).ToArray();
        bool any = false, known = false;
        lock (_gate)
        {
            foreach (Entry entry in _entries)
            {
                if (!forms.Any(entry.MatchesHost))
                    continue;
                bool same = entry.KeyType == keyType && entry.Key == key;
                if (entry.Revoked)
                {
                    if (same)
                        return HostKeyMatch.Revoked;
                    continue;
                }
                any = true;
                known |= same;
            }
        }
        return known ? HostKeyMatch.Known : any ? HostKeyMatch.Changed : HostKeyMatch.Unknown;
    }

    /// <summary>
    /// Appends <c>name keytype base64</c> (the <c>[name]:port</c> form off port 22), creating the file and its
    /// directory. One write of the whole line in append mode, under an exclusive lock of the file: concurrent
    /// writers, in this process or others, never lose or interleave lines.
    /// </summary>
    public void Add(string file, string name, int port, string keyType, byte[] keyBlob)
    {
        string line = $"{Form(name, port)} {keyType} {Convert.ToBase64String(keyBlob)}\n";
        string? directory = Path.GetDirectoryName(file);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        lock (_gate)
        {
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    using var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.None);
                    stream.Write(bytes);
                    break;
                }
                catch (IOException) when (attempt < 200)
                {
                    // Another process holds the file for its own line: wait for it (a few ms at most).
                    Thread.Sleep(5);
                }
            }
            if (Entry.TryParse(line) is { } entry)
                _entries.Add(entry);
        }
    }

    private static string Form(string name, int port) => port == 22 ? name : $"[{name}]:{port}";

    private sealed class Entry
    {
        private readonly string[] _patterns;

        private Entry(string[] patterns, string keyType, string key, bool revoked)
        {
            _patterns = patterns;
            KeyType = keyType;
            Key = key;
            Revoked = revoked;
        }

        public string KeyType { get; }
        public string Key { get; }
        public bool Revoked { get; }

        public static Entry? TryParse(string raw)
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
                return null;
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            bool revoked = false;
            int at = 0;
            if (fields[0].StartsWith('@'))
            {
                if (fields[0] == "@cert-authority")
                    return null;
                revoked = fields[0] == "@revoked";
                if (!revoked)
                    return null;
                at = 1;
            }
            if (fields.Length < at + 3)
                return null;
            return new Entry(fields[at].Split(','), fields[at + 1], fields[at + 2], revoked);
        }

        /// <summary>A negated pattern that matches excludes the line; else any pattern (hashed or not) that matches.</summary>
        public bool MatchesHost(string form)
        {
            bool matched = false;
            foreach (string pattern in _patterns)
            {
                if (pattern.StartsWith("|1|", StringComparison.Ordinal))
                {
                    matched |= HashedMatches(pattern, form);
                    continue;
                }
                if (pattern.StartsWith('!'))
                {
                    if (Wildcard.Matches(pattern[1..], form))
                        return false;
                }
                else if (Wildcard.Matches(pattern, form))
                    matched = true;
            }
            return matched;
        }

        private static bool HashedMatches(string pattern, string form)
        {
            string[] parts = pattern.Split('|');
            if (parts.Length != 4)
                return false;
            try
            {
                byte[] salt = Convert.FromBase64String(parts[2]);
                byte[] expected = Convert.FromBase64String(parts[3]);
                byte[] actual = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(form));
                return CryptographicOperations.FixedTimeEquals(actual, expected);
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
