using MilkCheck.Execution;
using Xunit;

namespace MilkCheck.Engine.Tests.Execution;

public sealed class ExecPlaceholdersTests
{
    [Theory]
    [InlineData("ping -c1 %h", "ping -c1 node3")]
    [InlineData("echo %host %{host}.ib", "echo node3 node3.ib")]
    [InlineData("echo %n %rank", "echo 2 2")]
    [InlineData("date +%%s", "date +%s")]
    [InlineData("echo %h.example.com", "echo node3.example.com")]
    [InlineData("pdsh -w %hosts uptime", "pdsh -w node[1-4] uptime")]
    public void Placeholders_AreReplacedPerNode(string command, string expected) =>
        Assert.Equal(expected, ExecPlaceholders.Substitute(command, "node3", 2, "node[1-4]"));

    [Theory]
    [InlineData("date +%s")]
    [InlineData("echo %hostname")]
    [InlineData("echo 100%")]
    public void OtherPlaceholders_AreErrorsSayingToEscape(string command)
    {
        var error = Assert.Throws<FormatException>(() => ExecPlaceholders.Substitute(command, "n1", 0, "n1"));
        Assert.Contains("%%", error.Message);
    }

    [Theory]
    [InlineData("pdsh -w %hosts uptime", true)]
    [InlineData("echo %{hosts}", true)]
    [InlineData("echo %host", false)]
    [InlineData("echo %%hosts", false)]
    public void AllHosts_IsDetected(string command, bool expected) =>
        Assert.Equal(expected, ExecPlaceholders.UsesAllHosts(command));
}
