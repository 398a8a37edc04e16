using System.Security.Cryptography;
using System.Text;
using MilkCheck.Engine.Tests.Groups;
using MilkCheck.Execution.Ssh;
using Xunit;

namespace MilkCheck.Engine.Tests.Ssh;

public sealed class SshConfigTests
{
    private static SshHostSettings Resolve(string text, string host, string home = "/home/me") =>
        SshConfig.Parse(text, "cfg", home).Resolve(host, "me");

    [Fact]
    public void First_obtained_value_wins_for_each_keyword_across_blocks()
    {
        var s = Resolve("""
            Host node1
                Port 2201
            Host node*
                Port 22
                User admin
            Host *
                User nobody
            """, "node1");
        Assert.Equal(2201, s.Port);
        Assert.Equal("admin", s.User);
        Assert.Equal("node1", s.HostName);
    }

    [Fact]
    public void A_negated_pattern_excludes_the_host_even_when_another_pattern_matches()
    {
        const string text = "Host node* !node3\n    User ops\n";
        Assert.Equal("ops", Resolve(text, "node2").User);
        Assert.Equal("me", Resolve(text, "node3").User);
    }

    [Fact]
    public void Options_before_the_first_Host_apply_to_every_host_and_equals_and_quotes_are_accepted()
    {
        var s = Resolve("User=\"first\"\nHost x\n    User second\n    IdentityFile \"~/my keys/id\"\n", "x");
        Assert.Equal("first", s.User);
        Assert.Equal(new[] { "/home/me/my keys/id" }, s.IdentityFiles);
    }

    [Fact]
    public void IdentityFile_accumulates_and_tokens_expand()
    {
        var s = Resolve("""
            Host n*
                HostName %h.cluster
                User root
                Port 2222
                IdentityFile ~/.ssh/id_%h
                IdentityFile %d/keys/%r@%n:%p-%u%%
                UserKnownHostsFile ~/.ssh/kh1 /etc/kh_%h
            Host *
                IdentityFile /shared/id
            """, "n1");
        Assert.Equal("n1.cluster", s.HostName);
        Assert.Equal(new[] { "/home/me/.ssh/id_n1.cluster", "/home/me/keys/root@n1:2222-me%", "/shared/id" }, s.IdentityFiles);
        Assert.Equal(new[] { "/home/me/.ssh/kh1", "/etc/kh_n1.cluster" }, s.UserKnownHostsFiles);
    }

    [Fact]
    public void Defaults_are_OpenSSHs_when_nothing_is_configured()
    {
        var s = SshConfig.Empty.Resolve("node1", "me");
        Assert.Equal(22, s.Port);
        Assert.Equal("me", s.User);
        Assert.Equal(StrictHostKeyChecking.Yes, s.StrictHostKeyChecking);
        Assert.Null(s.ConnectTimeout);
        var home = Resolve(string.Empty, "node1");
        Assert.Equal(new[] { "/home/me/.ssh/id_rsa", "/home/me/.ssh/id_ecdsa", "/home/me/.ssh/id_ed25519" }, home.IdentityFiles);
        Assert.Equal(new[] { "/home/me/.ssh/known_hosts", "/home/me/.ssh/known_hosts2" }, home.UserKnownHostsFiles);
    }

    [Theory]
    [InlineData("ask", "Yes")]
    [InlineData("yes", "Yes")]
    [InlineData("accept-new", "AcceptNew")]
    [InlineData("no", "No")]
    [InlineData("off", "No")]
    public void StrictHostKeyChecking_values_map_without_ever_prompting(string value, string expected) =>
        Assert.Equal(expected, Resolve($"StrictHostKeyChecking {value}\n", "h").StrictHostKeyChecking.ToString());

