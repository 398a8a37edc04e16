using MilkCheck.Engine.Tests.Scheduling;
using MilkCheck.Execution.Ssh;
using Xunit;

namespace MilkCheck.Engine.Tests.Ssh;

/// <summary>ssh_config as a run over the SSH.NET transport sees it.</summary>
[Collection("sshd")]
public sealed class SshConfigRunTests
{
    private readonly SshdFarm _farm;

    public SshConfigRunTests(SshFarmFixture fixture) => _farm = fixture.Farm;

    [Fact]
    public void A_Match_block_left_to_openssh_is_a_run_warning_naming_the_file_and_line_and_a_Match_host_block_applies()
    {
        string config = Path.Combine(_farm.Dir, "config-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(config,
            $"Match exec \"true\" host node60\n    Port 1\nMatch originalhost node61 localuser nobody-local\n    HostName {SshdFarm.Address(62)}\n" + File.ReadAllText(_farm.ConfigFile));
        using var run = new RunHarness("""
            services:
              first: { target: "node[60-61]", actions: { start: { cmd: "echo one" } } }
              second: { after: [ first ], target: "node[60-61]", actions: { start: { cmd: "echo $SSH_CONNECTION | cut -d' ' -f3" } } }
            """);
        using var ssh = new SshNetTransport(new SshTransportOptions(_farm.Home, config, "nobody-local", TimeSpan.FromSeconds(10), 10));
        var results = run.Run("start", remote: ssh);
        // node60 kept its port (the exec block was not used); node61 took the HostName of its Match block.
        Assert.Equal(new[] { SshdFarm.Address(60), SshdFarm.Address(62) }, results.Of("second").Nodes.OrderBy(n => n.Node).Select(n => n.Output));
        var warning = Assert.Single(run.Observer.Warnings);
        Assert.Equal("MilkCheck.SshConfigNotEvaluated", warning.Id);
        Assert.Contains(config + ":1", warning.Message);
        Assert.Contains("transport: openssh", warning.Message);
    }
}
