using Xunit;

namespace MilkCheck.Engine.Tests.Results;

public sealed class ResultTextTests
{
    [Theory]
    [InlineData(ActionStatus.Done, "[    OK   ]")]
    [InlineData(ActionStatus.Error, "[  ERROR  ]")]
    [InlineData(ActionStatus.Timeout, "[ TIMEOUT ]")]
    [InlineData(ActionStatus.Warning, "[ WARNING ]")]
    [InlineData(ActionStatus.Skipped, "[ SKIPPED ]")]
    [InlineData(ActionStatus.DependencyError, "[DEP_ERROR]")]
    public void Tags_AreElevenCharactersAsUpstream(ActionStatus status, string tag)
    {
        Assert.Equal(tag, ResultText.Tag(status));
        Assert.Equal(11, ResultText.Tag(status).Length);
    }

    [Fact]
    public void StatusLine_At80Columns_MatchesUpstream()
    {
        Assert.Equal("svc - Simple service                                                 [    OK   ]",
            ResultText.StatusLine("svc", "Simple service", ActionStatus.Done, 80));
        Assert.Equal("G1                                                                   [DEP_ERROR]",
            ResultText.StatusLine("G1", null, ActionStatus.DependencyError, 80));
    }

    [Fact]
    public void StatusLine_EndsAtMin120()
    {
        Assert.Equal(77, ResultText.StatusLine("S3", "I am the service S3", ActionStatus.Done, 77).Length);
        Assert.Equal(120, ResultText.StatusLine("S3", null, ActionStatus.Done, 200).Length);
    }

    [Fact]
    public void LongLabels_AreCutWithDots()
    {
        string line = ResultText.StatusLine(new string('x', 100), null, ActionStatus.Done, 77);
        Assert.Equal(new string('x', 61) + "...  [    OK   ]", line);
    }

    private static NodeResult Node(string node, NodeStatus status, int? code, string output) =>
        new(node, "G1.I2", "start", status, code, output, TimeSpan.Zero, null);

    [Fact]
    public void ActionBlock_GathersIdenticalOutputsAndExitCodes()
    {
        var result = new ActionResult("G1.I2", "G1", EntityKind.Service, "start", ActionStatus.Error, true, "n[1-5]", "n[1-3,5]",
            new[]
            {
                Node("n1", NodeStatus.Failed, 1, "boom"), Node("n2", NodeStatus.Failed, 1, "boom"), Node("n3", NodeStatus.Failed, 2, "other\nlines"),
                Node("n4", NodeStatus.Ok, 0, "fine"), Node("n5", NodeStatus.Timeout, null, ""),
            },
            Array.Empty<ActionResult>(), "cmd", DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(50), 1, null);
        Assert.Equal("""
            start G1.I2 ran in 0.05 s
             > n[1-2]: boom
             > n3: other
             > n3: lines
             > n[1-2] exited with 1
             > n3 exited with 2
             > n5 has timeout
            """.ReplaceLineEndings("\n"), ResultText.ActionBlock(result));
        Assert.Contains(" > n4: fine", ResultText.ActionBlock(result, errorsOnly: false));
        Assert.Contains(" > n4 exited with 0", ResultText.ActionBlock(result, errorsOnly: false));
    }

    private static ActionResult Unreachable() =>
        new("admin", "", EntityKind.Service, "start", ActionStatus.Error, true, "admin[1-3]", "admin[1-3]",
            new[]
            {
                new NodeResult("admin1", "admin", "start", NodeStatus.Unreachable, null, "", TimeSpan.Zero, "Name or service not known"),
                new NodeResult("admin2", "admin", "start", NodeStatus.Unreachable, null, "", TimeSpan.Zero, "Name or service not known"),
                new NodeResult("admin3", "admin", "start", NodeStatus.AuthenticationFailed, null, "", TimeSpan.Zero, "Permission denied\n(publickey)"),
            },
            Array.Empty<ActionResult>(), "cmd", DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(10), 1, null);

    [Fact]
    public void ActionBlock_SaysWhyNodesWereNotReached()
    {
        Assert.Equal("""
            start admin ran in 0.01 s
             > admin[1-2]: unreachable: Name or service not known
             > admin3: authentication failed: Permission denied (publickey)
            """.ReplaceLineEndings("\n"), ResultText.ActionBlock(Unreachable()));
    }

    [Fact]
    public void FailureReasons_NameTheFailedNodesAndWhyOnOneLine()
    {
        Assert.Equal("admin[1-2] unreachable: Name or service not known; admin3 authentication failed: Permission denied (publickey)",
            ResultText.FailureReasons(Unreachable()));
    }

    [Fact]
    public void Records_ShowAsOneShortLine()
    {
        ActionResult result = Unreachable();
        Assert.Equal("admin.start: Error on admin[1-3]", result.ToString());
        Assert.Equal("admin.start: Done", (result with { Status = ActionStatus.Done, FailedNodes = "" }).ToString());
        Assert.Equal("compute05: Failed (1)", Node("compute05", NodeStatus.Failed, 1, "x").ToString());
        Assert.Equal("admin1: Unreachable", result.Nodes[0].ToString());
        Assert.Equal("network (Require)", new DependencyInfo("network", DependencyKind.Require).ToString());
    }
}