    [Fact]
    public void ConnectTimeout_is_read_in_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), Resolve("ConnectTimeout 3\n", "h").ConnectTimeout);
    }

    [Theory]
    [InlineData("Port banana", "cfg:1: Port 'banana'")]
    [InlineData("Host h\n  ConnectTimeout 0", "cfg:2: ConnectTimeout '0'")]
    [InlineData("StrictHostKeyChecking maybe", "cfg:1: StrictHostKeyChecking 'maybe'")]
    [InlineData("IdentitiesOnly perhaps", "cfg:1: IdentitiesOnly 'perhaps'")]
    public void A_bad_value_is_an_error_with_file_and_line(string text, string message)
    {
        var e = Assert.Throws<SshConfigException>(() => Resolve(text, "h"));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void Match_host_sees_the_HostName_obtained_before_it_and_originalhost_the_name_given()
    {
        const string text = """
            Host alias
                HostName real.example
            Match host real.example
                User byHost
                Port 2201
            Match originalhost alias
                Port 2202
                IdentityFile /keys/by-original
            """;
        var s = Resolve(text, "alias");
        Assert.Equal("byHost", s.User);
        Assert.Equal(2201, s.Port); // first obtained value wins, Match blocks included
        Assert.Equal(new[] { "/keys/by-original" }, s.IdentityFiles);
        Assert.Equal("me", Resolve(text, "other").User);
        Assert.Empty(s.Warnings);
    }

    [Fact]
    public void Match_criteria_are_all_required_and_user_localuser_all_and_negation_are_evaluated()
    {
        const string text = """
            Host n*
                User admin
            Match user admin localuser me host n1,n2
                Port 2001
            Match !host n1 all
                Port 2002
            Match user root
                Port 2003
            Match localuser someone-else
                Port 2004
            """;
        Assert.Equal(2001, Resolve(text, "n2").Port);
        Assert.Equal(2002, Resolve(text, "n3").Port);
        Assert.Equal(22, Resolve("Match user root\n    Port 2003\nMatch localuser other\n    Port 2004\n", "n1").Port);
        Assert.Equal(2005, Resolve("Match host \"a*,!ab\"\n    Port 2005\n", "ac").Port);
        Assert.Equal(22, Resolve("Match host \"a*,!ab\"\n    Port 2005\n", "ab").Port);
    }

    [Fact]
    public void A_Match_criterion_MilkCheck_cannot_evaluate_leaves_the_block_to_openssh_with_a_warning_naming_file_and_line()
    {
        const string text = "Host x\n    User first\nMatch exec \"test -e /etc/site\" host x\n    Port 2222\n    StrictHostKeyChecking no\nHost y\n    Port 2300\n";
        var s = Resolve(text, "x");
        Assert.Equal(22, s.Port);
        Assert.Equal(StrictHostKeyChecking.Yes, s.StrictHostKeyChecking);
        string warning = Assert.Single(s.Warnings);
        Assert.Contains("cfg:3", warning);
        Assert.Contains("exec", warning);
        Assert.Contains("openssh", warning);
        // A supported criterion that already fails: the block cannot apply, nothing to say.
        Assert.Empty(Resolve("Match host other exec \"true\"\n    Port 2222\n", "x").Warnings);
    }

    [Fact]
    public void Include_reads_files_relative_to_the_ssh_directory_with_globs()
    {
        using var dir = new TempDirectory();
        dir.Write(".ssh/config.d/10-nodes", "Host node*\n    User fromInclude\n");
        dir.Write(".ssh/config.d/20-other", "Host node*\n    Port 2200\n");
        dir.Write(".ssh/config", "Include config.d/*\nHost *\n    User late\n");
        var s = SshConfig.Load(dir[".ssh/config"], dir.Path).Resolve("node1", "me");
        Assert.Equal("fromInclude", s.User);
        Assert.Equal(2200, s.Port);
    }

    [Fact]
    public void The_global_known_hosts_files_are_the_system_ones_unless_GlobalKnownHostsFile_names_others()
    {
        Assert.Equal(new[] { "/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2" }, Resolve("Host x\n    User u\n", "x").GlobalKnownHostsFiles);
        var s = Resolve("Host x\n    GlobalKnownHostsFile /site/kh_%h ~/g2\n    UserKnownHostsFile none\n", "x");
        Assert.Equal(new[] { "/site/kh_x", "/home/me/g2" }, s.GlobalKnownHostsFiles);
        Assert.Empty(s.UserKnownHostsFiles);
    }

    [Fact]
    public void A_missing_file_is_an_empty_configuration()
    {
        var s = SshConfig.Load("/nonexistent/config", "/home/me").Resolve("a", "me");
        Assert.Equal("a", s.HostName);
    }
}

