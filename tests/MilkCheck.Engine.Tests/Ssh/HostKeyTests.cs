using System.Diagnostics;
using MilkCheck.Engine.Tests.Scheduling;
using MilkCheck.Execution;
using MilkCheck.Execution.Ssh;
using Xunit;

namespace MilkCheck.Engine.Tests.Ssh;

/// <summary>Host key policy of the SSH.NET transport against the farm's daemons (ed25519 and RSA host keys).</summary>
[Collection("sshd")]
public sealed class HostKeyTests
{
    private readonly SshdFarm _farm;

    public HostKeyTests(SshFarmFixture fixture) => _farm = fixture.Farm;

    private SshNetTransport Transport(string config) =>
        new(new SshTransportOptions(_farm.Home, config, _farm.User, TimeSpan.FromSeconds(10), 10));

    /// <summary>A client config whose first block is <paramref name="block"/> for node<paramref name="node"/>, then the farm's.</summary>
    private string ConfigFor(int node, string block)
    {
        string path = Path.Combine(_farm.Dir, "config-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, $"Host node{node}\n{block}\n" + File.ReadAllText(_farm.ConfigFile));
        return path;
    }

    private string KnownHostsFile(string text)
    {
        string path = Path.Combine(_farm.Dir, "known-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>"type base64" of a public key file.</summary>
    private static string PublicKey(string privateKeyFile) => string.Join(' ', File.ReadAllText(privateKeyFile + ".pub").Split(' ').Take(2));

    /// <summary>The fingerprint ssh-keygen prints for a key: what an administrator compares.</summary>
    private static string Fingerprint(string privateKeyFile) => Tool("ssh-keygen", "-l", "-E", "sha256", "-f", privateKeyFile + ".pub").Split(' ')[1];

    private string OtherKey()
    {
        string other = Path.Combine(_farm.Dir, "hk-" + Guid.NewGuid().ToString("N"));
        Tool("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other);
        return other;
    }

    [Fact]
    public void With_StrictHostKeyChecking_no_a_changed_key_connects_and_the_run_warns_once_naming_the_node_and_both_fingerprints()
    {
        string other = OtherKey();
        string known = KnownHostsFile($"[node40]:{_farm.Port} {PublicKey(other)}\n");
        using var run = new RunHarness("""
            services:
              first: { target: "node40", actions: { start: { cmd: "echo one" } } }
              second: { after: [ first ], target: "node40", actions: { start: { cmd: "echo two" } } }
            """);
        using SshNetTransport ssh = Transport(ConfigFor(40, $"    UserKnownHostsFile {known}\n    StrictHostKeyChecking no"));
        var results = run.Run("start", remote: ssh);
        NodeResult node = results.Of("second").Nodes.Single();
        Assert.Equal(NodeStatus.Ok, node.Status);
        Assert.Equal("two", node.Output);
        Assert.Contains(Fingerprint(_farm.HostKey), node.Reason);
        var warning = Assert.Single(run.Observer.Warnings);
        Assert.Equal("MilkCheck.HostKeyChanged", warning.Id);
        Assert.Contains("node40", warning.Message);
        Assert.Contains(Fingerprint(_farm.HostKey), warning.Message);
        Assert.Contains(Fingerprint(other), warning.Message);
    }

    [Theory]
    [InlineData("no")]
    [InlineData("accept-new")]
    [InlineData("yes")]
    public async Task A_revoked_key_is_refused_whatever_StrictHostKeyChecking_says(string strict)
    {
        string known = KnownHostsFile($"@revoked * {PublicKey(_farm.HostKey)}\n[node41]:{_farm.Port} {PublicKey(_farm.HostKey)}\n");
        using SshNetTransport ssh = Transport(ConfigFor(41, $"    UserKnownHostsFile {known}\n    StrictHostKeyChecking {strict}"));
        NodeOutcome outcome = await ssh.RunAsync("node41", "true", null, CancellationToken.None);
        Assert.Equal(NodeStatus.HostKeyRejected, outcome.Status);
        Assert.Contains("@revoked", outcome.Reason);
    }

    [Fact]
    public async Task A_host_known_by_its_RSA_key_connects_with_it_though_the_server_also_offers_ed25519()
    {
        string known = KnownHostsFile($"[node42]:{_farm.Port} {PublicKey(_farm.RsaHostKey)}\n");
        using SshNetTransport ssh = Transport(ConfigFor(42, $"    UserKnownHostsFile {known}\n    StrictHostKeyChecking yes"));
        NodeOutcome outcome = await ssh.RunAsync("node42", "echo rsa", null, CancellationToken.None);
        Assert.Equal(NodeStatus.Ok, outcome.Status);
        Assert.Equal("rsa", outcome.Output);
    }

    [Fact]
    public async Task A_key_in_the_GlobalKnownHostsFile_is_trusted_and_never_written_to()
    {
        string global = KnownHostsFile($"[node43]:{_farm.Port} {PublicKey(_farm.HostKey)}\n");
        string user = Path.Combine(_farm.Dir, "known-empty-" + Guid.NewGuid().ToString("N"));
        using SshNetTransport ssh = Transport(ConfigFor(43, $"    UserKnownHostsFile {user}\n    GlobalKnownHostsFile {global}\n    StrictHostKeyChecking accept-new"));
        NodeOutcome outcome = await ssh.RunAsync("node43", "echo global", null, CancellationToken.None);
        Assert.Equal(NodeStatus.Ok, outcome.Status);
        Assert.False(File.Exists(user), "a key known globally was added to the user's file");
    }

    private static string Tool(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
