using System.Security.Cryptography;
using System.Text;

namespace MilkCheck.Execution.Ssh;

/// <summary>What known_hosts says about a host key.</summary>
internal enum HostKeyMatch { Known, Unknown, Changed, Revoked }

/// <summary>The answer of <see cref="KnownHosts.Check"/>.</summary>
/// <param name="KnownFingerprints">Changed: the SHA256 fingerprints known_hosts holds for the host and this key type.</param>
/// <param name="OtherTypes">Unknown: the key types known_hosts does hold for the host.</param>
internal sealed record HostKeyCheck(HostKeyMatch Match, IReadOnlyList<string> KnownFingerprints, IReadOnlyList<string> OtherTypes);

/// <summary>
/// OpenSSH known_hosts files: <c>[marker] patterns keytype base64 [comment]</c> lines, patterns comma-separated
/// with <c>*</c>/<c>?</c>/<c>!</c>, the <c>[host]:port</c> form for ports other than 22, hashed
/// <c>|1|salt|hmac-sha1</c> names, <c>@revoked</c> keys (<c>@cert-authority</c> lines are not used). Read once
/// per instance (the user's files and the global ones alike); <see cref="Add"/> appends a line safely with other writers.
/// As OpenSSH: a key is known when a line for the host holds it; it changed when a line for the host holds another
/// key of the same type; a host known only by keys of other types is unknown for this one (and a client that
/// prefers the known types, <see cref="KeyTypes"/>, never gets there).
/// </summary>
internal sealed class KnownHosts
{
    private readonly List<Entry> _entries = new();
    private readonly object _gate = new();

    public KnownHosts(IEnumerable<string> files)
    {
        foreach (string file in files)
        {
            if (!File.Exists(file))
                continue;
            try
            {
                foreach (string raw in File.ReadLines(file))
                    if (Entry.TryParse(raw) is { } entry)
                        _entries.Add(entry);
            }
            catch (UnauthorizedAccessException)
            {
                // As OpenSSH: a global file the user may not read is skipped.
            }
        }
    }

    /// <param name="names">The names the host is known by (the alias used and, when different, its HostName).</param>
    public HostKeyCheck Check(IEnumerable<string> names, int port, byte[] keyBlob)
    {
        string keyType = KeyType(keyBlob);
        string key = Convert.ToBase64String(keyBlob);
        string[] forms = Forms(names, port);
        bool known = false;
        var changed = new List<string>();
        var others = new List<string>();
        lock (_gate)
        {
            foreach (Entry entry in _entries)
            {
                if (!forms.Any(entry.MatchesHost))
                    continue;
                bool sameType = entry.KeyType == keyType;
                if (entry.Revoked)
                {
                    if (sameType && entry.Key == key)
                        return new HostKeyCheck(HostKeyMatch.Revoked, Array.Empty<string>(), Array.Empty<string>());
                    continue;
                }
                if (!sameType)
                {
                    if (!others.Contains(entry.KeyType))
                        others.Add(entry.KeyType);
                }
                else if (entry.Key == key)
                    known = true;
                else if (Fingerprint(entry.Key) is { } old && !changed.Contains(old))
                    changed.Add(old);
            }
        }
        if (known)
            return new HostKeyCheck(HostKeyMatch.Known, Array.Empty<string>(), Array.Empty<string>());
        return changed.Count > 0
            ? new HostKeyCheck(HostKeyMatch.Changed, changed, Array.Empty<string>())
            : new HostKeyCheck(HostKeyMatch.Unknown, Array.Empty<string>(), others);
    }

    /// <summary>The key types known (not revoked) for the host, in file order: the host key algorithms to offer first.</summary>
    public IReadOnlyList<string> KeyTypes(IEnumerable<string> names, int port)
    {
        string[] forms = Forms(names, port);
        lock (_gate)
            return _entries.Where(e => !e.Revoked && forms.Any(e.MatchesHost)).Select(e => e.KeyType).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The key type a public key blob names (its first field: <c>ssh-rsa</c>, <c>ssh-ed25519</c>…).</summary>
    public static string KeyType(byte[] keyBlob)
    {
        if (keyBlob.Length < 4)
            return string.Empty;
        int length = (keyBlob[0] << 24) | (keyBlob[1] << 16) | (keyBlob[2] << 8) | keyBlob[3];
        return length >= 0 && length <= keyBlob.Length - 4 ? Encoding.ASCII.GetString(keyBlob, 4, length) : string.Empty;
    }

    /// <summary>OpenSSH's fingerprint of a key: <c>SHA256:</c> and the unpadded base64 of its hash.</summary>
    public static string Fingerprint(byte[] keyBlob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=');

    private static string? Fingerprint(string base64)
    {
        try
        {
            return Fingerprint(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return "(unreadable key)";
        }
    }

    private static string[] Forms(IEnumerable<string> names, int port) => names.Select(n => Form(n, port)).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Appends <c>name keytype base64</c> (the <c>[name]:port</c> form off port 22), creating the file and its
    /// directory. One write of the whole line in append mode, under an exclusive lock of the file: concurrent
    /// writers, in this process or others, never lose or interleave lines.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a host name (a newline would add a line for another host).</exception>
    public void Add(string file, string name, int port, byte[] keyBlob)
    {
        if (!HostNames.IsValid(name))
            throw new ArgumentException($"'{HostNames.Printable(name)}' is not a host name: not written to {file}.", nameof(name));
        string line = $"{Form(name, port)} {KeyType(keyBlob)} {Convert.ToBase64String(keyBlob)}\n";
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