public sealed class KnownHostsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private static readonly byte[] Key = Blob("ssh-ed25519", 1);
    private static readonly byte[] Other = Blob("ssh-ed25519", 2);
    private static readonly byte[] Rsa = Blob("ssh-rsa", 3);

    /// <summary>A public key blob as SSH encodes it: the key type as an SSH string, then key material.</summary>
    private static byte[] Blob(string type, byte fill)
    {
        byte[] name = Encoding.ASCII.GetBytes(type);
        return new byte[] { 0, 0, 0, (byte)name.Length }.Concat(name).Concat(Enumerable.Repeat(fill, 32)).ToArray();
    }
    private static string B64(byte[] b) => Convert.ToBase64String(b);

    public void Dispose() => _dir.Dispose();

    private KnownHosts With(string text) => new(new[] { _dir.Write("known_hosts", text) });

    [Fact]
    public void A_plain_entry_with_the_same_key_is_Known_and_a_different_key_is_Changed()
    {
        var known = With($"node1,10.0.0.1 ssh-ed25519 {B64(Key)} comment\n");
        Assert.Equal(HostKeyMatch.Known, known.Check(new[] { "node1" }, 22, Key).Match);
        Assert.Equal(HostKeyMatch.Known, known.Check(new[] { "alias", "10.0.0.1" }, 22, Key).Match);
        Assert.Equal(HostKeyMatch.Changed, known.Check(new[] { "node1" }, 22, Other).Match);
        Assert.Equal(HostKeyMatch.Unknown, known.Check(new[] { "node2" }, 22, Key).Match);
    }

    [Fact]
    public void Ports_other_than_22_use_the_bracket_form()
    {
        var known = With($"[node1]:2222 ssh-ed25519 {B64(Key)}\n");
        Assert.Equal(HostKeyMatch.Known, known.Check(new[] { "node1" }, 2222, Key).Match);
        Assert.Equal(HostKeyMatch.Unknown, known.Check(new[] { "node1" }, 22, Key).Match);
    }

    [Fact]
    public void Wildcards_and_negations_select_hosts()
    {
        var known = With($"node*,!node9 ssh-ed25519 {B64(Key)}\n");
        Assert.Equal(HostKeyMatch.Known, known.Check(new[] { "node4" }, 22, Key).Match);
        Assert.Equal(HostKeyMatch.Unknown, known.Check(new[] { "node9" }, 22, Key).Match);
    }

    [Fact]
    public void Hashed_entries_match_by_hmac_of_the_host_form()
    {
        byte[] salt = RandomNumberGenerator.GetBytes(20);
        string Hash(string form) => $"|1|{B64(salt)}|{B64(HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(form)))}";
        var known = With($"{Hash("node1")} ssh-ed25519 {B64(Key)}\n{Hash("[node2]:2200")} ssh-ed25519 {B64(Key)}\n");
        Assert.Equal(HostKeyMatch.Known, known.Check(new[] { "node1" }, 22, Key).Match);
        Assert.Equal(HostKeyMatch.Known, known.Check(new[] { "node2" }, 2200, Key).Match);
        Assert.Equal(HostKeyMatch.Changed, known.Check(new[] { "node1" }, 22, Other).Match);
        Assert.Equal(HostKeyMatch.Unknown, known.Check(new[] { "node3" }, 22, Key).Match);
    }

    [Fact]
    public void A_revoked_key_is_Revoked_and_cert_authority_lines_are_ignored()
    {
        var known = With($"@revoked * ssh-ed25519 {B64(Key)}\n@cert-authority * ssh-ed25519 {B64(Other)}\n# comment\n\nnode1 ssh-ed25519 {B64(Key)}\n");
        Assert.Equal(HostKeyMatch.Revoked, known.Check(new[] { "node1" }, 22, Key).Match);
        Assert.Equal(HostKeyMatch.Unknown, known.Check(new[] { "node2" }, 22, Other).Match);
    }

    [Fact]
    public void Missing_files_have_no_entries()
    {
        var known = new KnownHosts(new[] { "/nonexistent/known_hosts" });
        Assert.Equal(HostKeyMatch.Unknown, known.Check(new[] { "node1" }, 22, Key).Match);
    }

    [Fact]
    public void Concurrent_adds_write_every_line_whole_and_each_is_then_Known()
    {
        string file = _dir["sub/dir/known_hosts"];
        var known = new KnownHosts(new[] { file });
        Parallel.For(0, 8, thread =>
        {
            for (int i = 0; i < 50; i++)
                known.Add(file, $"n{thread}-{i}", 2222, Key);
        });
        string[] lines = File.ReadAllLines(file);
        Assert.Equal(400, lines.Length);
        Assert.All(lines, line => Assert.Matches(@"^\[n\d-\d+\]:2222 ssh-ed25519 \S+$", line));
        var reread = new KnownHosts(new[] { file });
        Assert.Equal(HostKeyMatch.Known, reread.Check(new[] { "n7-49" }, 2222, Key).Match);
    }

    [Fact]
    public void A_host_known_only_by_another_key_type_is_Unknown_for_this_one_and_names_the_known_type()
    {
        var known = With($"node1 ssh-rsa {B64(Rsa)}\n");
        HostKeyCheck check = known.Check(new[] { "node1" }, 22, Key);
        Assert.Equal(HostKeyMatch.Unknown, check.Match);
        Assert.Equal(new[] { "ssh-rsa" }, check.OtherTypes);
        Assert.Equal(new[] { "ssh-rsa" }, known.KeyTypes(new[] { "node1" }, 22));
        Assert.Empty(known.KeyTypes(new[] { "node2" }, 22));
    }

    [Fact]
    public void A_changed_key_names_the_fingerprint_known_hosts_holds()
    {
        var known = With($"node1 ssh-ed25519 {B64(Key)}\n");
        HostKeyCheck check = known.Check(new[] { "node1" }, 22, Other);
        Assert.Equal(HostKeyMatch.Changed, check.Match);
        Assert.Equal(new[] { KnownHosts.Fingerprint(Key) }, check.KnownFingerprints);
        Assert.StartsWith("SHA256:", KnownHosts.Fingerprint(Key));
    }

    [Theory]
    [InlineData("evil\n* ssh-ed25519")]
    [InlineData("node1 extra")]
    [InlineData("-oProxyCommand=x")]
    [InlineData("")]
    public void A_name_that_is_not_a_host_name_is_never_written(string name)
    {
        string file = _dir["known_hosts_refused"];
        var known = new KnownHosts(new[] { file });
        Assert.Throws<ArgumentException>(() => known.Add(file, name, 22, Key));
        Assert.False(File.Exists(file) && File.ReadAllText(file).Length > 0);
    }

    [Fact]
    public void Adding_to_dev_null_as_UserKnownHostsFile_dev_null_setups_do_is_accepted()
    {
        var known = new KnownHosts(new[] { "/dev/null" });
        known.Add("/dev/null", "node1", 22, Key);
        Assert.Equal(HostKeyMatch.Known, known.Check(new[] { "node1" }, 22, Key).Match);
    }
}
