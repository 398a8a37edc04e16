using MilkCheck.Configuration;
using MilkCheck.Model;
using MilkCheck.Engine.Tests.Groups;
using MilkCheck.Execution;
using MilkCheck.NodeSets;
using MilkCheck.Scheduling;
using Xunit;

namespace MilkCheck.Engine.Tests.Scheduling;

/// <summary>Node names that are not host names never reach SSH or an exec-mode shell command.</summary>
public sealed class NodeNameTests
{
    [Theory]
    [InlineData("node1")]
    [InlineData("n-1.cluster.example")]
    [InlineData("compute_01")]
    [InlineData("10.0.0.1")]
    [InlineData("[fe80::1]")]
    [InlineData("[::ffff:10.0.0.1]")]
    public void Host_names_and_bracketed_IPv6_addresses_are_valid(string name) => Assert.True(HostNames.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData("-oProxyCommand=touch x")]
    [InlineData("node1\nevil")]
    [InlineData("node1\u001b]0;title\u0007")]
    [InlineData("node 1")]
    [InlineData("node\t1")]
    [InlineData("root@node1")]
    [InlineData("node1/x")]
    [InlineData("node1:22")]
    [InlineData("fe80::1")]
    [InlineData("[node1]")]
    [InlineData("a;b")]
    [InlineData("a|b")]
    [InlineData("a&b")]
    [InlineData("a$(b)")]
    [InlineData("a`b`")]
    [InlineData("a'b")]
    [InlineData("a\"b")]
    [InlineData("a\\b")]
    [InlineData("a>b")]
    [InlineData("a*b")]
    [InlineData("a~b")]
    [InlineData("a#b")]
    [InlineData("a,b")]
    public void Names_with_control_characters_spaces_options_users_paths_ports_or_shell_syntax_are_not(string name)
    {
        Assert.False(HostNames.IsValid(name));
        Assert.NotEmpty(HostNames.Problem(name));
        Assert.DoesNotContain('\n', HostNames.Printable(name));
    }

    [Theory]
    [InlineData("standard")]
    [InlineData("exec")]
    public void A_target_node_that_is_not_a_host_name_is_refused_before_anything_runs_with_its_place(string mode)
    {
        using var run = new RunHarness($$"""
            services:
              web:
                target: "node1,a;touch_x"
                mode: {{mode}}
                actions: { start: { cmd: "true" } }
            """);
        var e = Assert.Throws<RunSetupException>(() => run.Run("start"));
        Assert.Equal("MilkCheck.ConfigurationInvalid", e.ErrorId);
        Assert.True(e.Message.Contains("'a;touch_x'"), e.Message);
        Assert.Contains("services.yaml:3", e.Message);
        Assert.Contains("web.start", e.Message);
        Assert.Empty(run.RemoteCalls);
        Assert.Empty(run.LocalCalls);
    }

    [Fact]
    public void A_delegate_target_is_not_a_host_name_list_and_runs()
    {
        using var run = new RunHarness("""
            services:
              web: { target: "a;b", mode: delegate, actions: { start: { cmd: "true" } } }
            """);
        Assert.Equal(ActionStatus.Done, run.Run("start").Of("web").Status);
    }

    [Fact]
    public void A_bad_name_from_a_group_source_is_refused_naming_the_group_and_the_node()
    {
        using var dir = new TempDirectory();
        dir.Write("services.yaml", """
            services:
              web: { target: "@compute", actions: { start: { cmd: "true" } } }
            """);
        var source = new InMemoryGroupSource("site", new Dictionary<string, string> { ["compute"] = "node1,-oProxyCommand=x" });
        ServiceModel model = ServiceConfigurationLoader.Load(dir.Path, groups: () => GroupResolver.FromSources(new[] { source }, "site"));
        var e = Assert.Throws<RunSetupException>(() => RunPlan.Build(model, GlobalConfiguration.Default, new RunOptions { Action = "start" }));
        Assert.Contains("'-oProxyCommand=x'", e.Message);
        Assert.Contains("@compute", e.Message);
        Assert.Contains("starts with '-'", e.Message);
    }

    [Fact]
    public void A_Node_value_that_is_not_a_host_name_is_refused()
    {
        using var run = new RunHarness("""
            services:
              web: { target: "node1", actions: { start: { cmd: "true" } } }
            """);
        var e = Assert.Throws<RunSetupException>(() => run.Run("start", o => o with { Nodes = NodeSet.Parse("node1,x@y") }));
        Assert.Equal("MilkCheck.InvalidNodeName", e.ErrorId);
        Assert.Contains("x@y", e.Message);
        Assert.Empty(run.RemoteCalls);
    }
}
