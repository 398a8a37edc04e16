using MilkCheck.Execution;
using MilkCheck.Execution.Ssh;
using Xunit;

namespace MilkCheck.Engine.Tests.Ssh;

/// <summary>Private key files as OpenSSH takes them.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Collection("sshd")]
public sealed class PrivateKeyTests
{
    private readonly SshdFarm _farm;

    public PrivateKeyTests(SshFarmFixture fixture) => _farm = fixture.Farm;

    /// <summary>The farm's client key copied with <paramref name="mode"/>, and a config that uses only it for the node.</summary>
    private string ConfigWithKeyCopy(int node, UnixFileMode mode)
    {
        string key = Path.Combine(_farm.Dir, "key-" + Guid.NewGuid().ToString("N"));
        File.Copy(_farm.ClientKey, key);
        File.SetUnixFileMode(key, mode);
        string path = Path.Combine(_farm.Dir, "config-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, $"Host node{node}\n    HostName {SshdFarm.Address(node)}\n    Port {_farm.Port}\n    User {_farm.User}\n" +
            $"    IdentityFile {key}\n    IdentitiesOnly yes\n    UserKnownHostsFile {_farm.KnownHostsFile}\n");
        return path;
    }

    private SshNetTransport Transport(string config) =>
        new(new SshTransportOptions(_farm.Home, config, _farm.User, TimeSpan.FromSeconds(10), 10));

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherWrite)]
    public async Task A_private_key_readable_or_writable_by_group_or_others_is_refused_as_too_open(UnixFileMode mode)
    {
        using SshNetTransport ssh = Transport(ConfigWithKeyCopy(50, mode));
        NodeOutcome outcome = await ssh.RunAsync("node50", "true", null, CancellationToken.None);
        Assert.Equal(NodeStatus.AuthenticationFailed, outcome.Status);
        Assert.Contains("too open", outcome.Reason);
    }

    [Fact]
    public async Task A_private_key_only_its_owner_reads_is_used()
    {
        using SshNetTransport ssh = Transport(ConfigWithKeyCopy(51, UnixFileMode.UserRead));
        NodeOutcome outcome = await ssh.RunAsync("node51", "echo in", null, CancellationToken.None);
        Assert.Equal(NodeStatus.Ok, outcome.Status);
    }
}
