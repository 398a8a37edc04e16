using MilkCheck.NodeSets;
using Xunit;

namespace MilkCheck.Engine.Tests.Groups;

public sealed class GroupConfigurationLocationsTests
{
    [Fact]
    public void FromEnvironment_ListsTheClusterShellLocations_LowestPriorityFirst()
    {
        var env = new Dictionary<string, string?>
        {
            ["HOME"] = "/home/u",
            ["XDG_CONFIG_HOME"] = "/xdg",
            ["CLUSTERSHELL_CFGDIR"] = "/cfg",
        };

        var locations = GroupConfigurationLocations.FromEnvironment(env);

        Assert.Equal(
            [
                "/etc/clustershell/groups.conf",
                "/home/u/.local/etc/clustershell/groups.conf",
                "/xdg/clustershell/groups.conf",
                "/cfg/groups.conf",
            ],
            locations.Candidates);
    }

    [Fact]
    public void FromEnvironment_DefaultsXdgConfigHomeToDotConfig_AndOmitsAnUnsetCfgdir()
    {
        var env = new Dictionary<string, string?> { ["HOME"] = "/home/u", ["XDG_CONFIG_HOME"] = "", ["CLUSTERSHELL_CFGDIR"] = null };

        var locations = GroupConfigurationLocations.FromEnvironment(env, systemConfigurationDirectory: "/sys/cs");

        Assert.Equal(
            ["/sys/cs/groups.conf", "/home/u/.local/etc/clustershell/groups.conf", "/home/u/.config/clustershell/groups.conf"],
            locations.Candidates);
    }

    [Fact]
    public void FromEnvironment_WithoutHome_SkipsTheHomeEntries()
    {
        var locations = GroupConfigurationLocations.FromEnvironment(new Dictionary<string, string?>(), "/sys/cs");

        Assert.Equal(["/sys/cs/groups.conf"], locations.Candidates);
    }
}
